/**
 * Firing, then pending, then just-resolved alerts with the value that decided
 * them, packed into 1–3 lines; what does not fit is counted, never dropped
 * silently.
 */
import { Box } from 'ink';
import type { AlertStateView } from '../../alerts/rule-state.js';
import { formatValue, parseThreshold, valueUnit } from '../../stats/thresholds.js';
import { fmtMs } from '../../export/format.js';
import { textWidth, type Segment } from '../core/text.js';
import { Line } from './Line.js';

export interface AlertBarProps {
  alerts: AlertStateView[];
  width: number;
  /** 1 to 3. */
  maxLines?: number;
}

const ORDER = { firing: 0, pending: 1, resolved: 2 } as const;

/** The value in the unit of the alert's metric: "1.20s", "4.1%", "$1.20/h". */
export function alertValue(a: AlertStateView): string {
  if (a.value === null) return 'no data';
  try {
    const t = parseThreshold(a.expression);
    const unit = valueUnit(t.metric, t.aggregation);
    // Times read the same as on the panels (1.20s, not 1203ms).
    return unit === 'ms' ? fmtMs(a.value) : formatValue(a.value, unit);
  } catch {
    return String(a.value);
  }
}

function item(a: AlertStateView): Segment[] {
  switch (a.state) {
    case 'firing':
      return [{ text: '▲ FIRING ', tone: 'bad' }, { text: `${a.name} ${alertValue(a)}` }, { text: ` (${a.window})`, tone: 'dim' }];
    case 'pending':
      return [{ text: '△ pending ', tone: 'warn' }, { text: `${a.name} ${alertValue(a)}` }, { text: ` (${a.window})`, tone: 'dim' }];
    default:
      return [{ text: '✓ resolved ', tone: 'ok' }, { text: a.name }];
  }
}

const SEP = '   ';

/** Packs alert items into at most `maxLines` lines of `width`; the last line counts the rest. */
export function packAlerts(alerts: AlertStateView[], width: number, maxLines: number): Segment[][] {
  const shown = alerts
    .filter((a): a is AlertStateView & { state: keyof typeof ORDER } => a.state !== 'ok')
    .sort((a, b) => ORDER[a.state] - ORDER[b.state]);
  if (shown.length === 0) return [[{ text: 'alerts: none firing', tone: 'dim' }]];
  const lines: Segment[][] = [];
  let current: Segment[] = [];
  let used = 0;
  for (let i = 0; i < shown.length; i++) {
    const alert = shown[i];
    if (alert === undefined) break;
    const segs = item(alert);
    const len = segs.reduce((n, s) => n + textWidth(s.text), 0);
    const last = lines.length + 1 >= maxLines;
    const rest = shown.length - i - 1;
    // On the last line keep room for the "+N more" count, so it is never the part cut off.
    const room = last && rest > 0 ? width - textWidth(`${SEP}+${rest + 1} more`) : width;
    const sep = current.length > 0 ? SEP.length : 0;
    if (current.length > 0 && used + sep + len > room) {
      if (last) {
        current.push({ text: `${SEP}+${shown.length - i} more`, tone: 'dim' });
        lines.push(current);
        return lines;
      }
      lines.push(current);
      current = [];
      used = 0;
    }
    if (current.length > 0) current.push({ text: SEP });
    current.push(...segs);
    used += (used > 0 ? SEP.length : 0) + len;
  }
  lines.push(current);
  return lines;
}

export function AlertBar({ alerts, width, maxLines = 3 }: AlertBarProps) {
  const max = Math.min(3, Math.max(1, Math.floor(maxLines)));
  const lines = packAlerts(alerts, width, max);
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((segs, i) => (
        <Line key={i} segments={segs} width={width} />
      ))}
    </Box>
  );
}

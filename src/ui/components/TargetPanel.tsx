/**
 * One target's panel at a chosen window and detail level. Always exactly
 * PANEL_HEIGHT[detail] rows (blank-padded when there is little to say), so the
 * layout's height arithmetic holds whatever the data.
 */
import { brokenStreams } from '../../stats/windows.js';
import { useContext } from 'react';
import { Box } from 'ink';
import type { Threshold } from '../../stats/thresholds.js';
import type { Aggregation, MetricName } from '../../stats/thresholds.js';
import { COUNTERS, type CounterEntry, type CounterFields } from '../../metrics/catalog.js';
import type { SomeWindows, TargetStats, WindowName, WindowStats } from '../../stats/windows.js';
import type { HealthName } from '../../stats/target-health.js';
import { fmtMs, fmtNum, fmtPct, fmtUsd } from '../../export/format.js';
import { PANEL_HEIGHT, type Detail } from '../core/layout.js';
import { resample, sparkline } from '../core/sparkline.js';
import type { Segment } from '../core/text.js';
import { thresholdColour, thresholdsFor } from '../core/threshold-colour.js';
import { ColorContext, Line } from './Line.js';
import { describeUsageGap } from '../../honesty/reconcile.js';

export interface TargetPanelProps {
  name: string;
  /** Null before the target has any statistics. */
  stats: TargetStats<SomeWindows> | null;
  window: WindowName;
  detail: Detail;
  width: number;
  thresholds?: readonly Threshold[];
  focused?: boolean;
  /** The target-state verdict (ok, degraded, down), as exported in relaymon_target_state. */
  state?: HealthName;
  /** Latency p95 over the window, oldest first (the chart's points); default the engine's last 120 s. */
  spark?: readonly (number | null)[];
}


const STATE_TONE: Record<HealthName, Segment['tone']> = { ok: 'ok', degraded: 'warn', down: 'bad' };

function stateSegments(state: HealthName | undefined): Segment[] {
  return state ? [{ text: `  ● ${state}`, tone: STATE_TONE[state] }] : [];
}

/** Token counts the way they are read at a glance: 950, 12.3k, 4.56M. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

type Judge = (metric: MetricName, aggregation: Aggregation, value: number | null) => Segment['tone'];

function judgeFor(name: string, thresholds: readonly Threshold[]): Judge {
  return (metric, aggregation, value) => thresholdColour(value, thresholdsFor(thresholds, metric, name, aggregation));
}

const P = (p: number): Aggregation => ({ kind: 'p', p });

/** The catalogue's counters shown in the panel's tokens line, labelled with their detail word. */
const PANEL_TOKENS = COUNTERS.filter((e): e is CounterEntry & { key: keyof CounterFields; detail: string } => e.panel === true && e.detail !== undefined && e.key !== 'requests');

/** "rate_limited 3 · timeout 1": failures by type, most frequent first. */
export function errorBreakdown(w: WindowStats): string {
  const types = Object.entries(w.errorTypes)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${n}`);
  return types.join(' · ') || 'no errors';
}

/**
 * "HTTP 429×3 503×1 · no HTTP answer ×19": the non-2xx statuses, then the
 * requests that got no HTTP answer at all (the windows' 'none' key, which is
 * not a status and must not read as one); empty when all were 2xx.
 */
export function statusBreakdown(w: WindowStats): string {
  const entries = Object.entries(w.statuses).filter(([s, n]) => n > 0 && !/^2\d\d$/.test(s));
  const statuses = entries
    .filter(([s]) => s !== 'none')
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s}×${n}`);
  const none = w.statuses['none'] ?? 0;
  const parts = [statuses.length > 0 ? `HTTP ${statuses.join(' ')}` : '', none > 0 ? `no HTTP answer ×${none}` : ''];
  return parts.filter((p) => p !== '').join(' · ');
}

function titleSegments(name: string, w: WindowStats | null, focused: boolean, state?: HealthName): Segment[] {
  const segs: Segment[] = [{ text: `${focused ? '› ' : ''}${name}`, tone: focused ? 'accent' : 'title' }, ...stateSegments(state)];
  if (w) segs.push({ text: `  ${fmtNum(w.rps, 1)} rps  ${w.requests} req`, tone: 'dim' });
  if (w && w.usageEstimated > 0) segs.push({ text: '  ~est', tone: 'warn' });
  return segs;
}

function latencySegments(w: WindowStats, judge: Judge): Segment[] {
  const l = w.latencyMs;
  return [
    { text: 'lat ', tone: 'dim' },
    { text: `p50 ${fmtMs(l.p50)}`, tone: judge('latency', P(50), l.p50) },
    { text: '  ' },
    { text: `p95 ${fmtMs(l.p95)}`, tone: judge('latency', P(95), l.p95) },
    { text: '  ' },
    { text: `p99 ${fmtMs(l.p99)}`, tone: judge('latency', P(99), l.p99) },
  ];
}

function errorSegments(w: WindowStats, judge: Judge): Segment[] {
  return [
    { text: 'err ', tone: 'dim' },
    { text: fmtPct(w.errorRate), tone: judge('errors', { kind: 'rate' }, w.requests > 0 ? w.errorRate : null) },
    { text: ` (${w.errors}/${w.requests})`, tone: 'dim' },
  ];
}

function costSegments(w: WindowStats, judge: Judge): Segment[] {
  const est = w.usageEstimated > 0 ? '~' : '';
  return [
    { text: 'cost ', tone: 'dim' },
    { text: `${est}${fmtUsd(w.costUsd)}` },
    { text: '  ' },
    { text: `${est}${fmtUsd(w.costPerHourUsd)}/h`, tone: judge('cost_per_hour', { kind: 'value' }, w.costPerHourUsd) },
    { text: '  30d ', tone: 'dim' },
    { text: `${est}${fmtUsd(w.cost30dUsd)}` },
  ];
}

/**
 * What the honesty checks found, only when they found something: billing
 * beyond tolerance with its size, another model than asked, a changed
 * fingerprint, streams that broke the protocol. Quiet when all is well.
 */
export function honestySegments(w: WindowStats): Segment[] {
  const segs: Segment[] = [];
  if (w.usageMismatches > 0) {
    const gap = w.usageGap.ratio !== null ? ` ${describeUsageGap(0, w.usageGap.ratio)}` : '';
    segs.push({ text: `  usage≠ ${w.usageMismatches}/${w.usageCompared}${gap}`, tone: 'bad' });
  }
  if (w.modelMismatches > 0) segs.push({ text: `  model≠ ${w.modelMismatches}`, tone: 'warn' });
  if (w.fingerprintChanges > 0) segs.push({ text: `  fp changed ${w.fingerprintChanges}`, tone: 'warn' });
  const broken = brokenStreams(w);
  if (broken > 0) segs.push({ text: `  stream≠ ${broken}`, tone: 'warn' });
  return segs;
}

function fullLines(p: TargetPanelProps, w: WindowStats, series: readonly (number | null)[], inner: number, judge: Judge): Segment[][] {
  const estTok = w.usageEstimated > 0 ? ` (~${w.usageEstimated} est)` : '';
  return [
    titleSegments(p.name, w, p.focused ?? false, p.state),
    latencySegments(w, judge),
    // Stretched over the whole line: the window's points, however many, span the width.
    [{ text: 'p95 ', tone: 'dim' }, { text: sparkline(resample(series, Math.max(1, inner - 4)), Math.max(1, inner - 4)), tone: 'accent' }],
    [
      { text: 'p95 ', tone: 'dim' },
      { text: `ttfb ${fmtMs(w.ttfbMs.p95)}`, tone: judge('ttfb', P(95), w.ttfbMs.p95) },
      { text: '  ' },
      { text: `ttft ${fmtMs(w.ttftMs.p95)}`, tone: judge('ttft', P(95), w.ttftMs.p95) },
      { text: '  ' },
      { text: `itl ${fmtMs(w.itlMs.p95)}`, tone: judge('itl', P(95), w.itlMs.p95) },
    ],
    [
      { text: 'tok/s ', tone: 'dim' },
      {
        text: fmtNum(w.outputTokensPerSecond.p50, 1),
        tone: judge('tokens_per_s', P(50), w.outputTokensPerSecond.p50),
      },
      { text: ' p50', tone: 'dim' },
      ...honestySegments(w),
    ],
    [...errorSegments(w, judge), { text: `  ${statusBreakdown(w)}`, tone: 'dim' }],
    [{ text: errorBreakdown(w), tone: w.errors > 0 ? 'bad' : 'dim' }],
    [
      { text: 'tokens ', tone: 'dim' },
      { text: PANEL_TOKENS.map((e) => `${e.detail} ${fmtCount(w[e.key])}`).join('  ') },
      { text: estTok, tone: 'warn' },
    ],
    costSegments(w, judge),
  ];
}

function compactLines(p: TargetPanelProps, w: WindowStats, judge: Judge): Segment[][] {
  const types = Object.entries(w.errorTypes).sort((a, b) => b[1] - a[1]);
  const top = types[0];
  return [
    titleSegments(p.name, w, p.focused ?? false, p.state),
    latencySegments(w, judge),
    [
      { text: 'ttft ', tone: 'dim' },
      { text: fmtMs(w.ttftMs.p95), tone: judge('ttft', P(95), w.ttftMs.p95) },
      { text: '  tok/s ', tone: 'dim' },
      { text: fmtNum(w.outputTokensPerSecond.p50, 1) },
    ],
    [...errorSegments(w, judge), ...(top ? [{ text: `  ${top[0]} ${top[1]}`, tone: 'bad' as const }] : [])],
    costSegments(w, judge).slice(0, 4),
  ];
}

/** Two lines without a border: the minimal line, then the other timings and the rate. */
function briefLines(p: TargetPanelProps, w: WindowStats | null, judge: Judge): Segment[][] {
  const first = minimalLine(p, w, judge);
  if (!w || w.requests === 0) return [first, []];
  return [
    first,
    [
      { text: '  lat p50 ', tone: 'dim' },
      { text: fmtMs(w.latencyMs.p50), tone: judge('latency', P(50), w.latencyMs.p50) },
      { text: ' p99 ', tone: 'dim' },
      { text: fmtMs(w.latencyMs.p99), tone: judge('latency', P(99), w.latencyMs.p99) },
      { text: '  ttft ', tone: 'dim' },
      { text: fmtMs(w.ttftMs.p95), tone: judge('ttft', P(95), w.ttftMs.p95) },
      { text: `  ${fmtNum(w.rps, 1)} rps`, tone: 'dim' },
    ],
  ];
}

function minimalLine(p: TargetPanelProps, w: WindowStats | null, judge: Judge): Segment[] {
  const head: Segment = { text: `${p.focused ? '›' : ' '}${p.name}`, tone: p.focused ? 'accent' : 'title' };
  if (!w || w.requests === 0) return [head, { text: '  waiting for data…', tone: 'dim' }];
  return [
    head,
    ...stateSegments(p.state),
    { text: '  p95 ', tone: 'dim' },
    { text: fmtMs(w.latencyMs.p95), tone: judge('latency', P(95), w.latencyMs.p95) },
    { text: '  err ', tone: 'dim' },
    { text: fmtPct(w.errorRate), tone: judge('errors', { kind: 'rate' }, w.errorRate) },
    { text: '  ', tone: 'dim' },
    { text: `${w.usageEstimated > 0 ? '~' : ''}${fmtUsd(w.costPerHourUsd)}/h` },
  ];
}

/** Inner width of a bordered panel: round border (2 columns) and one column of padding each side. */
export function panelInnerWidth(width: number): number {
  return Math.max(1, width - 4);
}

/**
 * The panel's rows as styled segments (tones carry the threshold colours),
 * without the border: one row for 'minimal', PANEL_HEIGHT − 2 otherwise.
 */
export function panelRows(props: TargetPanelProps): Segment[][] {
  const { stats, window, detail } = props;
  const judge = judgeFor(props.name, props.thresholds ?? []);
  const w = stats?.windows[window] ?? null;
  if (detail === 'minimal') return [minimalLine(props, w, judge)];
  if (detail === 'brief') return briefLines(props, w, judge);
  const height = PANEL_HEIGHT[detail] - 2;
  let lines: Segment[][];
  if (!w || w.requests === 0) {
    lines = [titleSegments(props.name, w, props.focused ?? false, props.state), [{ text: 'waiting for data…', tone: 'dim' }]];
  } else if (detail === 'full') {
    lines = fullLines(props, w, props.spark ?? stats?.series.latencyP95Ms ?? [], panelInnerWidth(props.width), judge);
  } else {
    lines = compactLines(props, w, judge);
  }
  const rows = lines.slice(0, height);
  while (rows.length < height) rows.push([]);
  return rows;
}

export function TargetPanel(props: TargetPanelProps) {
  const { detail, width } = props;
  const rows = panelRows(props);
  if (detail === 'minimal' || detail === 'brief') {
    // A column between side-by-side borderless panels keeps their text apart.
    const inner = Math.max(1, width - 1);
    return (
      <Box flexDirection="column" width={width} height={PANEL_HEIGHT[detail]}>
        {rows.map((segs, i) => (
          <Line key={i} segments={segs} width={detail === 'minimal' ? width : inner} />
        ))}
      </Box>
    );
  }
  const inner = panelInnerWidth(width);
  const color = useContext(ColorContext);
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      {...(color ? { borderColor: props.focused ? 'cyan' : 'gray' } : {})}
      paddingX={1}
      width={width}
      height={PANEL_HEIGHT[detail]}
    >
      {rows.map((segs, i) => (
        <Line key={i} segments={segs} width={inner} />
      ))}
    </Box>
  );
}

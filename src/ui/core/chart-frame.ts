/**
 * The chart as rows of styled segments, exactly `height` rows of at most
 * `width` columns: a title with the legend, the braille plot with the y axis
 * (units in its labels), the time axis with alert marks (▲ firing, ✓
 * resolved) and its tick labels (time before now). Pure, so a known series
 * gives known cells in a test.
 */
import { fmtMs, fmtNum, fmtPct, fmtUsd } from '../../export/format.js';
import type { WindowName } from '../../stats/windows.js';
import { niceMax, plotRows, type PlotLine } from './braille.js';
import { METRIC_LABEL, pointValue, type ChartMetric } from './chart-series.js';
import type { AlertMark, ChartView } from './chart-store.js';
import { padStart, type Segment, type Tone } from './text.js';

/** Title, three plot rows, the axis and its labels. */
export const CHART_MIN_HEIGHT = 6;
/** Below this the plot is too narrow to read a trend. */
export const CHART_MIN_WIDTH = 30;
/** The y labels' column ("1.20s", "12.5%", "$0.12/h") and the axis line after it. */
export const Y_LABEL_WIDTH = 7;

export interface ChartLineInput {
  label: string;
  tone: Tone;
  view: ChartView;
  pct?: 50 | 95 | 99;
}

export interface ChartInput {
  metric: ChartMetric;
  window: WindowName;
  lines: readonly ChartLineInput[];
  marks: readonly AlertMark[];
  width: number;
  height: number;
  /** Replaces the metric's label in the title (the detail view's "latency p50/p95/p99"). */
  title?: string;
}

export function formatValue(metric: ChartMetric, v: number): string {
  // The axis' bottom: a bare 0 reads the same in every unit.
  if (v === 0) return '0';
  switch (metric) {
    case 'latency':
    case 'ttft':
    case 'itl':
      return fmtMs(v);
    case 'errors':
      return fmtPct(v);
    case 'rps':
      return fmtNum(v, v >= 10 ? 0 : 1);
    case 'cost':
      return `${fmtUsd(v)}/h`;
  }
}

/** "-45s", "-5m", "-1h30": how long before the right edge. */
export function ago(seconds: number): string {
  const s = Math.round(seconds);
  if (s <= 0) return 'now';
  if (s < 120) return `-${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `-${m}m`;
  return `-${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}`;
}

/** The x of a point (its interval's middle), 0…1 over the axis. */
function xOf(idx: number, step: number, seconds: number, from: number, to: number): number {
  const mid = idx * step + Math.min(step, Math.max(1, seconds)) / 2;
  return (mid - from) / Math.max(1, to - from);
}

function tickRow(width: number, from: number, to: number): string {
  const cells = Array.from({ length: width }, () => ' ');
  const ticks = Math.max(1, Math.min(4, Math.floor(width / 12)));
  let free = 0;
  for (let i = 0; i <= ticks; i++) {
    const f = i / ticks;
    const label = ago((1 - f) * (to - from));
    const col = Math.round(f * (width - 1));
    const start = i === 0 ? 0 : i === ticks ? width - label.length : col - Math.floor(label.length / 2);
    if (start < free || start + label.length > width) continue;
    for (let k = 0; k < label.length; k++) cells[start + k] = label[k]!;
    free = start + label.length + 1;
  }
  return cells.join('');
}

export function chartRows(input: ChartInput): Segment[][] {
  const width = Math.max(1, Math.floor(input.width));
  const height = Math.max(CHART_MIN_HEIGHT, Math.floor(input.height));
  const plotW = Math.max(1, width - Y_LABEL_WIDTH - 1);
  const plotH = height - 3;
  const first = input.lines[0]?.view;
  const from = first?.from ?? 0;
  const to = first?.to ?? 1;
  const lines: PlotLine[] = input.lines.map((l) => ({
    tone: l.tone,
    points: l.view.points.map((p) => ({ x: xOf(p.idx, l.view.step, p.seconds, from, to), y: pointValue(p, input.metric, l.pct ?? 95) })),
  }));
  let top = 0;
  for (const l of lines) for (const p of l.points) if (p.y !== null && p.x >= 0 && p.y > top) top = p.y;
  const max = niceMax(top);
  const rows: Segment[][] = [];
  const title = input.title ?? METRIC_LABEL[input.metric];
  rows.push([
    { text: `${title} · ${input.window}`, tone: 'title' },
    ...input.lines.flatMap((l) => [{ text: '  ━ ', tone: l.tone }, { text: l.label }]),
    { text: '  m metric', tone: 'dim' },
  ]);
  const plot = plotRows(lines, { width: plotW, height: plotH, min: 0, max });
  // A middle label only on a row that sits exactly half way (its value is then max / 2, a round number).
  const mid = plotH >= 5 && (plotH - 1) % 2 === 0 ? (plotH - 1) / 2 : -1;
  for (let r = 0; r < plotH; r++) {
    // Rows are evenly spaced: row r sits at max·(1 − r/(plotH−1)).
    const labelled = r === 0 || r === plotH - 1 || r === mid;
    const value = max * (1 - r / (plotH - 1));
    const label = labelled ? padStart(formatValue(input.metric, value), Y_LABEL_WIDTH) : ' '.repeat(Y_LABEL_WIDTH);
    rows.push([{ text: label + (labelled ? '┤' : '│'), tone: 'dim' }, ...(plot[r] ?? [])]);
  }
  const axis: Segment[] = [{ text: ' '.repeat(Y_LABEL_WIDTH) + '└', tone: 'dim' }];
  const marks = new Map<number, AlertMark['kind']>();
  for (const m of input.marks) {
    // A mark of the second still open lies past `to` (marks are stamped with the run's elapsed time, the axis ends
    // at the last closed slot): it belongs at "now", where rounding had put it on a narrow axis only.
    const col = Math.min(plotW - 1, Math.round(((m.atSlot - from) / Math.max(1, to - from)) * (plotW - 1)));
    // A firing outranks a resolution in the same column.
    if (col >= 0 && col < plotW && marks.get(col) !== 'firing') marks.set(col, m.kind);
  }
  let run = '';
  for (let c = 0; c < plotW; c++) {
    const kind = marks.get(c);
    if (!kind) {
      run += '─';
      continue;
    }
    if (run) axis.push({ text: run, tone: 'dim' });
    run = '';
    axis.push(kind === 'firing' ? { text: '▲', tone: 'bad' } : { text: '✓', tone: 'ok' });
  }
  if (run) axis.push({ text: run, tone: 'dim' });
  rows.push(axis);
  rows.push([{ text: ' '.repeat(Y_LABEL_WIDTH + 1) + tickRow(plotW, from, to), tone: 'dim' }]);
  return rows;
}

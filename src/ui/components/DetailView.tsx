/**
 * The detail view of one target (Enter on a focused panel): every timing's
 * percentiles, a latency histogram of the recent requests in the window, one
 * row per model, and the target's recent errors. Never taller than `height`:
 * sections lower down are cut first.
 */
import { brokenStreams } from '../../stats/windows.js';
import { Box } from 'ink';
import type { RecentError } from '../../engine/messages.js';
import type { TimeStats } from '../../stats/summary.js';
import { COUNTERS, TRENDS, type CounterEntry, type CounterFields, type TrendEntry } from '../../metrics/catalog.js';
import type { SomeWindows, TargetStats, WindowName, WindowStats } from '../../stats/windows.js';
import { fmtMs, fmtNum, fmtPct, fmtUsd } from '../../export/format.js';
import { bar, logHistogram } from '../core/latency-bars.js';
import type { RecentSample } from '../core/recent.js';
import { padStart, type Segment } from '../core/text.js';
import { CHART_MIN_HEIGHT, chartRows, type ChartInput } from '../core/chart-frame.js';
import { localTime } from './EventsLine.js';
import { Line } from './Line.js';
import { describeUsageGap } from '../../honesty/reconcile.js';
import { errorBreakdown, fmtCount, statusBreakdown } from './TargetPanel.js';

export interface DetailViewProps {
  name: string;
  stats: TargetStats<SomeWindows> | null;
  window: WindowName;
  /** Recent requests of this target inside the window, oldest first. */
  samples: readonly RecentSample[];
  errors: readonly RecentError[];
  width: number;
  height: number;
  formatTime?: (epochMs: number) => string;
  /** The target's chart (p50/p95/p99 lines), drawn below the timings where it fits with the histogram. */
  chart?: Omit<ChartInput, 'width' | 'height'>;
}

/** The tallest detail chart: beyond it, rows go to the sections below. */
export const DETAIL_CHART_MAX_HEIGHT = 14;


export const HISTOGRAM_BINS = 8;
/** The histogram block the chart must leave room for: a blank, its title and its bins. */
const HISTOGRAM_ROWS = HISTOGRAM_BINS + 2;
/** Wider bars only stretch the picture: the eye reads shape, not length. */
export const MAX_BAR_WIDTH = 48;
const COL = 9;

/** The catalogue's trends with a detail label, one timing row each, in its order. */
const TIMING_ROWS = TRENDS.filter((e): e is TrendEntry & { key: TrendKey; detail: string } => e.detail !== undefined && isTrendKey(e.key));
/** The catalogue's counters with a detail label: the words of the tokens line. */
const TOKEN_WORDS = COUNTERS.filter((e): e is CounterEntry & { key: keyof CounterFields; detail: string } => e.detail !== undefined && e.key !== 'requests');

type TrendKey = { [K in keyof WindowStats]: WindowStats[K] extends TimeStats ? K : never }[keyof WindowStats];
function isTrendKey(k: string): k is TrendKey {
  return TRENDS.some((e) => e.key === k);
}

function timingRow(label: string, t: TimeStats, fmt: (v: number | null) => string = fmtMs): Segment[] {
  return [
    { text: label.padEnd(12), tone: 'dim' },
    ...[t.p50, t.p90, t.p95, t.p99, t.max].map((v) => ({ text: padStart(fmt(v), COL) })),
  ];
}

function summaryRow(w: WindowStats): Segment[] {
  const est = w.usageEstimated > 0 ? '~' : '';
  return [
    { text: `${w.requests} req  ${fmtNum(w.rps, 1)} rps  ` },
    { text: `err ${fmtPct(w.errorRate)}`, tone: w.errors > 0 ? 'bad' : 'ok' },
    // A metric the text table hides at zero (cached tokens, which most relays never report) is left out here too.
    { text: `  tokens ${TOKEN_WORDS.filter((e) => !(e.text?.hideZero === true && w[e.key] === 0)).map((e) => `${e.detail} ${fmtCount(w[e.key])}`).join(' ')}` },
    { text: `  cost ${est}${fmtUsd(w.costUsd)}  ${est}${fmtUsd(w.costPerHourUsd)}/h` },
    ...(w.unpricedRequests > 0 ? [{ text: `  ${w.unpricedRequests} unpriced`, tone: 'warn' as const }] : []),
  ];
}

function histogramRows(samples: readonly RecentSample[], width: number): Segment[][] {
  const values = samples.map((s) => s.latencyMs);
  const rows: Segment[][] = [[{ text: `latency distribution · last ${values.length} requests in the window`, tone: 'title' }]];
  const bins = logHistogram(values, HISTOGRAM_BINS);
  if (bins.length === 0) return [...rows, [{ text: '  no requests yet', tone: 'dim' }]];
  const fullest = Math.max(...bins.map((b) => b.count));
  const label = 22;
  const countWidth = 6;
  for (const b of bins) {
    rows.push([
      { text: padStart(`${fmtMs(b.from)} – ${fmtMs(b.to)}`, label - 2) + '  ', tone: 'dim' },
      { text: padStart(String(b.count), countWidth) + ' ' },
      { text: bar(b.count, fullest, Math.min(MAX_BAR_WIDTH, Math.max(1, width - label - countWidth - 1))), tone: 'accent' },
    ]);
  }
  return rows;
}

function modelRows(stats: TargetStats<SomeWindows>, window: WindowName): Segment[][] {
  const rows: Segment[][] = [[{ text: 'per model', tone: 'title' }]];
  for (const m of stats.models) {
    const w = m.windows[window];
    if (!w || w.requests === 0) continue;
    rows.push([
      { text: `${m.model}  `, tone: 'accent' },
      { text: `${w.requests} req  ` },
      { text: `err ${fmtPct(w.errorRate)}`, tone: w.errors > 0 ? 'bad' : 'none' },
      { text: `  p95 ${fmtMs(w.latencyMs.p95)}  ttft ${fmtMs(w.ttftMs.p95)}  tok/s ${fmtNum(w.outputTokensPerSecond.p50, 1)}  ${fmtUsd(w.costUsd)}` },
      ...(w.modelMismatches > 0 ? [{ text: `  model≠ ${w.modelMismatches}/${w.namedModels}`, tone: 'warn' as const }] : []),
      ...(w.usageMismatches > 0
        ? [{ text: `  usage≠ ${w.usageMismatches}/${w.usageCompared}${w.usageGap.ratio !== null ? ` ${describeUsageGap(0, w.usageGap.ratio)}` : ''}`, tone: 'bad' as const }]
        : []),
    ]);
  }
  if (rows.length === 1) rows.push([{ text: '  no requests in this window', tone: 'dim' }]);
  return rows;
}

/** The honesty checks (billing, cost, model identity, stream conformance) with what each is based on. */
export function honestyRows(w: WindowStats): Segment[][] {
  const rows: Segment[][] = [[{ text: 'honesty', tone: 'title' }]];
  const g = w.usageGap;
  if (w.usageCompared > 0) {
    rows.push([
      { text: 'billing   ', tone: 'dim' },
      { text: `${w.usageMismatches}/${w.usageCompared} beyond tolerance`, tone: w.usageMismatches > 0 ? 'bad' : 'ok' },
      { text: g.ratio !== null ? `  ${describeUsageGap(0, g.ratio)}` : '', tone: w.usageMismatches > 0 ? 'bad' : 'dim' },
      { text: `  in billed ${fmtCount(g.billedInputTokens)} / counted ${fmtCount(g.countedInputTokens)}`, tone: 'dim' },
      { text: `  out billed ${fmtCount(g.billedOutputTokens)} / counted ${fmtCount(g.countedOutputTokens)}`, tone: 'dim' },
    ]);
  } else {
    rows.push([{ text: 'billing   ', tone: 'dim' }, { text: 'nothing to reconcile yet (no reported usage on a successful answer)', tone: 'dim' }]);
  }
  // Streamed or not: an answer whose usage the relay left out is billed by a count the client cannot check.
  rows.push([
    { text: 'usage     ', tone: 'dim' },
    { text: `${w.usageMissing}/${w.requests - w.errors} answers without the relay's usage`, tone: w.usageMissing > 0 ? 'warn' : 'ok' },
    { text: w.usageMissing > 0 ? '  their tokens and cost are estimated (~)' : '', tone: 'dim' },
  ]);
  const c = w.reportedCost;
  if (c.requests > 0) {
    rows.push([
      { text: 'cost      ', tone: 'dim' },
      { text: `relay says ${fmtUsd(c.reportedUsd)}, list × multiplier ${fmtUsd(c.computedUsd)}` },
      { text: c.gapUsd !== null ? `  gap ${c.gapUsd >= 0 ? '+' : '−'}${fmtUsd(Math.abs(c.gapUsd))}` : '', tone: c.gapUsd !== null && c.gapUsd > 0 ? 'warn' : 'dim' },
      { text: `  over ${c.requests} answers`, tone: 'dim' },
    ]);
  }
  rows.push([
    { text: 'model     ', tone: 'dim' },
    { text: `${w.modelMismatches}/${w.namedModels} answered as another model`, tone: w.modelMismatches > 0 ? 'warn' : 'ok' },
    { text: `  fingerprint changes ${w.fingerprintChanges}/${w.fingerprinted}`, tone: w.fingerprintChanges > 0 ? 'warn' : 'dim' },
  ]);
  const broken = brokenStreams(w);
  rows.push([
    { text: 'streams   ', tone: 'dim' },
    { text: `${w.streams} streamed`, tone: broken > 0 ? 'warn' : 'ok' },
    {
      text: `  no usage ${w.streamsWithoutUsage} · out of order ${w.streamsOutOfOrder} · unterminated ${w.streamsUnterminated} · usage went down ${w.streamsUsageDecreased}`,
      tone: broken > 0 ? 'warn' : 'dim',
    },
  ]);
  return rows;
}

function errorRows(errors: readonly RecentError[], formatTime: (ms: number) => string): Segment[][] {
  const rows: Segment[][] = [[{ text: 'recent errors', tone: 'title' }]];
  const newestFirst = [...errors].sort((a, b) => b.time - a.time);
  for (const e of newestFirst) {
    rows.push([
      { text: `${formatTime(e.time)} `, tone: 'dim' },
      { text: `${e.model} ` },
      { text: e.errorType, tone: 'bad' },
      { text: e.httpStatus !== null ? ` ${e.httpStatus}` : '' },
      { text: e.requestId !== null ? ` ${e.requestId}` : '', tone: 'dim' },
      { text: e.message !== null ? `  ${e.message}` : '', tone: 'dim' },
    ]);
  }
  if (rows.length === 1) rows.push([{ text: '  none', tone: 'dim' }]);
  return rows;
}

/** The view's rows, already cut to `height`. */
export function detailRows(p: DetailViewProps): Segment[][] {
  const w = p.stats?.windows[p.window] ?? null;
  const rows: Segment[][] = [
    [
      { text: `${p.name}`, tone: 'accent' },
      { text: `  detail · window ${p.window}`, tone: 'title' },
      { text: '  Esc back · ↑↓ another target · w window', tone: 'dim' },
    ],
  ];
  if (!p.stats || !w || w.requests === 0) {
    rows.push([{ text: 'waiting for data…', tone: 'dim' }]);
  } else {
    rows.push(summaryRow(w));
    rows.push([{ text: errorBreakdown(w), tone: w.errors > 0 ? 'bad' : 'dim' }, { text: `  ${statusBreakdown(w)}`, tone: 'dim' }]);
    rows.push([{ text: ''.padEnd(12) }, ...['p50', 'p90', 'p95', 'p99', 'max'].map((h) => ({ text: padStart(h, COL), tone: 'dim' as const }))]);
    for (const e of TIMING_ROWS) rows.push(timingRow(e.detail, w[e.key], e.unit === 'ms' ? fmtMs : (v) => fmtNum(v, 1)));
    // Only with rows to spare: at 80×24 the view shows what it showed before the chart.
    const chartHeight = Math.min(DETAIL_CHART_MAX_HEIGHT, Math.floor(p.height) - rows.length - 1 - HISTOGRAM_ROWS);
    if (p.chart && chartHeight >= CHART_MIN_HEIGHT) {
      rows.push([]);
      rows.push(...chartRows({ ...p.chart, width: p.width, height: chartHeight }));
    }
    rows.push([]);
    rows.push(...histogramRows(p.samples, p.width));
    rows.push([]);
    rows.push(...modelRows(p.stats, p.window));
    rows.push([]);
    rows.push(...honestyRows(w));
  }
  rows.push([]);
  rows.push(...errorRows(p.errors.filter((e) => e.target === p.name), p.formatTime ?? localTime));
  return rows.slice(0, Math.max(1, Math.floor(p.height)));
}

export function DetailView(props: DetailViewProps) {
  const rows = detailRows(props);
  return (
    <Box flexDirection="column" width={props.width}>
      {rows.map((segs, i) => (
        <Line key={i} segments={segs} width={props.width} />
      ))}
    </Box>
  );
}

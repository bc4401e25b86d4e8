/**
 * The end-of-run text of check, replay and watch, k6-like: one ✓/✗ line per
 * threshold with the value that decided it, a table with the targets side by
 * side (three per block, so it fits 80 columns), totals, and why it stopped.
 * Pure: returns the text; the caller writes it.
 */
import { redact } from '../core/redact.js';
import type { StoppedBy } from '../engine/messages.js';
import { COUNTERS, type CounterEntry, type SummaryCounterFields } from '../metrics/catalog.js';
import type { Summary } from '../stats/summary.js';
import { formatValue, parseThreshold, valueUnit, type ThresholdResult } from '../stats/thresholds.js';
import { fmtMs, fmtNum, fmtPct, paint, table } from './format.js';
import type { RunSummaryJson } from './junit.js';
import { honestyLines, type TargetHonesty } from './honesty-text.js';
import { scheduleNote } from './schedule-text.js';
import { saturationNote } from './saturation-text.js';
import { usdDigits } from '../core/units.js';

export interface CheckTextOptions {
  /** Expressions relaymon added by itself; they are marked "(implied)" (results with implied: true are too). */
  defaults: string[];
  color: boolean;
  /** More on why the run stopped (e.g. the budget's figures), appended to the stop line. */
  stopNote?: string | null;
  /** Each target's billing and model counts: their findings are printed under the table, as the dashboard shows them. */
  honesty?: readonly TargetHonesty[];
}

export const TEXT_WIDTH = 80;
/** Targets per block of the table: the label column plus three targets and a total fit 80 columns. */
export const TARGETS_PER_BLOCK = 3;
const CELL_WIDTH = 13;

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function shownValue(r: ThresholdResult): string {
  if (r.value === null) return 'no data';
  try {
    const t = parseThreshold(r.expression);
    return `value=${formatValue(r.value, valueUnit(t.metric, t.aggregation))}`;
  } catch {
    return `value=${r.value}`;
  }
}

export function thresholdLine(r: ThresholdResult, isDefault: boolean, width = TEXT_WIDTH): string {
  const head = `${r.ok ? '✓' : '✗'} ${r.expression}${isDefault || r.implied ? ' (implied)' : ''}`;
  const value = shownValue(r);
  const one = `${head}  ${value}`;
  // A long expression keeps its value readable on a line of its own rather than overflowing.
  return one.length <= width ? one : `${head}\n    ${value}`;
}

type Row = [label: string, cell: (s: Summary | null) => string];

/** A short check's cost is often cents: three significant digits say more than fmtUsd's two decimals. */
export function fmtCost(usd: number): string {
  if (usd === 0) return '$0';
  return `$${usdDigits(usd, 3)}`;
}

function costCell(s: Summary, usd: number | null): string {
  if (usd === null) return 'unpriced';
  // Some requests had no price: the sum is a lower bound.
  return (s.unpricedRequests > 0 ? '≥' : '') + fmtCost(usd);
}

/** Timings are over successful requests only (stats/summary.ts); unfinished requests get a row when there are any. */
function rows(durationMs: number, errorTypes: string[], unfinished: boolean, all: readonly (Summary | null)[]): Row[] {
  const when = (f: (s: Summary) => string): ((s: Summary | null) => string) => (s) => (s === null ? '-' : f(s));
  const hours = durationMs / 3_600_000;
  // The catalogue's counters with a text label, in its order; a `hideZero` one only when some column counted any.
  const counters = COUNTERS.filter(
    (e): e is CounterEntry & { key: keyof SummaryCounterFields; text: { label: string } } =>
      e.key !== 'requests' && e.text !== undefined && (!e.text.hideZero || all.some((s) => s !== null && s[e.key as keyof SummaryCounterFields] !== 0)),
  );
  return [
    ['requests', (s) => String(s?.requests ?? 0)],
    ['errors', when((s) => `${s.errors} (${fmtPct(s.errorRate)})`)],
    ...errorTypes.map((t): Row => [`  ${t}`, when((s) => String(s.errorTypes[t] ?? 0))]),
    ...(unfinished ? [['unfinished', when((s) => String(s.unfinished))] satisfies Row] : []),
    ['latency p50', when((s) => fmtMs(s.latencyMs.p50))],
    ['latency p95', when((s) => fmtMs(s.latencyMs.p95))],
    ['latency p99', when((s) => fmtMs(s.latencyMs.p99))],
    ['ttft p50', when((s) => fmtMs(s.ttftMs.p50))],
    ['ttft p95', when((s) => fmtMs(s.ttftMs.p95))],
    ['itl p50', when((s) => fmtMs(s.itlMs.p50))],
    ['tok/s p50', when((s) => fmtNum(s.outputTokensPerSecond.p50, 1))],
    ...counters.map((e): Row => [e.text.label, when((s) => String(s[e.key]))]),
    ['cost', when((s) => costCell(s, s.costUsd))],
    ['cost/hour', when((s) => (hours > 0 ? costCell(s, s.costUsd === null ? null : s.costUsd / hours) : '-'))],
  ];
}

interface Column {
  name: string;
  summary: Summary | null;
}

function block(columns: Column[], rowDefs: Row[]): string {
  const header = ['', ...columns.map((c) => clip(c.name, CELL_WIDTH))];
  const body = rowDefs.map(([label, cell]) => [label, ...columns.map((c) => clip(cell(c.summary), CELL_WIDTH))]);
  return table(header, body);
}

const STOPS: Record<Exclude<StoppedBy, null>, string> = {
  duration: 'stopped: the duration was reached',
  requests: 'stopped: the request count was reached',
  // Not "the budget was reached": a refused request (an unpriced model, a huge max_tokens) stops a run with nothing spent.
  // Nor a promise that the spend stayed under it: an answer can cost more than its worst case (budgetStopNote says so).
  budget: 'stopped by the budget guard: a request could not be fitted in what was left of the budget',
  abortOnFail: 'stopped early: a threshold marked abortOnFail failed',
  interrupt: 'stopped: interrupted',
};

export function stopLine(stoppedBy: StoppedBy, durationMs: number, note?: string | null): string {
  const why = stoppedBy === null ? 'finished: every planned request was sent' : STOPS[stoppedBy];
  return `${why} (ran ${fmtMs(durationMs)})${note ? ` — ${note}` : ''}`;
}

/** Words longer than the line are left whole; everything else wraps at spaces. */
function wrap(text: string, width: number, indent = '  '): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  out.push(line);
  return out.join('\n');
}

/** One line per target the engine held traffic back from (its cap, a 429 back-off), then a blank line; none when it held nothing. */
export function scheduleLines(run: Pick<RunSummaryJson, 'targets'>): string[] {
  const lines = run.targets.flatMap((t) => {
    const note = t.schedule && t.maxInFlight !== undefined ? scheduleNote(t.maxInFlight, t.schedule) : null;
    return note ? [wrap(`${t.name}: ${note}`, TEXT_WIDTH)] : [];
  });
  return lines.length > 0 ? [...lines, ''] : [];
}

/** The note when relaymon itself was saturated during the run, then a blank line; none when it never was. */
export function saturationLines(run: Pick<RunSummaryJson, 'saturation' | 'durationMs'>): string[] {
  const note = run.saturation ? saturationNote(run.saturation, run.durationMs) : null;
  return note ? [wrap(note, TEXT_WIDTH), ''] : [];
}

export function checkText(run: RunSummaryJson, opts: CheckTextOptions): string {
  const defaults = new Set(opts.defaults);
  const c = opts.color;
  const out: string[] = [];
  if (run.thresholds.length === 0) out.push('thresholds: none');
  for (const r of run.thresholds) out.push(paint(c, r.ok ? 'green' : 'red', thresholdLine(r, defaults.has(r.expression))));
  out.push('');

  const targets: Column[] = run.targets.map((t) => ({ name: t.name, summary: t.summary }));
  const all = [...run.targets.map((t) => t.summary), run.summary];
  const errorTypes = [...new Set(all.flatMap((s) => (s ? Object.keys(s.errorTypes) : [])))].sort();
  // Cost per hour over the measured span: the drain of requests in flight after a stop is not traffic time.
  const rowDefs = rows(run.measuredMs ?? run.durationMs, errorTypes, all.some((s) => (s?.unfinished ?? 0) > 0), all);
  const blocks: Column[][] = [];
  for (let i = 0; i < targets.length; i += TARGETS_PER_BLOCK) blocks.push(targets.slice(i, i + TARGETS_PER_BLOCK));
  // One target's column already is the total.
  if (targets.length !== 1) {
    const total: Column = { name: 'total', summary: run.summary };
    const last = blocks.at(-1);
    if (last) last.push(total);
    else blocks.push([total]);
  }
  for (const b of blocks) out.push(block(b, rowDefs));

  const honesty = (opts.honesty ?? []).flatMap((t) => honestyLines(t.counts, t.name));
  if (honesty.length > 0) out.push(...honesty.map((l) => paint(c, 'yellow', wrap(l, TEXT_WIDTH))), '');
  const unpriced = run.summary.unpricedRequests;
  if (unpriced > 0) {
    const what = run.summary.costUsd === null ? 'no request had a price' : '"≥" sums cover the priced ones only';
    out.push(wrap(`cost: ${unpriced} request${unpriced === 1 ? '' : 's'} unpriced (no price for the model, or no usage to price); ${what}`, TEXT_WIDTH), '');
  }
  out.push(...scheduleLines(run));
  out.push(...saturationLines(run));
  out.push(wrap(stopLine(run.stoppedBy, run.durationMs, opts.stopNote), TEXT_WIDTH));
  const failed = run.thresholds.filter((r) => !r.ok).length;
  const n = run.thresholds.length;
  if (n > 0) {
    out.push(
      failed === 0
        ? paint(c, 'green', `✓ all ${n} threshold${n === 1 ? '' : 's'} passed`)
        : paint(c, 'red', `✗ ${failed} of ${n} threshold${n === 1 ? '' : 's'} failed`),
    );
  }
  return redact(out.join('\n') + '\n');
}

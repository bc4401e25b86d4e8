/**
 * The report's charts from the kept samples (samples.ts): distributions as
 * histograms over shared logarithmic bins, and time series per interval
 * (p50/p95, requests per second, error rate by type). Pure. Percentiles per
 * interval use the summaries' own quantile (src/stats/summary.ts), so an
 * interval's p95 is computed exactly as the run's.
 */
import { quantile } from '../stats/summary.js';
import type { ChartSpec } from './data.js';
import { errorTypeName, OK, UNFINISHED, type Column, type TargetSamples } from './samples.js';

/** Bins of a distribution: enough to show two modes apart, few enough to keep the file small. */
export const HISTOGRAM_BINS = 40;
/** At most this many intervals on a time chart (the dashboard's chart keeps as many). */
export const MAX_INTERVALS = 240;
const STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

type Metric = 'latency' | 'ttft' | 'itl';
const DISTRIBUTIONS: { metric: Metric; title: string }[] = [
  { metric: 'latency', title: 'Latency distribution' },
  { metric: 'ttft', title: 'Time to first token distribution' },
  { metric: 'itl', title: 'Inter-token latency distribution' },
];

function finite(c: Column): number[] {
  const out: number[] = [];
  for (const v of c.values()) if (Number.isFinite(v)) out.push(v);
  return out;
}

/** Geometric bin edges from lo to hi (both > 0). */
export function logEdges(lo: number, hi: number, bins: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: bins + 1 }, (_, i) => Math.exp(a + ((b - a) * i) / bins));
}

/** Share of each target's successful requests per bin; null for a target without any. */
export function histogram(metric: Metric, title: string, targets: readonly TargetSamples[]): ChartSpec | null {
  const values = targets.map((t) => finite(t[metric]));
  const all = values.flat();
  if (all.length === 0) return null;
  // A log axis needs positive values; sub-0.01 ms timings share the first bin.
  // A loop, not Math.min(...all): spreading a long run's samples (~125,000) as arguments overflows the stack.
  let least = Infinity;
  let most = -Infinity;
  for (const v of all) {
    if (v < least) least = v;
    if (v > most) most = v;
  }
  let lo = Math.max(0.01, least);
  let hi = Math.max(lo, most);
  if (hi / lo < 1.2) {
    lo /= 1.1;
    hi *= 1.1;
  }
  const edges = logEdges(lo, hi, HISTOGRAM_BINS);
  const logLo = Math.log(lo);
  const width = (Math.log(hi) - logLo) / HISTOGRAM_BINS;
  const centers = edges.slice(0, -1).map((e, i) => Math.sqrt(e * edges[i + 1]!));
  const series = targets.map((t, k) => {
    const vs = values[k]!;
    if (vs.length === 0) return { label: t.name, group: k, values: centers.map(() => null) };
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const v of vs) {
      const i = Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor((Math.log(Math.max(v, lo)) - logLo) / width)));
      counts[i]!++;
    }
    return { label: t.name, group: k, values: counts.map((c) => round(c / vs.length, 5)) };
  });
  return { id: `dist-${metric}`, title, x: { kind: 'log', label: 'ms (log scale)', values: centers.map((c) => round(c, 3)) }, y: { label: 'share of successful requests', unit: 'share' }, series };
}

export function distributionCharts(targets: readonly TargetSamples[]): ChartSpec[] {
  return DISTRIBUTIONS.map((d) => histogram(d.metric, d.title, targets)).filter((c): c is ChartSpec => c !== null);
}

/** The interval: the shortest of STEPS_S giving at most MAX_INTERVALS points over the span. */
export function intervalMs(spanMs: number): number {
  for (const s of STEPS_S) if (spanMs / (s * 1000) <= MAX_INTERVALS) return s * 1000;
  return Math.ceil(spanMs / MAX_INTERVALS / 1000) * 1000;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Time series over [originMs, endMs]: p50/p95 latency and TTFT, requests per second, error rate by type. */
export function timeCharts(targets: readonly TargetSamples[], originMs: number, endMs: number): ChartSpec[] {
  if (targets.every((t) => t.end.length === 0)) return [];
  const step = intervalMs(Math.max(1, endMs - originMs));
  const points = Math.max(1, Math.ceil((endMs - originMs + 1) / step));
  const x = Array.from({ length: points }, (_, i) => round((originMs + (i + 1) * step) / 1000, 3));
  const slot = (end: number): number => Math.min(points - 1, Math.max(0, Math.floor((end - originMs) / step)));
  const percentiles = (metric: 'latency' | 'ttft'): ChartSpec['series'] =>
    targets.flatMap((t, k) => {
      const buckets: number[][] = Array.from({ length: points }, () => []);
      const ends = t.end.values();
      const vs = t[metric].values();
      for (let i = 0; i < vs.length; i++) if (Number.isFinite(vs[i]!)) buckets[slot(ends[i]!)]!.push(vs[i]!);
      const sorted = buckets.map((b) => b.sort((p, q) => p - q));
      if (sorted.every((b) => b.length === 0)) return [];
      const at = (q: number): (number | null)[] => sorted.map((b) => (b.length === 0 ? null : round(quantile(b, q)!, 2)));
      return [
        { label: `${t.name} p50`, group: k, values: at(0.5) },
        { label: `${t.name} p95`, group: k, values: at(0.95), dash: true },
      ];
    });
  const charts: ChartSpec[] = [];
  const time = (label: string) => ({ kind: 'time' as const, label, values: x });
  const stepLabel = `per ${step / 1000} s interval`;
  const latency = percentiles('latency');
  if (latency.length > 0) charts.push({ id: 'time-latency', title: `Latency p50 / p95 ${stepLabel}`, x: time('time'), y: { label: 'ms', unit: 'ms' }, series: latency });
  const ttft = percentiles('ttft');
  if (ttft.length > 0) charts.push({ id: 'time-ttft', title: `TTFT p50 / p95 ${stepLabel}`, x: time('time'), y: { label: 'ms', unit: 'ms' }, series: ttft });

  const finished = targets.map((t) => {
    const n = new Array<number>(points).fill(0);
    const ends = t.end.values();
    const out = t.outcome.values();
    for (let i = 0; i < ends.length; i++) if (out[i] !== UNFINISHED) n[slot(ends[i]!)]!++;
    return n;
  });
  charts.push({
    id: 'time-rps',
    title: `Requests per second (finished, ${stepLabel})`,
    x: time('time'),
    y: { label: 'requests/s', unit: 'per_s' },
    series: targets.map((t, k) => ({ label: t.name, group: k, values: finished[k]!.map((n) => round(n / (step / 1000), 3)) })),
  });

  const total = new Array<number>(points).fill(0);
  for (const n of finished) n.forEach((v, i) => (total[i]! += v));
  const byType = new Map<number, number[]>();
  for (const t of targets) {
    const ends = t.end.values();
    const out = t.outcome.values();
    for (let i = 0; i < ends.length; i++) {
      const o = out[i]!;
      if (o === OK || o === UNFINISHED) continue;
      let row = byType.get(o);
      if (!row) byType.set(o, (row = new Array<number>(points).fill(0)));
      row[slot(ends[i]!)]!++;
    }
  }
  const types = [...byType.entries()].sort((a, b) => a[0] - b[0]);
  charts.push({
    id: 'time-errors',
    title: `Error rate by type, all targets (${stepLabel})`,
    x: time('time'),
    y: { label: 'share of finished requests', unit: 'fraction' },
    series:
      types.length === 0
        ? [{ label: 'errors', group: 0, values: total.map((n) => (n === 0 ? null : 0)) }]
        : types.map(([code, row], k) => ({ label: errorTypeName(code), group: k, values: row.map((e, i) => (total[i] === 0 ? null : round(e / total[i]!, 4))) })),
  });
  return charts;
}

/**
 * The dashboard chart's history: per target and window, at most
 * MAX_CHART_POINTS points. Pure (no clock, no I/O): the engine's per-second
 * points (Series in src/stats/series.ts) come in, chart points go out.
 *
 * Why here and not in src/stats: the engine's windows keep what thresholds
 * and alerts need, in the worker; this history exists only to be drawn, so it
 * lives in the main thread beside the frame and costs the worker nothing.
 * The worker computes each second's exact percentiles once (it has the
 * histograms); this file only keeps and merges scalars.
 *
 * 1m, 5m and 15m keep a fixed step (1, 2 and 4 s: the smallest power of two
 * that fits the span in MAX_CHART_POINTS) and drop what leaves the span.
 * `all` grows: when it would pass MAX_CHART_POINTS, neighbours are merged
 * pairwise and the step doubles, so a run of any length holds at most
 * MAX_CHART_POINTS points per target.
 *
 * Merging keeps each metric's right aggregate: requests, errors and cost are
 * summed, so the error rate, rps and $/hour of a merged point are those of
 * its whole interval. A percentile cannot be merged exactly from two
 * percentiles; a merged point keeps the larger one, which is an upper bound
 * of the interval's true percentile (more than 5% of the interval above x
 * means more than 5% of one half above x) and never hides a spike.
 */
import type { Series } from '../../stats/windows.js';

export const MAX_CHART_POINTS = 240;

export const PCT_KEYS = ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'ttftP50Ms', 'ttftP95Ms', 'ttftP99Ms', 'itlP50Ms', 'itlP95Ms', 'itlP99Ms'] as const;
export type PctKey = (typeof PCT_KEYS)[number];

/** One second of one target, as the engine reports it. */
export interface SecondSample {
  requests: number;
  errors: number;
  /** null: no priced request in the second. */
  costUsd: number | null;
  pct: Record<PctKey, number | null>;
}

/** One drawn point: `seconds` one-second slots from slot `idx × step`. */
export interface ChartPoint {
  idx: number;
  seconds: number;
  requests: number;
  errors: number;
  costUsd: number | null;
  pct: Record<PctKey, number | null>;
}

export const CHART_METRICS = ['latency', 'ttft', 'itl', 'errors', 'rps', 'cost'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];

export const METRIC_LABEL: Record<ChartMetric, string> = {
  latency: 'latency p95',
  ttft: 'TTFT p95',
  itl: 'ITL p95',
  errors: 'error rate',
  rps: 'rps',
  cost: '$/hour',
};

export function nextMetric(m: ChartMetric): ChartMetric {
  return CHART_METRICS[(CHART_METRICS.indexOf(m) + 1) % CHART_METRICS.length] ?? 'latency';
}

const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
const sumOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : a + b);

function mergeInto(into: ChartPoint, p: { seconds: number; requests: number; errors: number; costUsd: number | null; pct: Record<PctKey, number | null> }): void {
  into.seconds += p.seconds;
  into.requests += p.requests;
  into.errors += p.errors;
  into.costUsd = sumOrNull(into.costUsd, p.costUsd);
  for (const k of PCT_KEYS) into.pct[k] = maxOrNull(into.pct[k], p.pct[k]);
}

/** The value a point draws for a metric (null: nothing to draw there). */
export function pointValue(p: ChartPoint, metric: ChartMetric, pct: 50 | 95 | 99 = 95): number | null {
  switch (metric) {
    case 'latency':
    case 'ttft':
    case 'itl':
      return p.pct[`${metric}P${pct}Ms`];
    case 'errors':
      return p.requests > 0 ? p.errors / p.requests : null;
    case 'rps':
      return p.seconds > 0 ? p.requests / p.seconds : null;
    case 'cost':
      return p.costUsd !== null && p.seconds > 0 ? p.costUsd / (p.seconds / 3600) : null;
  }
}

export class BoundedSeries {
  private points: ChartPoint[] = [];

  /**
   * @param step slots per point (a power of two)
   * @param spanSlots the window's span; null for `all`, which grows instead
   */
  constructor(
    private step: number,
    private readonly spanSlots: number | null,
    private readonly maxPoints: number = MAX_CHART_POINTS,
  ) {}

  get stepSlots(): number {
    return this.step;
  }

  get length(): number {
    return this.points.length;
  }

  /** Oldest first; read-only. */
  all(): readonly ChartPoint[] {
    return this.points;
  }

  /** Adds second `slot` (slots arrive in increasing order). */
  add(slot: number, s: SecondSample): void {
    const idx = Math.floor(slot / this.step);
    const last = this.points[this.points.length - 1];
    const one = { seconds: 1, requests: s.requests, errors: s.errors, costUsd: s.costUsd, pct: s.pct };
    if (last && last.idx === idx) mergeInto(last, one);
    else this.points.push({ idx, seconds: 1, requests: s.requests, errors: s.errors, costUsd: s.costUsd, pct: { ...s.pct } });
    if (this.spanSlots === null) {
      while (this.points.length > this.maxPoints) this.halve();
    } else {
      // Points wholly older than the span go (the open slot's point stays in full).
      const oldest = slot + 1 - this.spanSlots;
      let drop = 0;
      while (drop < this.points.length && (this.points[drop]!.idx + 1) * this.step <= oldest) drop++;
      if (drop > 0) this.points.splice(0, drop);
    }
  }

  /** Neighbours merged pairwise: point idx i goes into idx ⌊i/2⌋ at twice the step. */
  private halve(): void {
    const out: ChartPoint[] = [];
    for (const p of this.points) {
      const idx = Math.floor(p.idx / 2);
      const last = out[out.length - 1];
      if (last && last.idx === idx) mergeInto(last, p);
      else out.push({ ...p, idx, pct: { ...p.pct } });
    }
    this.points = out;
    this.step *= 2;
  }
}

/** The step (slots per point) of a window's series: the smallest power of two fitting the span in MAX_CHART_POINTS. */
export function windowStep(spanSlots: number | null): number {
  if (spanSlots === null) return 1;
  let step = 1;
  while (spanSlots / step > MAX_CHART_POINTS) step *= 2;
  return step;
}

/** Reads second k (0 = oldest) of an engine Series. */
export function sampleAt(s: Series, k: number): SecondSample {
  const requests = Math.round(s.rps[k] ?? 0);
  const rate = s.errorRate[k] ?? null;
  const pct = {} as Record<PctKey, number | null>;
  for (const key of PCT_KEYS) pct[key] = s[key][k] ?? null;
  return { requests, errors: rate === null ? 0 : Math.round(rate * requests), costUsd: s.costUsd[k] ?? null, pct };
}

/**
 * The kinds of metric and, per kind, the one place its aggregations are
 * computed (grafana/k6 metrics/sink.go keeps one sink per kind whose Format
 * returns exactly what that kind supports; here too). A sink reads a
 * "source": the few numbers the kind needs, which the exact accumulator
 * (src/stats/summary.ts, every result at hand) and the live windows
 * (src/stats/bucket.ts, sparse HDR histograms) both provide. So a threshold,
 * a summary and a snapshot mean the same thing whichever store answers.
 *
 *  - trend:   distributions (avg, min, max, med, p(N)); over successful requests
 *  - ratio:   a yes/no per request (rate as a fraction, count)
 *  - counter: an amount per request (count, rate per second)
 *  - sum:     money-like totals that may be unknown (sum)
 *  - gauge:   a sum over the window's span, per hour (value)
 */

export type MetricKind = 'trend' | 'ratio' | 'counter' | 'sum' | 'gauge';
/** In the order threshold messages list metrics (catalog.ts METRIC_NAMES). */
export const METRIC_KINDS: readonly MetricKind[] = ['trend', 'ratio', 'counter', 'sum', 'gauge'];

export type AggregationKind = 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' | 'sum' | 'value';
export const AGGREGATION_KINDS: readonly AggregationKind[] = ['avg', 'min', 'max', 'med', 'rate', 'count', 'sum', 'value'];

/** `p` carries the percentile in (0, 100], as written: p(99.9) → 99.9. */
export type Aggregation = { kind: AggregationKind } | { kind: 'p'; p: number };

/** 'p' stands for p(N). */
export type AggregationName = AggregationKind | 'p';

/** The aggregations each kind supports, in the order error messages list them. */
export const KIND_AGGREGATIONS: Record<MetricKind, readonly AggregationName[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  ratio: ['rate', 'count'],
  counter: ['count', 'rate'],
  sum: ['sum'],
  gauge: ['value'],
};

/**
 * The unit a threshold value and a query answer are in, for a valid
 * metric × aggregation pair.
 */
export type ValueUnit = 'ms' | 'tokens_per_second' | 'fraction' | 'count' | 'per_second' | 'usd' | 'usd_per_hour';

/** The unit of an aggregation of a metric whose own unit is `unit` (ratio and counter answers are counts or rates). */
export function kindUnit(kind: MetricKind, unit: ValueUnit, a: Aggregation): ValueUnit {
  switch (kind) {
    case 'ratio':
      return a.kind === 'rate' ? 'fraction' : 'count';
    case 'counter':
      return a.kind === 'rate' ? 'per_second' : 'count';
    default:
      return unit;
  }
}

export function formatAggregation(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

/** Percentiles of a distribution, avg, min and max; null when nothing was recorded. */
export interface TimeStats {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
}

export const EMPTY_TIME_STATS: TimeStats = Object.freeze({ p50: null, p90: null, p95: null, p99: null, avg: null, min: null, max: null });

/** What a trend sink reads: exact count, sum, min and max, and percentiles from wherever the values are kept. */
export interface TrendSource {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Writes to out[k] the value at percentile ps[k] (ascending, in (0, 100]); called only when count > 0. */
  percentiles(ps: readonly number[], out: Float64Array): void;
}

/** What a ratio sink reads: requests that are a hit, requests that could be one, and finished requests. */
export interface RatioSource {
  hits: number;
  of: number;
  finished: number;
}

/** What a sum sink reads: the sum of the known values, how many were known. */
export interface SumSource {
  sum: number;
  known: number;
}

const SUMMARY_PERCENTILES = [50, 90, 95, 99] as const;
const pctOut = new Float64Array(SUMMARY_PERCENTILES.length);
const oneOut = new Float64Array(1);

/** The trend sink's whole format: what summaries and snapshots show. */
export function trendStats(s: TrendSource): TimeStats {
  if (s.count === 0) return EMPTY_TIME_STATS;
  s.percentiles(SUMMARY_PERCENTILES, pctOut);
  return { p50: pctOut[0]!, p90: pctOut[1]!, p95: pctOut[2]!, p99: pctOut[3]!, avg: s.sum / s.count, min: s.min, max: s.max };
}

export function trendValue(s: TrendSource, a: Aggregation): number | null {
  if (s.count === 0) return null;
  switch (a.kind) {
    case 'avg':
      return s.sum / s.count;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'med':
    case 'p':
      s.percentiles([a.kind === 'p' ? a.p : 50], oneOut);
      return oneOut[0]!;
    default:
      return null;
  }
}

/**
 * `countOver` says what makes a count "data": 'finished' (any finished
 * request, so a model-mismatch count is 0 when no answer named a model) or
 * 'of' (only requests that could be a hit: no reconciled usage is no data).
 */
export function ratioValue(s: RatioSource, a: Aggregation, countOver: 'finished' | 'of'): number | null {
  if (a.kind === 'count') return (countOver === 'finished' ? s.finished : s.of) > 0 ? s.hits : null;
  if (a.kind === 'rate') return s.of > 0 ? s.hits / s.of : null;
  return null;
}

/** A counter's count is 0 with no data; its rate is over the span, 0 with nothing counted. */
export function counterValue(total: number, a: Aggregation, spanMs: number): number | null {
  if (a.kind === 'count') return total;
  if (a.kind === 'rate') {
    if (total === 0) return 0;
    return spanMs > 0 ? total / (spanMs / 1000) : null;
  }
  return null;
}

export function sumValue(s: SumSource, a: Aggregation): number | null {
  if (a.kind !== 'sum' || s.known === 0) return null;
  return s.sum;
}

/** A gauge is its sum over the span, per `perMs` (cost per hour). */
export function gaugeValue(s: SumSource, a: Aggregation, spanMs: number, perMs: number): number | null {
  if (a.kind !== 'value' || spanMs <= 0 || s.known === 0) return null;
  return s.sum / (spanMs / perMs);
}

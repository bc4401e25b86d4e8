/**
 * The exact accumulator: statistics of a finished run (probe, check's final
 * summary, replay) computed from every raw result, and the `summary` object
 * of the machine-readable output (README.md "`probe --json`"). Rolling
 * windows answer the same questions from sparse HDR histograms
 * (bucket.ts); both feed the same sinks (src/metrics/kinds.ts), and this
 * file shares no counting code with the windows, so the randomised window
 * tests use it as their oracle.
 */
import { quantileSorted } from 'simple-statistics';
import type { RequestResult } from '../core/result.js';
import { metricValue, type Accumulator } from '../metrics/answer.js';
import { billedCost, COUNTERS, isUnfinished, metricEntry, TRENDS, type CounterEntry, type RatioEntry, type SumEntry, type SummaryCounterFields, type SummaryTrendFields, type TrendEntry } from '../metrics/catalog.js';
import { trendStats, type RatioSource, type SumSource, type TimeStats, type TrendSource } from '../metrics/kinds.js';
import { sameModel } from '../pricing/aliases.js';
import type { MetricQuery, TagFilter } from './thresholds.js';
import type { HonestyWindow, WindowStats } from './windows.js';

export { billedCost, isUnfinished } from '../metrics/catalog.js';
export { EMPTY_TIME_STATS, type TimeStats } from '../metrics/kinds.js';

/**
 * Timing fields (the catalogue's trends with `summary: true`, latencyMs …
 * outputTokensPerSecond; src/metrics/catalog.ts) are over successful
 * requests only: a failure's "latency" is how fast the relay said no, which
 * would pull every percentile down. Failures count in `errors`.
 */
export type Summary = Flat<SummaryHead & SummaryTrendFields & SummaryCounterFields>;

/** An intersection as one object type (the contract types compare field by field: test/contracts/types.test.ts). */
type Flat<T> = { [K in keyof T]: T[K] };

type SummaryHead = {
  /** Requests that finished (successes and relay errors); `unfinished` ones are not in it. */
  requests: number;
  errors: number;
  /** errors / requests; 0 when there were no requests. */
  errorRate: number;
  /** errorType → count, failed requests only. */
  errorTypes: Record<string, number>;
  /**
   * Requests relaymon itself cut short when the run stopped (the grace period
   * ran out): neither a relay error nor a timing, so in none of the fields
   * above or the timings; their tokens and cost still count (they were spent).
   */
  unfinished: number;
  /**
   * Sum of the known costs, or null when no request had one. When only some
   * requests are priced the sum covers those alone (it is a lower bound), and
   * `unpricedRequests` says how many were left out, so a partly-unpriced sum is
   * never mistaken for the whole bill.
   */
  costUsd: number | null;
  /** Requests whose costUsd is null (model without a price, or no usage to price). */
  unpricedRequests: number;
};

/**
 * Quantile of an ascending array, q in [0, 1], by linear interpolation between
 * the two closest ranks (numpy's default "linear", Hyndman & Fan type 7; what
 * simple-statistics' quantileSorted does): rank h = (n − 1)·q, result
 * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). For 1..100, p50 = 50.5, p99 = 99.01.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return quantileSorted(sorted as number[], q);
}

/** Finite values of a numeric field, ascending. */
export function sortedValues(values: Iterable<number | null>): number[] {
  const out: number[] = [];
  for (const v of values) if (v !== null && Number.isFinite(v)) out.push(v);
  return out.sort((a, b) => a - b);
}

export function mean(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  let sum = 0;
  for (const v of sorted) sum += v;
  return sum / sorted.length;
}

/** A trend over sorted values: percentiles by linear interpolation (quantile above). */
class ExactTrend implements TrendSource {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  constructor(private readonly sorted: readonly number[]) {
    this.count = sorted.length;
    this.sum = sorted.reduce((a, v) => a + v, 0);
    this.min = sorted[0] ?? Infinity;
    this.max = sorted[sorted.length - 1] ?? -Infinity;
  }

  percentiles(ps: readonly number[], out: Float64Array): void {
    ps.forEach((p, k) => (out[k] = quantile(this.sorted, p / 100) ?? NaN));
  }
}

export function timeStats(values: Iterable<number | null>): TimeStats {
  return trendStats(new ExactTrend(sortedValues(values)));
}

/** Sum of the known costs and how many were unpriced; sum is null when none was known. */
export function sumCosts(results: readonly RequestResult[]): { sum: number | null; unpriced: number } {
  let sum: number | null = null;
  let unpriced = 0;
  for (const r of results) {
    const cost = billedCost(r);
    if (cost === null) unpriced++;
    else sum = (sum ?? 0) + cost;
  }
  return { sum, unpriced };
}

/** The requests that count as requests: everything but the unfinished ones. */
export function finishedResults(results: readonly RequestResult[]): readonly RequestResult[] {
  return results.some(isUnfinished) ? results.filter((r) => !isUnfinished(r)) : results;
}

/** The requests timing statistics are over: the successful ones. */
export function timedResults(results: readonly RequestResult[]): readonly RequestResult[] {
  return results.filter((r) => r.ok);
}

/** Every result at hand: `all` of them (money, tokens), the finished ones (counters), the successful ones (timings). */
export class ExactAccumulator implements Accumulator {
  private readonly finished: readonly RequestResult[];
  private readonly timed: readonly RequestResult[];
  constructor(private readonly all: readonly RequestResult[]) {
    this.finished = finishedResults(all);
    this.timed = timedResults(this.finished);
  }

  trend(e: TrendEntry): TrendSource {
    const many = e.many;
    return new ExactTrend(sortedValues(many ? this.timed.flatMap((r) => many(r)) : this.timed.map(e.read)));
  }

  ratio(e: RatioEntry): RatioSource {
    const of = this.finished.filter(e.of);
    return { hits: of.filter(e.hit).length, of: of.length, finished: this.finished.length };
  }

  counter(e: CounterEntry): number {
    let n = 0;
    for (const r of e.scope === 'all' ? this.all : this.finished) n += e.read(r);
    return n;
  }

  sum(e: SumEntry): SumSource {
    let sum: number | null = null;
    let known = 0;
    for (const r of this.all) {
      const v = e.read(r);
      if (v === null) continue;
      known++;
      sum = (sum ?? 0) + v;
    }
    return { sum: sum ?? 0, known };
  }
}

/**
 * `model` is matched against the requested model through the alias
 * normaliser, so `{model:gpt-4o}` also selects requests sent as `openai/gpt-4o`.
 */
export function matchesTags(r: RequestResult, tags: TagFilter): boolean {
  if (tags.target !== undefined && r.target !== tags.target) return false;
  if (tags.model !== undefined && !sameModel(r.model, tags.model)) return false;
  if (tags.probe !== undefined && r.probe !== tags.probe) return false;
  return true;
}

/** Threshold answers, exactly, from the raw results of a finished run (probe, check, replay). */
export function queryFromResults(results: readonly RequestResult[], durationMs: number): MetricQuery {
  return (metric, aggregation, tags) =>
    metricValue(metricEntry(metric), aggregation, durationMs, new ExactAccumulator(results.filter((r) => matchesTags(r, tags))));
}

export function summarize(results: readonly RequestResult[]): Summary {
  const acc = new ExactAccumulator(results);
  const finished = finishedResults(results);
  const failed = finished.filter((r) => !r.ok);
  const errorTypes: Record<string, number> = {};
  for (const r of failed) {
    // errorType is always set on a failed result; 'unknown' keeps a broken record visible rather than dropped.
    const key = r.errorType ?? 'unknown';
    errorTypes[key] = (errorTypes[key] ?? 0) + 1;
  }
  const out: Record<string, unknown> = {
    requests: finished.length,
    errors: failed.length,
    errorRate: finished.length === 0 ? 0 : failed.length / finished.length,
    errorTypes,
    unfinished: results.length - finished.length,
  };
  for (const e of TRENDS) if (e.summary) out[e.key] = trendStats(acc.trend(e));
  for (const e of COUNTERS) if (e.key !== 'requests') out[e.key] = acc.counter(e);
  const cost = sumCosts(results);
  out.costUsd = cost.sum;
  out.unpricedRequests = cost.unpriced;
  return out as Summary;
}

/** The `summary` object (README.md "`probe --json`") from a window's statistics: the same keys, in the same order, as summarize. */
export function toSummary(w: WindowStats): Summary {
  const src: Record<string, unknown> = w;
  const out: Record<string, unknown> = { requests: w.requests, errors: w.errors, errorRate: w.errorRate, errorTypes: w.errorTypes, unfinished: w.unfinished };
  for (const e of TRENDS) if (e.summary) out[e.key] = src[e.key];
  for (const e of COUNTERS) if (e.key !== 'requests') out[e.key] = src[e.key];
  out.costUsd = w.costUsd;
  out.unpricedRequests = w.unpricedRequests;
  return out as Summary;
}

/**
 * The honesty counts of results, for summaries that have every result at
 * hand (every one given counts; the windows count finished ones), and the
 * oracle of the window tests: counted here with filters, not with the
 * windows' own counting (bucket.ts).
 */
export function honestyOfResults(rs: readonly RequestResult[]): HonestyWindow {
  const add = (xs: readonly RequestResult[], f: (r: RequestResult) => number): number => xs.reduce((n, r) => n + f(r), 0);
  const compared = rs.filter((r) => r.usageGapTokens !== null);
  const inputs = compared.filter((r) => r.localInputTokens !== null && r.inputTokens !== null);
  const outputs = compared.filter((r) => r.localOutputTokens !== null && r.outputTokens !== null);
  const billedIn = add(inputs, (r) => r.inputTokens ?? 0);
  const countedIn = add(inputs, (r) => r.localInputTokens ?? 0);
  const billedOut = add(outputs, (r) => r.outputTokens ?? 0);
  const countedOut = add(outputs, (r) => r.localOutputTokens ?? 0);
  const costed = rs.filter((r) => r.reportedCostUsd !== null && r.costUsd !== null);
  const reported = add(costed, (r) => r.reportedCostUsd ?? 0);
  const computed = add(costed, (r) => r.costUsd ?? 0);
  const fingerprinted = rs.filter((r) => r.systemFingerprint !== null);
  const violations = (v: string): number => rs.reduce((n, r) => n + r.streamViolations.filter((x) => x === v).length, 0);
  const counted = countedIn + countedOut;
  const has = costed.length > 0;
  return {
    usageCompared: compared.length,
    usageMismatches: compared.filter((r) => r.usageMismatch).length,
    usageGap: {
      billedInputTokens: billedIn,
      countedInputTokens: countedIn,
      billedOutputTokens: billedOut,
      countedOutputTokens: countedOut,
      ratio: counted > 0 ? (billedIn + billedOut - counted) / counted : null,
    },
    reportedCost: { requests: costed.length, reportedUsd: has ? reported : null, computedUsd: has ? computed : null, gapUsd: has ? reported - computed : null },
    fingerprinted: fingerprinted.length,
    fingerprintChanges: fingerprinted.filter((r) => r.fingerprintChanged).length,
    streams: rs.filter((r) => r.stream && r.httpStatus !== null && r.httpStatus >= 200 && r.httpStatus < 300).length,
    streamsWithoutUsage: violations('usage_missing'),
    streamsOutOfOrder: violations('out_of_order'),
    streamsUnterminated: violations('unterminated'),
    streamsUsageDecreased: violations('usage_decreased'),
  };
}

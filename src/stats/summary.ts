/**
 * The `summary` object of the machine-readable output (README.md
 * "`probe --json`"), computed exactly from the raw results of a run.
 * Rolling windows use histograms; a final summary has every sample at hand.
 */
import { quantileSorted } from 'simple-statistics';
import type { RequestResult } from '../core/result.js';

export interface TimeStats {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
}

/**
 * Timing fields (latencyMs … outputTokensPerSecond) are over successful
 * requests only: a failure's "latency" is how fast the relay said no, which
 * would pull every percentile down. Failures count in `errors`.
 */
export interface Summary {
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
  latencyMs: TimeStats;
  /** end − scheduled send: latencyMs plus the time the request waited to be sent. */
  latencyScheduledMs: TimeStats;
  ttfbMs: TimeStats;
  ttftMs: TimeStats;
  /** First visible content token − send. */
  ttftContentMs: TimeStats;
  itlMs: TimeStats;
  outputTokensPerSecond: TimeStats;
  /** Sums over the requests that have a token count. */
  inputTokens: number;
  outputTokens: number;
  /**
   * Sum of the known costs, or null when no request had one. When only some
   * requests are priced the sum covers those alone (it is a lower bound), and
   * `unpricedRequests` says how many were left out, so a partly-unpriced sum is
   * never mistaken for the whole bill.
   */
  costUsd: number | null;
  /** Requests whose costUsd is null (model without a price, or no usage to price). */
  unpricedRequests: number;
}

export const EMPTY_TIME_STATS: TimeStats = Object.freeze({
  p50: null,
  p90: null,
  p95: null,
  p99: null,
  avg: null,
  min: null,
  max: null,
});

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

export function timeStats(values: Iterable<number | null>): TimeStats {
  const s = sortedValues(values);
  if (s.length === 0) return { ...EMPTY_TIME_STATS };
  return {
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p95: quantile(s, 0.95),
    p99: quantile(s, 0.99),
    avg: mean(s),
    min: s[0] ?? null,
    max: s[s.length - 1] ?? null,
  };
}

/**
 * What a request adds to a cost total: its cost; 0 for a failure the relay
 * reported no usage for (nothing was billed, so it is not "unpriced"); null
 * when it was billed but has no price. The record's own costUsd stays null.
 */
export function billedCost(r: Pick<RequestResult, 'costUsd' | 'ok' | 'usageSource'>): number | null {
  if (r.costUsd !== null) return r.costUsd;
  return !r.ok && r.usageSource !== 'reported' ? 0 : null;
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

/**
 * A request relaymon itself cut short: `cancelled` comes only from the
 * run's own abort (src/client/execute.ts onAbortSignal: the grace period of a
 * stop ran out, or a second Ctrl-C). It says nothing about the relay: not an
 * error, not a timing. A stream the relay stalled ends as `timeout` before that.
 */
export function isUnfinished(r: Pick<RequestResult, 'errorType'>): boolean {
  return r.errorType === 'cancelled';
}

/** The requests that count as requests: everything but the unfinished ones. */
export function finishedResults(results: readonly RequestResult[]): readonly RequestResult[] {
  return results.some(isUnfinished) ? results.filter((r) => !isUnfinished(r)) : results;
}

/** The requests timing statistics are over: the successful ones. */
export function timedResults(results: readonly RequestResult[]): readonly RequestResult[] {
  return results.filter((r) => r.ok);
}

export function summarize(results: readonly RequestResult[]): Summary {
  const finished = finishedResults(results);
  const failed = finished.filter((r) => !r.ok);
  const timed = timedResults(finished);
  const errorTypes: Record<string, number> = {};
  for (const r of failed) {
    // errorType is always set on a failed result; 'unknown' keeps a broken record visible rather than dropped.
    const key = r.errorType ?? 'unknown';
    errorTypes[key] = (errorTypes[key] ?? 0) + 1;
  }
  const cost = sumCosts(results);
  let inputTokens = 0;
  let outputTokens = 0;
  for (const r of results) {
    inputTokens += r.inputTokens ?? 0;
    outputTokens += r.outputTokens ?? 0;
  }
  return {
    requests: finished.length,
    errors: failed.length,
    errorRate: finished.length === 0 ? 0 : failed.length / finished.length,
    errorTypes,
    unfinished: results.length - finished.length,
    latencyMs: timeStats(timed.map((r) => r.latencyMs)),
    latencyScheduledMs: timeStats(timed.map((r) => r.latencyScheduledMs)),
    ttfbMs: timeStats(timed.map((r) => r.ttfbMs)),
    ttftMs: timeStats(timed.map((r) => r.ttftMs)),
    ttftContentMs: timeStats(timed.map((r) => r.ttftContentMs)),
    itlMs: timeStats(timed.map((r) => r.itlMs)),
    outputTokensPerSecond: timeStats(timed.map((r) => r.outputTokensPerSecond)),
    inputTokens,
    outputTokens,
    costUsd: cost.sum,
    unpricedRequests: cost.unpriced,
  };
}

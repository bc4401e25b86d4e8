/**
 * What is read out of buckets (bucket.ts) for a snapshot: a window's
 * WindowStats (its counters, honesty fields and trends: exact statistics with
 * HDR percentiles) and the threshold accumulator; the sparkline points
 * are series.ts. Nothing here writes a bucket; the slots and windows that
 * hold them are slots.ts and windows.ts.
 */
import { ERROR_TYPES } from '../core/result.js';
import type { Accumulator } from '../metrics/answer.js';
import { COUNTERS, TRENDS, type CounterEntry, type CounterFields, type TrendFields, type RatioEntry, type SumEntry, type TrendEntry } from '../metrics/catalog.js';
import { EMPTY_TIME_STATS, type RatioSource, type SumSource, type TimeStats, type TrendSource } from '../metrics/kinds.js';
import type { SparseHistogram } from '../hdr/histogram.js';
import { percentilesOf, percentilesOfPair } from '../hdr/quantiles.js';
import { COL, COLUMN_COUNT, DIST, knownKey, NO_STATUS, UNKNOWN_ERROR, VALUE_SCALE, type Bucket, type NamedColumn } from './bucket.js';

/** What the relay billed against what relaymon counted, over the responses compared. */
export interface UsageGap {
  billedInputTokens: number;
  countedInputTokens: number;
  billedOutputTokens: number;
  countedOutputTokens: number;
  /** (billed − counted) / counted, input and output together; 0.38 is "+38% billed"; null when nothing was counted. */
  ratio: number | null;
}

/** The relay's own cost figure against relaymon's, over responses that had both. */
export interface ReportedCost {
  requests: number;
  reportedUsd: number | null;
  computedUsd: number | null;
  /** reportedUsd − computedUsd. */
  gapUsd: number | null;
}

/** The honesty fields of WindowStats. */
export type HonestyWindow = {
  /** Successful responses whose reported usage was reconciled against relaymon's own count. */
  usageCompared: number;
  /** Of those, the ones whose gap was beyond the tolerance. */
  usageMismatches: number;
  usageGap: UsageGap;
  reportedCost: ReportedCost;
  /** Responses that carried a system_fingerprint. */
  fingerprinted: number;
  /** Responses whose fingerprint differed from the previous one for the same target and model. */
  fingerprintChanges: number;
  /** Streamed requests answered with a 2xx status (the denominator of the stream counts). */
  streams: number;
  /** Finished streams without the usage that was asked for. */
  streamsWithoutUsage: number;
  streamsOutOfOrder: number;
  streamsUnterminated: number;
  streamsUsageDecreased: number;
};

type StreamCounts = Pick<HonestyWindow, 'streamsWithoutUsage' | 'streamsOutOfOrder' | 'streamsUnterminated' | 'streamsUsageDecreased'>;

/** Streams that broke the protocol in any way (each kind is counted once per stream). */
export function brokenStreams(h: StreamCounts): number {
  return h.streamsWithoutUsage + h.streamsOutOfOrder + h.streamsUnterminated + h.streamsUsageDecreased;
}

/** The honesty fields of a window, from its parts' columns. */
export function honestyWindow(parts: readonly Bucket[], sums: Float64Array = columnSums(parts)): HonestyWindow {
  const v = (k: NamedColumn): number => sums[COL[k]]!;
  const billed = v('billedInputTokens') + v('billedOutputTokens');
  const counted = v('countedInputTokens') + v('countedOutputTokens');
  const costN = v('costCompared');
  return {
    usageCompared: v('usageCompared'),
    usageMismatches: v('usageMismatches'),
    usageGap: {
      billedInputTokens: v('billedInputTokens'),
      countedInputTokens: v('countedInputTokens'),
      billedOutputTokens: v('billedOutputTokens'),
      countedOutputTokens: v('countedOutputTokens'),
      ratio: counted > 0 ? (billed - counted) / counted : null,
    },
    reportedCost: {
      requests: costN,
      reportedUsd: costN > 0 ? v('costReported') : null,
      computedUsd: costN > 0 ? v('costComputed') : null,
      gapUsd: costN > 0 ? v('costReported') - v('costComputed') : null,
    },
    fingerprinted: v('fingerprinted'),
    fingerprintChanges: v('fingerprintChanges'),
    streams: v('streams'),
    streamsWithoutUsage: v('streamsWithoutUsage'),
    streamsOutOfOrder: v('streamsOutOfOrder'),
    streamsUnterminated: v('streamsUnterminated'),
    streamsUsageDecreased: v('streamsUsageDecreased'),
  };
}

/**
 * Every column summed over `parts`, in one pass: a window's read-out takes
 * some forty columns, and summing each on its own walked the parts forty times.
 */
export function columnSums(parts: readonly Bucket[]): Float64Array {
  const sums = new Float64Array(COLUMN_COUNT);
  for (const p of parts) {
    const n = p.n;
    for (let i = 0; i < COLUMN_COUNT; i++) sums[i]! += n[i]!;
  }
  return sums;
}

/** Column `key` summed over `parts`. */
export function total(parts: readonly Bucket[], key: string): number {
  const i = COL[key];
  if (i === undefined) throw new Error(`no column ${key}`);
  let n = 0;
  for (const p of parts) n += p.n[i]!;
  return n;
}

/** Histogram value (recorded units) back to the metric's unit, inside the exact range. */
function toUnit(v: number, min: number, max: number): number {
  const x = v / VALUE_SCALE;
  return x < min ? min : x > max ? max : x;
}

/**
 * A trend over buckets: exact count, sum, min and max, and percentiles from
 * the histograms (HDR precision, clamped into the exact [min, max]). Either
 * over a list of histograms, or over two (`pair`: a window's running
 * aggregate and its open slots merged, so a snapshot costs the open slots).
 */
export class HdrTrend implements TrendSource {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly hists: SparseHistogram[] = [];
  private a: SparseHistogram | null = null;
  private b: SparseHistogram | null = null;
  private pair = false;

  /** The exact statistics of distribution d over parts; the histograms are all of theirs unless `pair` follows. */
  over(parts: readonly Bucket[], d: number): this {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.hists.length = 0;
    this.pair = false;
    for (const p of parts) {
      const x = p.dists[d]!;
      if (x.count === 0) continue;
      this.count += x.count;
      this.sum += x.sum;
      if (x.min < this.min) this.min = x.min;
      if (x.max > this.max) this.max = x.max;
      if (x.hist && x.hist.total > 0) this.hists.push(x.hist);
    }
    return this;
  }

  /** Percentiles from a + b instead of the parts' own histograms (they hold the same values). */
  withPair(a: SparseHistogram | null, b: SparseHistogram | null): this {
    this.a = a;
    this.b = b;
    this.pair = true;
    return this;
  }

  percentiles(ps: readonly number[], out: Float64Array): void {
    if (this.pair) percentilesOfPair(this.a, this.b, ps, out);
    else percentilesOf(this.hists, ps, out);
    for (let k = 0; k < ps.length; k++) out[k] = toUnit(out[k]!, this.min, this.max);
  }
}

/** Threshold answers from a window's buckets (src/metrics/answer.ts metricValue). */
export class BucketAccumulator implements Accumulator {
  private readonly t = new HdrTrend();
  constructor(private readonly parts: readonly Bucket[]) {}

  trend(e: TrendEntry): TrendSource {
    return this.t.over(this.parts, DIST[e.name]!);
  }

  ratio(e: RatioEntry): RatioSource {
    return { hits: total(this.parts, e.key), of: total(this.parts, e.ofKey), finished: total(this.parts, 'requests') };
  }

  counter(e: CounterEntry): number {
    return total(this.parts, e.key);
  }

  sum(e: SumEntry): SumSource {
    return { sum: total(this.parts, e.key), known: total(this.parts, knownKey(e)) };
  }
}

/** The p95 of one distribution over some buckets (sparklines). */
const p95Trend = new HdrTrend();
const p95Out = new Float64Array(1);
export function p95Of(parts: readonly Bucket[], d: number): number | null {
  const t = p95Trend.over(parts, d);
  if (t.count === 0) return null;
  t.percentiles([95], p95Out);
  return p95Out[0]!;
}

/** One window of one cell or roll-up; the relay-honesty counts are the HonestyWindow fields. */
// The timings (TrendFields: latencyMs, …, chunkGapMs) are the catalogue's trends, over successful requests only.
export type WindowStats = HonestyWindow &
  CounterFields &
  TrendFields & {
  requests: number;
  errors: number;
  /** errors / requests; 0 when there were no requests. */
  errorRate: number;
  /** errorType → count, failed requests only ('unknown' for a failure without a type). */
  errorTypes: Record<string, number>;
  /** Requests relaymon cut short when the run stopped: in none of requests, errors or the timings (summary.ts isUnfinished). */
  unfinished: number;
  /** HTTP status → count, every request ('none' when no HTTP answer). */
  statuses: Record<string, number>;
  /** requests / windowMs, per second (for 'all': since start). */
  rps: number;
  /** Sum of the known costs; null when no request in the window had one. */
  costUsd: number | null;
  unpricedRequests: number;
  /** costUsd over the window's span, per hour; null without a priced request. */
  costPerHourUsd: number | null;
  /** costPerHourUsd × 720. */
  cost30dUsd: number | null;
  usageReported: number;
  usageEstimated: number;
  /** Responses naming a different model than requested (aliases normalised). */
  modelMismatches: number;
  /** Responses that named a model at all (the denominator of a mismatch rate). */
  namedModels: number;
  /** Values beyond one hour (or 3.6 M tokens/s), counted at the histogram's top. */
  clampedValues: number;
  /** The span actually covered, ms. */
  windowMs: number;
};

const HOURS_PER_30D = 720;
const COUNTER_FIELDS = COUNTERS.filter((e) => e.key !== 'requests');

/** WindowStats minus what depends on the window's span (recomputed every snapshot). */
export type WindowBase = Omit<WindowStats, 'rps' | 'costPerHourUsd' | 'cost30dUsd' | 'windowMs'>;

/** The stats of no data at all. */
export function emptyBase(): WindowBase {
  return baseOf([], TRENDS.map(() => EMPTY_TIME_STATS));
}

/** The fields before the timings, then timings and counters in catalogue order, then the rest. */
export function baseOf(parts: readonly Bucket[], times: readonly TimeStats[]): WindowBase {
  const sums = columnSums(parts);
  const v = (k: string): number => sums[COL[k]!]!;
  const requests = v('requests');
  const errors = v('errors');
  const types = new Float64Array(ERROR_TYPES.length + 1);
  const statuses: Record<string, number> = {};
  for (const p of parts) {
    if (p.n[COL.errors]! > 0) for (let i = 0; i < types.length; i++) types[i]! += p.errorTypes[i]!;
    for (const [k, v] of p.statuses) {
      const key = k === NO_STATUS ? 'none' : String(k);
      statuses[key] = (statuses[key] ?? 0) + v;
    }
  }
  const errorTypes: Record<string, number> = {};
  for (let i = 0; i < types.length; i++) {
    if (types[i]! > 0) errorTypes[i === UNKNOWN_ERROR ? 'unknown' : ERROR_TYPES[i]!] = types[i]!;
  }
  const out: Record<string, unknown> = { requests, errors, errorRate: requests === 0 ? 0 : errors / requests, errorTypes, unfinished: v('unfinished'), statuses };
  TRENDS.forEach((e, m) => (out[e.key] = times[m]));
  for (const e of COUNTER_FIELDS) out[e.key] = sums[COL[e.key]!]!;
  const priced = v('costUsdKnown');
  out.costUsd = priced > 0 ? v('costUsd') : null;
  out.unpricedRequests = v('unpricedRequests');
  out.usageReported = v('usageReported');
  out.usageEstimated = v('usageEstimated');
  out.modelMismatches = v('modelMismatches');
  out.namedModels = v('namedModels');
  out.clampedValues = v('clamped');
  Object.assign(out, honestyWindow(parts, sums));
  return out as WindowBase;
}

/** The keys of WindowStats in their order; the span-dependent ones are finish()'s arguments. */
const WINDOW_KEYS = [
  'requests', 'errors', 'errorRate', 'errorTypes', 'unfinished', 'statuses', 'rps',
  ...TRENDS.map((e) => e.key),
  ...COUNTER_FIELDS.map((e) => e.key),
  'costUsd', 'unpricedRequests', 'costPerHourUsd', 'cost30dUsd', 'usageReported', 'usageEstimated', 'modelMismatches', 'namedModels', 'clampedValues', 'windowMs',
  'usageCompared', 'usageMismatches', 'usageGap', 'reportedCost', 'fingerprinted', 'fingerprintChanges',
  'streams', 'streamsWithoutUsage', 'streamsOutOfOrder', 'streamsUnterminated', 'streamsUsageDecreased',
];
const SPAN_ARGS: Record<string, string> = { rps: 'rps', costPerHourUsd: 'perHour', cost30dUsd: 'cost30d', windowMs: 'windowMs' };
type Assemble = (b: WindowBase, rps: number, perHour: number | null, cost30d: number | null, windowMs: number) => WindowStats;

/**
 * One object literal with the keys above, built from the catalogue at load
 * time: a snapshot makes one per window per roll-up, and filling a fresh
 * object key by key in a loop costs several times as much (keyed stores
 * that V8 cannot specialise). The keys are the catalogue's identifiers.
 */
const assemble: Assemble = (() => {
  for (const k of WINDOW_KEYS) if (!/^[A-Za-z]\w*$/.test(k)) throw new Error(`not an identifier: ${k}`);
  const fields = WINDOW_KEYS.map((k) => `${k}: ${SPAN_ARGS[k] ?? `b.${k}`}`).join(', ');
  return new Function('b', 'rps', 'perHour', 'cost30d', 'windowMs', `return { ${fields} };`) as Assemble;
})();

/** Adds what depends on the span. */
export function finish(b: WindowBase, windowMs: number): WindowStats {
  const perHour = b.costUsd !== null && windowMs > 0 ? b.costUsd / (windowMs / 3_600_000) : null;
  return assemble(b, windowMs > 0 ? (b.requests * 1000) / windowMs : 0, perHour, perHour === null ? null : perHour * HOURS_PER_30D, windowMs);
}

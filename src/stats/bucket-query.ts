/**
 * Answers read out of buckets (bucket.ts): a window's honesty fields, trends
 * (exact statistics with HDR percentiles), the threshold accumulator and the
 * sparklines' p95. Nothing here writes a bucket.
 */
import type { Accumulator } from '../metrics/answer.js';
import type { CounterEntry, RatioEntry, SumEntry, TrendEntry } from '../metrics/catalog.js';
import type { RatioSource, SumSource, TrendSource } from '../metrics/kinds.js';
import type { SparseHistogram } from '../hdr/histogram.js';
import { percentilesOf, percentilesOfPair } from '../hdr/quantiles.js';
import { COL, DIST, knownKey, VALUE_SCALE, type Bucket, type NamedColumn } from './bucket.js';

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
export function honestyWindow(parts: readonly Bucket[]): HonestyWindow {
  const v = (k: NamedColumn): number => total(parts, k);
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

/**
 * What one time slot (or one window's running aggregate) holds: counters and,
 * per distribution, exact count/sum/min/max plus a sparse HDR histogram.
 * Slots are filled, closed, then only ever read; aggregates are the slots
 * added together and, when a slot leaves the window, subtracted again.
 */
import { ERROR_TYPES, type RequestResult } from '../core/result.js';
import { HIGHEST_VALUE, indexOfValue, SparseHistogram } from './histogram.js';
import { billedCost, isUnfinished } from './summary.js';
import { addHonesty, countHonesty, H_COUNT, subtractHonesty } from './windows-honesty.js';

/** The distributions, in storage order; names are the WindowStats fields. */
export const DISTS = [
  'latencyMs',
  'latencyScheduledMs',
  'ttfbMs',
  'ttftMs',
  'itlMs',
  'chunkGapMs',
  'outputTokensPerSecond',
  'ttftContentMs',
] as const;
export type DistName = (typeof DISTS)[number];
export const DIST_COUNT = DISTS.length;
export const D_LATENCY = 0;
export const D_LATENCY_SCHEDULED = 1;
export const D_TTFB = 2;
export const D_TTFT = 3;
export const D_ITL = 4;
export const D_GAP = 5;
export const D_TPS = 6;
export const D_TTFT_CONTENT = 7;

/** Per distribution in `stat`: count, sum, min, max. */
export const S_COUNT = 0;
export const S_SUM = 1;
export const S_MIN = 2;
export const S_MAX = 3;
export const STAT_WIDTH = 4;

/** errorTypes slot for a failed result without an errorType (kept visible, as summary.ts does). */
export const UNKNOWN_ERROR = ERROR_TYPES.length;
/** statuses key for "no HTTP status" (connection failures). */
export const NO_STATUS = 0;

/** Recorded values are integers: ms and tokens/s both × 1000 (µs, milli-tokens/s). */
export const VALUE_SCALE = 1000;

export class Bucket {
  /** Finished requests: successes and relay errors (summary.ts Summary.requests). */
  requests = 0;
  errors = 0;
  /** Requests relaymon cut short when the run stopped (summary.ts isUnfinished). */
  unfinished = 0;
  readonly errorTypes = new Float64Array(ERROR_TYPES.length + 1);
  readonly statuses = new Map<number, number>();
  inputTokens = 0;
  outputTokens = 0;
  costSum = 0;
  priced = 0;
  unpriced = 0;
  usageReported = 0;
  usageEstimated = 0;
  modelMismatches = 0;
  namedModels = 0;
  /** Reconciliation, fingerprint and stream-conformance counters (windows-honesty.ts). */
  readonly honesty = new Float64Array(H_COUNT);
  /** Values above the histogram range, recorded at its top. */
  clamped = 0;
  /** Bit per distribution whose min/max may be out of date after a subtract. */
  staleExtremes = 0;
  readonly stat = new Float64Array(DIST_COUNT * STAT_WIDTH);
  readonly hist: (SparseHistogram | null)[] = new Array<SparseHistogram | null>(DIST_COUNT).fill(null);

  constructor() {
    for (let m = 0; m < DIST_COUNT; m++) {
      this.stat[m * STAT_WIDTH + S_MIN] = Infinity;
      this.stat[m * STAT_WIDTH + S_MAX] = -Infinity;
    }
  }

  /** Whether anything was recorded (an unfinished request alone still carries its cost). */
  get recorded(): boolean {
    return this.requests + this.unfinished > 0;
  }

  /** The counters of one result (distributions go through `value`). */
  countRequest(r: RequestResult): void {
    this.countMoney(r);
    if (isUnfinished(r)) {
      this.unfinished++;
      return;
    }
    this.requests++;
    if (!r.ok) {
      this.errors++;
      const t = r.errorType === null ? UNKNOWN_ERROR : ERROR_TYPES.indexOf(r.errorType);
      this.errorTypes[t < 0 ? UNKNOWN_ERROR : t]!++;
    }
    const status = r.httpStatus ?? NO_STATUS;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (r.usageSource === 'reported') this.usageReported++;
    else if (r.usageSource === 'estimated') this.usageEstimated++;
    if (r.responseModel !== null) {
      this.namedModels++;
      if (r.modelMismatch) this.modelMismatches++;
    }
    countHonesty(this.honesty, r);
  }

  /** Tokens and cost: spent even by a request cut short, so every request counts here. */
  private countMoney(r: RequestResult): void {
    this.inputTokens += r.inputTokens ?? 0;
    this.outputTokens += r.outputTokens ?? 0;
    const cost = billedCost(r);
    if (cost === null) this.unpriced++;
    else {
      this.priced++;
      this.costSum += cost;
    }
  }

  /**
   * Exact statistics of one value; returns the histogram index to record, or
   * -1 for a missing or non-finite value (which counts nowhere, as in summary.ts).
   */
  value(m: number, v: number | null): number {
    // v − v is 0 for every finite number and NaN for ±Infinity and NaN.
    if (v === null || v - v !== 0) return -1;
    const o = m * STAT_WIDTH;
    const s = this.stat;
    s[o + S_COUNT]!++;
    s[o + S_SUM]! += v;
    if (v < s[o + S_MIN]!) s[o + S_MIN] = v;
    if (v > s[o + S_MAX]!) s[o + S_MAX] = v;
    let x = Math.round(v * VALUE_SCALE);
    if (x < 0) x = 0;
    else if (x > HIGHEST_VALUE) {
      x = HIGHEST_VALUE;
      this.clamped++;
    }
    return indexOfValue(x);
  }

  histFor(m: number): SparseHistogram {
    let h = this.hist[m];
    if (!h) {
      h = new SparseHistogram();
      this.hist[m] = h;
    }
    return h;
  }

  add(o: Bucket): void {
    this.requests += o.requests;
    this.errors += o.errors;
    this.unfinished += o.unfinished;
    if (o.errors > 0) for (let i = 0; i < this.errorTypes.length; i++) this.errorTypes[i]! += o.errorTypes[i]!;
    for (const [k, v] of o.statuses) this.statuses.set(k, (this.statuses.get(k) ?? 0) + v);
    this.inputTokens += o.inputTokens;
    this.outputTokens += o.outputTokens;
    this.costSum += o.costSum;
    this.priced += o.priced;
    this.unpriced += o.unpriced;
    this.usageReported += o.usageReported;
    this.usageEstimated += o.usageEstimated;
    this.modelMismatches += o.modelMismatches;
    this.namedModels += o.namedModels;
    addHonesty(this.honesty, o.honesty);
    this.clamped += o.clamped;
    const s = this.stat;
    const os = o.stat;
    for (let m = 0; m < DIST_COUNT; m++) {
      const i = m * STAT_WIDTH;
      if (os[i + S_COUNT] === 0) continue;
      s[i + S_COUNT]! += os[i + S_COUNT]!;
      s[i + S_SUM]! += os[i + S_SUM]!;
      if (os[i + S_MIN]! < s[i + S_MIN]!) s[i + S_MIN] = os[i + S_MIN]!;
      if (os[i + S_MAX]! > s[i + S_MAX]!) s[i + S_MAX] = os[i + S_MAX]!;
      const oh = o.hist[m];
      if (oh && oh.size > 0) this.histFor(m).add(oh);
    }
  }

  /**
   * Takes out a bucket that was added before. Counts are exact integers and
   * sums simply go down (and back to exactly 0 when the count does); a
   * minimum or maximum cannot be "un-seen", so when the bucket held the
   * current one the distribution is marked in `staleExtremes` for
   * `recomputeExtremes` from the slots still in the window.
   */
  subtract(o: Bucket): void {
    this.requests -= o.requests;
    this.errors -= o.errors;
    this.unfinished -= o.unfinished;
    if (o.errors > 0) for (let i = 0; i < this.errorTypes.length; i++) this.errorTypes[i]! -= o.errorTypes[i]!;
    for (const [k, v] of o.statuses) {
      const left = (this.statuses.get(k) ?? 0) - v;
      if (left > 0) this.statuses.set(k, left);
      else this.statuses.delete(k);
    }
    this.inputTokens -= o.inputTokens;
    this.outputTokens -= o.outputTokens;
    this.priced -= o.priced;
    this.costSum = this.priced === 0 ? 0 : this.costSum - o.costSum;
    this.unpriced -= o.unpriced;
    this.usageReported -= o.usageReported;
    this.usageEstimated -= o.usageEstimated;
    this.modelMismatches -= o.modelMismatches;
    this.namedModels -= o.namedModels;
    subtractHonesty(this.honesty, o.honesty);
    this.clamped -= o.clamped;
    const s = this.stat;
    const os = o.stat;
    for (let m = 0; m < DIST_COUNT; m++) {
      const i = m * STAT_WIDTH;
      if (os[i + S_COUNT] === 0) continue;
      const left = s[i + S_COUNT]! - os[i + S_COUNT]!;
      s[i + S_COUNT] = left;
      if (left === 0) {
        s[i + S_SUM] = 0;
        s[i + S_MIN] = Infinity;
        s[i + S_MAX] = -Infinity;
        this.staleExtremes &= ~(1 << m);
      } else {
        s[i + S_SUM]! -= os[i + S_SUM]!;
        if (os[i + S_MIN]! <= s[i + S_MIN]! || os[i + S_MAX]! >= s[i + S_MAX]!) this.staleExtremes |= 1 << m;
      }
      const oh = o.hist[m];
      const h = this.hist[m];
      if (oh && h) {
        h.subtract(oh);
        // Empty holds nothing: an emptied window drops its histogram.
        if (h.total === 0) this.hist[m] = null;
      }
    }
  }

  /** Minima and maxima of the stale distributions, from the slots now in the window. */
  recomputeExtremes(slots: readonly Bucket[]): void {
    const s = this.stat;
    for (let m = 0; m < DIST_COUNT; m++) {
      if ((this.staleExtremes & (1 << m)) === 0) continue;
      const i = m * STAT_WIDTH;
      let min = Infinity;
      let max = -Infinity;
      for (const b of slots) {
        const bs = b.stat;
        if (bs[i + S_COUNT] === 0) continue;
        if (bs[i + S_MIN]! < min) min = bs[i + S_MIN]!;
        if (bs[i + S_MAX]! > max) max = bs[i + S_MAX]!;
      }
      s[i + S_MIN] = min;
      s[i + S_MAX] = max;
    }
    this.staleExtremes = 0;
  }

  /** Drops spare histogram capacity once the slot is closed. */
  trim(): void {
    for (const h of this.hist) h?.trim();
  }

  clone(): Bucket {
    const b = new Bucket();
    b.add(this);
    return b;
  }

  /** Approximate bytes held (typed arrays, maps, objects), for memory accounting. */
  get bytes(): number {
    let n = 200 + this.errorTypes.byteLength + this.stat.byteLength + this.honesty.byteLength + 40 * this.statuses.size;
    for (const h of this.hist) if (h) n += 100 + h.bytes;
    return n;
  }

  get histograms(): number {
    let n = 0;
    for (const h of this.hist) if (h) n++;
    return n;
  }
}

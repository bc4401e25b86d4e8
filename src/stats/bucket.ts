/**
 * What one time slot (or one window's running aggregate) holds. Its columns
 * come from the metric catalogue (src/metrics/catalog.ts): a counter per
 * counter entry, hits and candidates per ratio, sum and known/unknown counts
 * per sum, and per trend a distribution (exact count/sum/min/max plus a
 * sparse HDR histogram). Beside them, what is not a per-request metric:
 * error types, statuses, the usage source and the honesty reconciliation.
 * Columns are read by name (`COL.requests`, `DIST.ttft`), never by offset.
 *
 * Slots are filled, closed, then only ever read; aggregates are the slots
 * added together and, when a slot leaves the window, subtracted again.
 * Reading a window's answers out of its buckets is readout.ts.
 */
import { ERROR_TYPES, type RequestResult } from '../core/result.js';
import { COUNTERS, RATIOS, SUMS, TRENDS, isUnfinished, type SumEntry } from '../metrics/catalog.js';
import { HIGHEST_VALUE, indexOfValue, SparseHistogram } from '../hdr/histogram.js';

/** Recorded values are integers: ms and tokens/s both × 1000 (µs, milli-tokens/s). */
export const VALUE_SCALE = 1000;

/** Columns that are not catalogue metrics, in the order they are stored after the catalogue's. */
const FIXED_COLUMNS = [
  'unfinished',
  'usageReported',
  'usageEstimated',
  'clamped',
  'billedInputTokens',
  'countedInputTokens',
  'billedOutputTokens',
  'countedOutputTokens',
  'costCompared',
  'costReported',
  'costComputed',
  'fingerprinted',
  'fingerprintChanges',
  'streams',
  'streamsWithoutUsage',
  'streamsOutOfOrder',
  'streamsUnterminated',
  'streamsUsageDecreased',
] as const;

interface Column {
  key: string;
  /** What one result adds. */
  add: (r: RequestResult) => number;
}

/** The column counting the results that had a value for sum e. */
export const knownKey = (e: SumEntry): string => `${e.key}Known`;

/** Catalogue columns counted over every result, and over finished ones; a key is counted once however many entries name it. */
const ALL_COLUMNS: Column[] = [];
const FINISHED_COLUMNS: Column[] = [];
const seen = new Set<string>();
function column(list: Column[], key: string, add: (r: RequestResult) => number): void {
  if (seen.has(key)) return;
  seen.add(key);
  list.push({ key, add });
}
for (const e of COUNTERS) column(e.scope === 'all' ? ALL_COLUMNS : FINISHED_COLUMNS, e.key, e.read);
for (const e of RATIOS) {
  column(FINISHED_COLUMNS, e.key, (r) => (e.hit(r) ? 1 : 0));
  column(FINISHED_COLUMNS, e.ofKey, (r) => (e.of(r) ? 1 : 0));
}
const SUM_COLUMNS: { e: SumEntry; sum: string; known: string; unknown: string }[] = SUMS.map((e) => ({ e, sum: e.key, known: knownKey(e), unknown: e.unknownKey }));

const COLUMN_NAMES: string[] = [...ALL_COLUMNS, ...FINISHED_COLUMNS].map((c) => c.key);
for (const s of SUM_COLUMNS) COLUMN_NAMES.push(s.sum, s.known, s.unknown);
COLUMN_NAMES.push(...FIXED_COLUMNS);

/** Columns the window view and the sparklines read by name (checked against the catalogue below). */
export type NamedColumn = (typeof FIXED_COLUMNS)[number] | 'requests' | 'errors' | 'usageCompared' | 'usageMismatches' | 'modelMismatches' | 'namedModels' | 'costUsd' | 'unpricedRequests';

/** A column's position in `Bucket.n`, by name. */
export const COL = Object.fromEntries(COLUMN_NAMES.map((k, i) => [k, i])) as Readonly<Record<NamedColumn, number>> & Readonly<Record<string, number | undefined>>;
for (const k of ['requests', 'errors', 'usageCompared', 'usageMismatches', 'modelMismatches', 'namedModels', 'costUsd', 'unpricedRequests']) {
  if (COL[k] === undefined) throw new Error(`the catalogue has no column ${k}`);
}
const WIDTH = COLUMN_NAMES.length;
/** How many columns a bucket holds (its `n`). */
export const COLUMN_COUNT = WIDTH;
/**
 * `n[i] += add(r)` for each column, as one function with a call site per
 * column. A loop over the columns would make its one call site see every
 * catalogue reader (megamorphic: no inlining, ~25 % of ingest speed lost);
 * spelled out, each site sees one reader and V8 inlines it. Built from the
 * catalogue at load time; the text is only indices and array reads.
 */
type AddAll = (n: Float64Array, r: RequestResult) => void;
function unrolled(columns: readonly Column[]): AddAll {
  const body = columns.map((c, i) => `n[${COL[c.key]!}] += add[${i}](r);`).join('\n');
  const make = new Function('add', `return function addColumns(n, r) {\n${body}\n};`) as (add: readonly Column['add'][]) => AddAll;
  return make(columns.map((c) => c.add));
}
const addAll = unrolled(ALL_COLUMNS);
const addFinished = unrolled(FINISHED_COLUMNS);
const SUM_IX = SUM_COLUMNS.map((s) => ({ read: s.e.read, sum: COL[s.sum]!, known: COL[s.known]!, unknown: COL[s.unknown]! }));
/** Float sums set back to exactly 0 when the count they go with is: [sum, count]. */
const ZERO_WITH: [number, number][] = [
  ...SUM_IX.map((s): [number, number] => [s.sum, s.known]),
  [COL.costReported, COL.costCompared],
  [COL.costComputed, COL.costCompared],
];

/** A trend's position in `Bucket.dists`, by catalogue name. */
export const DIST: Readonly<Record<string, number | undefined>> = Object.fromEntries(TRENDS.map((e, i) => [e.name, i]));
export const DIST_COUNT = TRENDS.length;

/** errorTypes slot for a failed result without an errorType (kept visible, as summary.ts does). */
export const UNKNOWN_ERROR = ERROR_TYPES.length;
/** statuses key for "no HTTP status" (connection failures). */
export const NO_STATUS = 0;

/** One distribution: exact statistics and the histogram percentiles come from. */
export class Dist {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  hist: SparseHistogram | null = null;

  histogram(): SparseHistogram {
    return (this.hist ??= new SparseHistogram());
  }
}

export class Bucket {
  /** The columns, by COL. */
  readonly n = new Float64Array(WIDTH);
  readonly errorTypes = new Float64Array(ERROR_TYPES.length + 1);
  readonly statuses = new Map<number, number>();
  /** Bit per distribution whose min/max may be out of date after a subtract. */
  staleExtremes = 0;
  readonly dists: Dist[] = TRENDS.map(() => new Dist());

  get requests(): number {
    return this.n[COL.requests]!;
  }

  /** Whether anything was recorded (an unfinished request alone still carries its cost). */
  get recorded(): boolean {
    return this.n[COL.requests]! + this.n[COL.unfinished]! > 0;
  }

  /** The counters of one result (distributions go through `value`). */
  countRequest(r: RequestResult): void {
    const n = this.n;
    // Tokens and cost: spent even by a request cut short, so every request counts here.
    addAll(n, r);
    for (const s of SUM_IX) {
      const v = s.read(r);
      if (v === null) n[s.unknown]!++;
      else {
        n[s.known]!++;
        n[s.sum]! += v;
      }
    }
    if (isUnfinished(r)) {
      n[COL.unfinished]!++;
      return;
    }
    addFinished(n, r);
    if (!r.ok) {
      const t = r.errorType === null ? UNKNOWN_ERROR : ERROR_TYPES.indexOf(r.errorType);
      this.errorTypes[t < 0 ? UNKNOWN_ERROR : t]!++;
    }
    const status = r.httpStatus ?? NO_STATUS;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (r.usageSource === 'reported') n[COL.usageReported]!++;
    else if (r.usageSource === 'estimated') n[COL.usageEstimated]!++;
    countHonesty(n, r);
  }

  /**
   * Exact statistics of one value of distribution d; returns the histogram
   * index to record, or -1 for a missing or non-finite value (which counts
   * nowhere, as in summary.ts).
   */
  value(d: Dist, v: number | null): number {
    // v − v is 0 for every finite number and NaN for ±Infinity and NaN.
    if (v === null || v - v !== 0) return -1;
    d.count++;
    d.sum += v;
    if (v < d.min) d.min = v;
    if (v > d.max) d.max = v;
    return this.index(v);
  }

  /** The histogram index of a finite value; values above the range count at its top, in `clamped`. */
  index(v: number): number {
    let x = Math.round(v * VALUE_SCALE);
    if (x < 0) x = 0;
    else if (x > HIGHEST_VALUE) {
      x = HIGHEST_VALUE;
      this.n[COL.clamped]!++;
    }
    return indexOfValue(x);
  }

  add(o: Bucket): void {
    const n = this.n;
    const on = o.n;
    for (let i = 0; i < WIDTH; i++) n[i]! += on[i]!;
    if (on[COL.requests]! > 0) for (let i = 0; i < this.errorTypes.length; i++) this.errorTypes[i]! += o.errorTypes[i]!;
    for (const [k, v] of o.statuses) this.statuses.set(k, (this.statuses.get(k) ?? 0) + v);
    for (let m = 0; m < DIST_COUNT; m++) {
      const od = o.dists[m]!;
      if (od.count === 0) continue;
      const d = this.dists[m]!;
      d.count += od.count;
      d.sum += od.sum;
      if (od.min < d.min) d.min = od.min;
      if (od.max > d.max) d.max = od.max;
      if (od.hist && od.hist.size > 0) d.histogram().add(od.hist);
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
    const n = this.n;
    const on = o.n;
    for (let i = 0; i < WIDTH; i++) n[i]! -= on[i]!;
    for (const [s, c] of ZERO_WITH) if (n[c] === 0) n[s] = 0;
    if (on[COL.requests]! > 0) for (let i = 0; i < this.errorTypes.length; i++) this.errorTypes[i]! -= o.errorTypes[i]!;
    for (const [k, v] of o.statuses) {
      const left = (this.statuses.get(k) ?? 0) - v;
      if (left > 0) this.statuses.set(k, left);
      else this.statuses.delete(k);
    }
    for (let m = 0; m < DIST_COUNT; m++) {
      const od = o.dists[m]!;
      if (od.count === 0) continue;
      const d = this.dists[m]!;
      d.count -= od.count;
      if (d.count === 0) {
        d.sum = 0;
        d.min = Infinity;
        d.max = -Infinity;
        this.staleExtremes &= ~(1 << m);
      } else {
        d.sum -= od.sum;
        if (od.min <= d.min || od.max >= d.max) this.staleExtremes |= 1 << m;
      }
      if (od.hist && d.hist) {
        d.hist.subtract(od.hist);
        // Empty holds nothing: an emptied window drops its histogram.
        if (d.hist.total === 0) d.hist = null;
      }
    }
  }

  /** Minima and maxima of the stale distributions, from the slots now in the window. */
  recomputeExtremes(slots: readonly Bucket[]): void {
    for (let m = 0; m < DIST_COUNT; m++) {
      if ((this.staleExtremes & (1 << m)) === 0) continue;
      let min = Infinity;
      let max = -Infinity;
      for (const b of slots) {
        const bd = b.dists[m]!;
        if (bd.count === 0) continue;
        if (bd.min < min) min = bd.min;
        if (bd.max > max) max = bd.max;
      }
      this.dists[m]!.min = min;
      this.dists[m]!.max = max;
    }
    this.staleExtremes = 0;
  }

  /** Drops spare histogram capacity once the slot is closed. */
  trim(): void {
    for (const d of this.dists) d.hist?.trim();
  }

  clone(): Bucket {
    const b = new Bucket();
    b.add(this);
    return b;
  }

  /** Approximate bytes held (typed arrays, maps, objects), for memory accounting. */
  get bytes(): number {
    let n = 200 + this.errorTypes.byteLength + this.n.byteLength + 48 * DIST_COUNT + 40 * this.statuses.size;
    for (const d of this.dists) if (d.hist) n += 100 + d.hist.bytes;
    return n;
  }

  get histograms(): number {
    let n = 0;
    for (const d of this.dists) if (d.hist) n++;
    return n;
  }
}

/** Reconciliation, fingerprint and stream-conformance counts of one finished result. */
function countHonesty(n: Float64Array, r: RequestResult): void {
  if (r.usageGapTokens !== null) {
    if (r.localInputTokens !== null && r.inputTokens !== null) {
      n[COL.billedInputTokens]! += r.inputTokens;
      n[COL.countedInputTokens]! += r.localInputTokens;
    }
    if (r.localOutputTokens !== null && r.outputTokens !== null) {
      n[COL.billedOutputTokens]! += r.outputTokens;
      n[COL.countedOutputTokens]! += r.localOutputTokens;
    }
  }
  if (r.reportedCostUsd !== null && r.costUsd !== null) {
    n[COL.costCompared]!++;
    n[COL.costReported]! += r.reportedCostUsd;
    n[COL.costComputed]! += r.costUsd;
  }
  if (r.systemFingerprint !== null) {
    n[COL.fingerprinted]!++;
    if (r.fingerprintChanged) n[COL.fingerprintChanges]!++;
  }
  if (r.stream && r.httpStatus !== null && r.httpStatus >= 200 && r.httpStatus < 300) n[COL.streams]!++;
  for (const v of r.streamViolations) {
    if (v === 'usage_missing') n[COL.streamsWithoutUsage]!++;
    else if (v === 'out_of_order') n[COL.streamsOutOfOrder]!++;
    else if (v === 'unterminated') n[COL.streamsUnterminated]!++;
    else n[COL.streamsUsageDecreased]!++;
  }
}

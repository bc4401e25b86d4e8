/**
 * HDR histograms for the rolling windows, stored sparsely.
 *
 * The bucket layout is hdr-histogram-js's own (lowest discernible value 1,
 * highest 3.6e9, 3 significant digits: 23,552 counts, value error ≤ 1/1024),
 * read from a library instance at load time, and percentiles follow the
 * library's getValueAtPercentile rule, so results are identical to a
 * hdr-histogram-js histogram fed the same values (the tests check this).
 *
 * Why not store hdr-histogram-js PackedHistograms directly: measured on Node 20
 * (3.0.1, plain JS, packed), a record costs ~1.6 µs, add/subtract ~15 ms and a
 * p99 ~16 ms, because every one of them walks all 23,552 virtual slots through
 * the packed tree. The windows do thousands of merges and percentiles per
 * second. Here a histogram is just its non-empty slots, sorted: (index, count)
 * pairs, 10 bytes each; merges and walks cost the number of non-empty slots.
 *
 * Recording in batches is in batch.ts (addIndexBatch); percentiles of several
 * histograms without building their sum in quantiles.ts (percentilesOf,
 * percentilesOfPair).
 */
// The pure-JS class alone, by the deep path the package's README gives ("Tree Shaking"): its
// index also loads the WebAssembly build (@assemblyscript/loader, base64-js, pako), about 50 ms
// of CPU and 16 MB in every thread that loads this file. test/unit/hdr/hdr-imports.test.ts checks
// that none of those is loaded.
import { createRequire } from 'node:module';

/** The parts of the library's JsHistogram read here. */
interface LayoutSource {
  unitMagnitude: number;
  subBucketHalfCountMagnitude: number;
  countsArrayLength: number;
  destroy(): void;
}
// require(), not import: an ES import of this CommonJS file gives its exports object under Node and
// the class under vitest's loader; require gives the same object everywhere.
const { default: Int32Histogram } = createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js') as {
  default: new (lowestDiscernibleValue: number, highestTrackableValue: number, numberOfSignificantValueDigits: number) => LayoutSource;
};

/** Values are integers: microseconds for durations, thousandths for tokens/s. */
export const HIGHEST_VALUE = 3_600_000_000;

// The same layout hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue, 3 digits }) makes:
// the layout depends on those three numbers only, not on the counts' storage.
const template = new Int32Histogram(1, HIGHEST_VALUE, 3);
if (template.unitMagnitude !== 0 || template.countsArrayLength >= 65536) {
  // The index arithmetic below assumes unit magnitude 0 and 16-bit indices.
  throw new Error('hdr-histogram-js bucket layout is not the one relaymon was built for');
}
const SUB_HALF_MAGNITUDE = template.subBucketHalfCountMagnitude;
const SUB_HALF_COUNT = 1 << SUB_HALF_MAGNITUDE;
export const COUNTS_LENGTH = template.countsArrayLength;
template.destroy();

/** Counts-array index of an integer value in [0, HIGHEST_VALUE] (hdr-histogram-js countsArrayIndex). */
export function indexOfValue(v: number): number {
  const bucket = Math.max(0, 31 - Math.clz32(v) - SUB_HALF_MAGNITUDE);
  // v < 2^32, so the unsigned shift is exact.
  return (bucket << SUB_HALF_MAGNITUDE) + (v >>> bucket);
}

/** Lowest value that lands in counts index i. */
export function lowestValueAt(i: number): number {
  let bucket = (i >> SUB_HALF_MAGNITUDE) - 1;
  let sub = (i & (SUB_HALF_COUNT - 1)) + SUB_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** Highest value that lands in counts index i: what a percentile reports, as in HdrHistogram. */
export function highestValueAt(i: number): number {
  const bucket = Math.max(0, (i >> SUB_HALF_MAGNITUDE) - 1);
  return lowestValueAt(i) + 2 ** bucket - 1;
}

/**
 * How many of `total` recorded values lie at or below percentile p, by
 * hdr-histogram-js's rule (round up, forgiving one ulp of float error, at least 1).
 */
export function rankAt(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(Math.ceil(fp - ulp), 1);
}

/** Non-empty slots in ascending index order. Mutated only by its owner. */
export class SparseHistogram {
  idx: Uint16Array;
  cnt: Float64Array;
  size = 0;
  total = 0;
  /** Running counts (cum[i] = cnt[0] + … + cnt[i]), kept only for histograms that are read often. */
  private cum: Float64Array | null = null;
  private cumValid = false;

  constructor(capacity = 8) {
    this.idx = new Uint16Array(capacity);
    this.cnt = new Float64Array(capacity);
  }

  private ensure(capacity: number): void {
    if (capacity <= this.idx.length) return;
    const grown = this.idx.length < 1024 ? this.idx.length * 2 : Math.ceil(this.idx.length * 1.25);
    const cap = Math.min(COUNTS_LENGTH, Math.max(capacity, grown));
    const idx = new Uint16Array(cap);
    const cnt = new Float64Array(cap);
    idx.set(this.idx.subarray(0, this.size));
    cnt.set(this.cnt.subarray(0, this.size));
    this.idx = idx;
    this.cnt = cnt;
  }

  /** First position in [lo, hi) whose index is ≥ x. */
  private lowerBound(x: number, lo: number, hi: number): number {
    const idx = this.idx;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds n sorted, distinct (index, count) runs, in place. */
  addRuns(oIdx: Uint16Array, oCnt: Float64Array, n: number, total: number): void {
    if (n === 0) return;
    this.cumValid = false;
    // A few runs into many (a slot into a window): binary search and move the
    // stretches between insertion points with memmove, instead of stepping
    // through every entry above the lowest insertion.
    if (n * 64 < this.size) this.addFew(oIdx, oCnt, n);
    else this.mergeAll(oIdx, oCnt, n);
    this.total += total;
  }

  private addFew(oIdx: Uint16Array, oCnt: Float64Array, n: number): void {
    let fresh = 0;
    for (let j = 0, lo = 0; j < n; j++) {
      lo = this.lowerBound(oIdx[j]!, lo, this.size);
      if (lo >= this.size || this.idx[lo] !== oIdx[j]) fresh++;
    }
    this.ensure(this.size + fresh);
    const idx = this.idx;
    const cnt = this.cnt;
    let i = this.size; // entries [0, i) not yet moved
    let k = this.size + fresh; // the merged tail starts at k
    for (let j = n - 1; j >= 0; j--) {
      const x = oIdx[j]!;
      const p = this.lowerBound(x, 0, i);
      const hit = p < i && idx[p] === x;
      const from = hit ? p + 1 : p;
      const len = i - from;
      if (len > 0 && k - len !== from) {
        idx.copyWithin(k - len, from, i);
        cnt.copyWithin(k - len, from, i);
      }
      k -= len + 1;
      cnt[k] = hit ? cnt[p]! + oCnt[j]! : oCnt[j]!;
      idx[k] = x;
      i = p;
    }
    this.size += fresh;
  }

  /** Merges from the back, in place. */
  private mergeAll(oIdx: Uint16Array, oCnt: Float64Array, n: number): void {
    this.ensure(this.size + n);
    const idx = this.idx;
    const cnt = this.cnt;
    let i = this.size - 1;
    let j = n - 1;
    let k = this.size + n - 1;
    while (j >= 0) {
      const oi = oIdx[j]!;
      if (i >= 0 && idx[i]! > oi) {
        idx[k] = idx[i]!;
        cnt[k] = cnt[i]!;
        i--;
      } else if (i >= 0 && idx[i] === oi) {
        idx[k] = oi;
        cnt[k] = cnt[i]! + oCnt[j]!;
        i--;
        j--;
      } else {
        idx[k] = oi;
        cnt[k] = oCnt[j]!;
        j--;
      }
      k--;
    }
    // Coinciding indices leave a gap between the untouched head [0, i] and the merged tail.
    const gap = k - i;
    if (gap > 0) {
      idx.copyWithin(i + 1, k + 1, this.size + n);
      cnt.copyWithin(i + 1, k + 1, this.size + n);
    }
    this.size = this.size + n - gap;
  }

  add(other: SparseHistogram): void {
    this.addRuns(other.idx, other.cnt, other.size, other.total);
  }

  /** Removes a histogram that was added before; every one of its slots must be here. */
  subtract(other: SparseHistogram): void {
    this.cumValid = false;
    const idx = this.idx;
    const cnt = this.cnt;
    const size = this.size;
    const few = other.size * 64 < size;
    let w = 0; // entries [0, w) are final
    let i = 0; // entries [i, size) are not yet moved
    let from = 0; // where the next search starts
    for (let j = 0; j < other.size; j++) {
      const x = other.idx[j]!;
      const p = few ? this.lowerBound(x, from, size) : scan(idx, x, from, size);
      if (p >= size || idx[p] !== x) throw new Error('histogram subtract: a slot to remove is not present');
      from = p + 1;
      const c = cnt[p]! - other.cnt[j]!;
      if (c > 0) {
        cnt[p] = c;
        continue;
      }
      if (c < 0) throw new Error(`histogram subtract: slot ${x} would go negative`);
      if (w !== i && p > i) {
        idx.copyWithin(w, i, p);
        cnt.copyWithin(w, i, p);
      }
      w += p - i;
      i = p + 1;
    }
    if (w !== i && i < size) {
      idx.copyWithin(w, i, size);
      cnt.copyWithin(w, i, size);
    }
    this.size = w + size - i;
    this.total -= other.total;
    // Shrink only well below capacity, so a window that breathes does not reallocate every slot.
    if (this.idx.length > 256 && this.size < this.idx.length / 8) this.shrink(this.size * 2);
  }

  /** Running counts, computed when the histogram changed since the last call. */
  prefix(): Float64Array {
    let cum = this.cum;
    if (cum && this.cumValid) return cum;
    if (!cum || cum.length < this.size || cum.length > 2 * this.size + 64) {
      cum = this.cum = new Float64Array(Math.ceil(this.size * 1.25) + 16);
    }
    let c = 0;
    for (let i = 0; i < this.size; i++) cum[i] = c += this.cnt[i]!;
    this.cumValid = true;
    return cum;
  }

  /** Empties the histogram, keeping its buffers (for scratch use). */
  clear(): void {
    this.size = 0;
    this.total = 0;
    this.cumValid = false;
  }

  /** Drops spare capacity (for slots that will not change again) when it is worth a reallocation. */
  trim(): void {
    this.cum = null;
    this.cumValid = false;
    const spare = this.idx.length - this.size;
    if (spare > 16 && spare * 4 > this.size) this.shrink(this.size);
  }

  private shrink(capacity: number): void {
    this.idx = this.idx.slice(0, Math.max(capacity, this.size));
    this.cnt = this.cnt.slice(0, Math.max(capacity, this.size));
  }

  clone(): SparseHistogram {
    const h = new SparseHistogram(0);
    h.idx = this.idx.slice(0, this.size);
    h.cnt = this.cnt.slice(0, this.size);
    h.size = this.size;
    h.total = this.total;
    return h;
  }

  /** Bytes held by the typed arrays (the object itself is ~100 more). */
  get bytes(): number {
    return this.idx.byteLength + this.cnt.byteLength + (this.cum?.byteLength ?? 0);
  }
}

function scan(idx: Uint16Array, x: number, from: number, to: number): number {
  let p = from;
  while (p < to && idx[p]! < x) p++;
  return p;
}

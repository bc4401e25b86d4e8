/**
 * Percentiles of the sum of several sparse histograms, without building the
 * sum: one part is walked directly; several are scattered into one shared
 * dense scratch with per-block totals, so a lookup skips empty stretches 64
 * slots at a time, and the scratch is zeroed again by the same scatter.
 */
import { COUNTS_LENGTH, highestValueAt, rankAt, type SparseHistogram } from './histogram.js';

const BLOCK_SHIFT = 6;
let dense: Float64Array | null = null;
let blocks: Float64Array | null = null;

/**
 * Writes to out[k] the value at percentile ps[k] (ascending, in (0, 100]) of
 * the union of parts, in recorded units, as hdr-histogram-js reports it (the
 * highest value equivalent to the slot). NaN when the parts are empty.
 */
export function percentilesOf(parts: readonly SparseHistogram[], ps: readonly number[], out: Float64Array): void {
  let total = 0;
  let nonEmpty = 0;
  let only: SparseHistogram | null = null;
  for (const h of parts) {
    if (h.total > 0) {
      total += h.total;
      nonEmpty++;
      only = h;
    }
  }
  if (total === 0 || only === null) {
    out.fill(NaN, 0, ps.length);
    return;
  }
  if (nonEmpty === 1) walkOne(only, ps, out);
  else walkMany(parts, total, ps, out);
}

function walkOne(h: SparseHistogram, ps: readonly number[], out: Float64Array): void {
  let k = 0;
  let rank = rankAt(ps[0]!, h.total);
  let cum = 0;
  for (let i = 0; i < h.size && k < ps.length; i++) {
    cum += h.cnt[i]!;
    while (k < ps.length && cum >= rank) {
      out[k++] = highestValueAt(h.idx[i]!);
      if (k < ps.length) rank = rankAt(ps[k]!, h.total);
    }
  }
}

function walkMany(parts: readonly SparseHistogram[], total: number, ps: readonly number[], out: Float64Array): void {
  dense ??= new Float64Array(COUNTS_LENGTH);
  blocks ??= new Float64Array((COUNTS_LENGTH >> BLOCK_SHIFT) + 1);
  const d = dense;
  const b = blocks;
  let minB = b.length;
  let maxB = 0;
  for (const h of parts) {
    const n = h.size;
    if (n === 0) continue;
    const idx = h.idx;
    const cnt = h.cnt;
    for (let j = 0; j < n; j++) {
      const i = idx[j]!;
      const c = cnt[j]!;
      d[i]! += c;
      b[i >> BLOCK_SHIFT]! += c;
    }
    minB = Math.min(minB, idx[0]! >> BLOCK_SHIFT);
    maxB = Math.max(maxB, idx[n - 1]! >> BLOCK_SHIFT);
  }
  let block = minB;
  let cum = 0;
  for (let k = 0; k < ps.length; k++) {
    const rank = rankAt(ps[k]!, total);
    while (block < maxB && cum + b[block]! < rank) cum += b[block++]!;
    let i = block << BLOCK_SHIFT;
    let c = cum + d[i]!;
    while (c < rank && i < COUNTS_LENGTH - 1) c += d[++i]!;
    out[k] = highestValueAt(i);
  }
  for (const h of parts) {
    const idx = h.idx;
    for (let j = 0; j < h.size; j++) d[idx[j]!] = 0;
  }
  b.fill(0, minB, maxB + 1);
}

/**
 * Percentiles of a + b, where a is large and changes seldom (a window's
 * running aggregate) and b is small (the open slots), without walking a:
 * both keep running counts, and each rank is found by binary searches,
 * O(log|b| · log|a|). Same answers as percentilesOf([a, b]).
 */
export function percentilesOfPair(
  a: SparseHistogram | null,
  b: SparseHistogram | null,
  ps: readonly number[],
  out: Float64Array,
): void {
  const total = (a?.total ?? 0) + (b?.total ?? 0);
  if (total === 0) {
    out.fill(NaN, 0, ps.length);
    return;
  }
  const na = a && a.total > 0 ? a.size : 0;
  const nb = b && b.total > 0 ? b.size : 0;
  const ai = na > 0 ? a!.idx : EMPTY_IDX;
  const ac = na > 0 ? a!.prefix() : EMPTY_CUM;
  const bi = nb > 0 ? b!.idx : EMPTY_IDX;
  const bc = nb > 0 ? b!.prefix() : EMPTY_CUM;
  // Ranks rise with ps, so the search in b starts where the previous one ended.
  let lo = 0;
  for (let k = 0; k < ps.length; k++) {
    const r = rankAt(ps[k]!, total);
    // The first b slot at which the union reaches rank r…
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = bi[mid]!;
      // count in a at indices ≤ v
      let x = 0;
      let y = na;
      while (x < y) {
        const m = (x + y) >>> 1;
        if (ai[m]! <= v) x = m + 1;
        else y = m;
      }
      if ((x > 0 ? ac[x - 1]! : 0) + bc[mid]! >= r) hi = mid;
      else lo = mid + 1;
    }
    // …unless an a slot before it already does.
    const need = r - (lo > 0 ? bc[lo - 1]! : 0);
    let p = 0;
    let q = na;
    while (p < q) {
      const mid = (p + q) >>> 1;
      if (ac[mid]! < need) p = mid + 1;
      else q = mid;
    }
    const ix = p < na && (lo === nb || ai[p]! < bi[lo]!) ? ai[p]! : bi[lo]!;
    out[k] = highestValueAt(ix);
  }
}

const EMPTY_IDX = new Uint16Array(0);
const EMPTY_CUM = new Float64Array(0);

/**
 * Exact statistics over a window's buckets, and histogram values back in the
 * metric's unit.
 */
import { percentilesOf } from './histogram-quantiles.js';
import type { SparseHistogram } from './histogram.js';
import { type Bucket, S_COUNT, S_MAX, S_MIN, S_SUM, STAT_WIDTH, VALUE_SCALE } from './windows-bucket.js';

export interface Exact {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function exactOf(parts: readonly Bucket[], m: number): Exact {
  const o = m * STAT_WIDTH;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of parts) {
    const s = p.stat;
    if (s[o + S_COUNT] === 0) continue;
    count += s[o + S_COUNT]!;
    sum += s[o + S_SUM]!;
    if (s[o + S_MIN]! < min) min = s[o + S_MIN]!;
    if (s[o + S_MAX]! > max) max = s[o + S_MAX]!;
  }
  return { count, sum, min, max };
}

export function histsOf(parts: readonly Bucket[], m: number): SparseHistogram[] {
  hists.length = 0;
  for (const p of parts) {
    const h = p.hist[m];
    if (h && h.total > 0) hists.push(h);
  }
  return hists;
}

/** Histogram value (recorded units) back to the metric's unit, inside the exact range. */
export function toUnit(v: number, e: Exact): number {
  const x = v / VALUE_SCALE;
  return x < e.min ? e.min : x > e.max ? e.max : x;
}

const pctOut = new Float64Array(1);
const hists: SparseHistogram[] = [];

/** The p95 of one distribution over some buckets (sparklines). */
export function p95Of(parts: readonly Bucket[], m: number): number | null {
  const e = exactOf(parts, m);
  if (e.count === 0) return null;
  percentilesOf(histsOf(parts, m), [95], pctOut);
  return toUnit(pctOut[0]!, e);
}


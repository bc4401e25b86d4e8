/**
 * A latency histogram for the terminal: log-spaced bins (latency spans
 * orders of magnitude; linear bins would put everything in the first one),
 * and bars scaled to the fullest bin. Pure.
 */

export interface HistogramBin {
  /** Inclusive lower and exclusive upper edge, ms (the last bin includes its upper edge). */
  from: number;
  to: number;
  count: number;
}

/** Up to `bins` log-spaced bins over min..max of the values; empty for no values. */
export function logHistogram(values: readonly number[], bins: number): HistogramBin[] {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 0);
  const n = Math.max(1, Math.floor(bins));
  if (finite.length === 0) return [];
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (max <= min) return [{ from: min, to: max, count: finite.length }];
  // Below 1 ms a log scale stretches noise; start there at the lowest.
  min = Math.max(min, 1);
  max = Math.max(max, min * 1.0001);
  const lo = Math.log(min);
  const step = (Math.log(max) - lo) / n;
  const out: HistogramBin[] = Array.from({ length: n }, (_, i) => ({
    from: i === 0 ? Math.min(...finite) : Math.exp(lo + step * i),
    to: Math.exp(lo + step * (i + 1)),
    count: 0,
  }));
  for (const v of finite) {
    const i = v <= min ? 0 : Math.min(n - 1, Math.floor((Math.log(v) - lo) / step));
    const bin = out[i];
    if (bin) bin.count++;
  }
  return out;
}

/** A bar of `width` columns for count out of the fullest bin's count; a non-zero count always shows. */
export function bar(count: number, fullest: number, width: number): string {
  const w = Math.max(0, Math.floor(width));
  if (count <= 0 || fullest <= 0 || w === 0) return '';
  const eighths = Math.max(1, Math.round((count / fullest) * w * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  const partial = rest > 0 ? (['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][rest] ?? '') : '';
  return ('█'.repeat(full) + partial).slice(0, w);
}

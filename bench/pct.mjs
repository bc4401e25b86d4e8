// Shared by the benchmarks.
/** Linear-interpolated percentile of an ascending array (p in 0..1); NaN when empty. */
export function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

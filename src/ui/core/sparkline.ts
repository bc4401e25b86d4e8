/** Unicode block sparklines for the dashboard. Pure. */

export const SPARK_BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** Fixed bottom of the scale; default the smallest visible value. */
  min?: number;
  /** Fixed top of the scale; default the largest visible value. */
  max?: number;
}

function usable(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

/**
 * The last `width` points, one character each, oldest on the left. Fewer points
 * than `width` are padded with spaces on the left so that "now" stays on the
 * right edge; a null (a second without data) or a non-finite value is a space,
 * not a zero, so a gap never reads as "fast". The scale is min..max of the
 * visible points unless given. A flat series (max ≤ min) has no spread to
 * show, so every value draws the lowest block ▁ rather than an arbitrary
 * middle one. Values outside a given min..max are clamped to the ends.
 */
export function sparkline(values: (number | null)[], width: number, opts: SparklineOptions = {}): string {
  if (!Number.isFinite(width) || width <= 0) return '';
  const w = Math.floor(width);
  const visible = values.slice(-w);
  const numbers = visible.filter(usable);
  const min = opts.min ?? (numbers.length > 0 ? Math.min(...numbers) : 0);
  const max = opts.max ?? (numbers.length > 0 ? Math.max(...numbers) : 0);
  const span = max - min;
  const top = SPARK_BLOCKS.length - 1;
  const chars = visible.map((v) => {
    if (!usable(v)) return ' ';
    if (!(span > 0)) return SPARK_BLOCKS[0];
    const ratio = Math.min(1, Math.max(0, (v - min) / span));
    // Eight equal bins over the range; the maximum itself lands in the top bin.
    return SPARK_BLOCKS[Math.min(top, Math.floor(ratio * SPARK_BLOCKS.length))];
  });
  return ' '.repeat(w - visible.length) + chars.join('');
}

/**
 * `values` stretched or squeezed to exactly `width` points, so a sparkline
 * spans the width it is given whatever the number of points: each column
 * takes the points that fall in it, and keeps the largest (a spike is never
 * averaged away; null only when all of its points are null). Fewer points
 * than columns repeat each point over its columns.
 */
export function resample(values: readonly (number | null)[], width: number): (number | null)[] {
  const w = Math.max(0, Math.floor(width));
  const n = values.length;
  if (n === 0 || w === 0) return [];
  const out: (number | null)[] = [];
  for (let c = 0; c < w; c++) {
    const lo = Math.floor((c * n) / w);
    const hi = Math.max(lo + 1, Math.floor(((c + 1) * n) / w));
    let best: number | null = null;
    for (let i = lo; i < hi && i < n; i++) {
      const v = values[i];
      if (v !== null && v !== undefined && Number.isFinite(v) && (best === null || v > best)) best = v;
    }
    out.push(best);
  }
  return out;
}

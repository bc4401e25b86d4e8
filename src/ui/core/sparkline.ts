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

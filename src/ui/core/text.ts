/** Width-safe text helpers for the dashboard. Pure. */

/** Code points, so a block character or an ellipsis counts as one column. */
export function textWidth(s: string): number {
  return [...s].length;
}

/** At most `width` columns; a cut string ends in "…". */
export function truncate(s: string, width: number): string {
  const w = Math.max(0, Math.floor(width));
  const chars = [...s];
  if (chars.length <= w) return s;
  if (w === 0) return '';
  return chars.slice(0, w - 1).join('') + '…';
}

/** Right-aligned in `width` columns (truncated when longer). */
export function padStart(s: string, width: number): string {
  const t = truncate(s, width);
  return ' '.repeat(Math.max(0, width - textWidth(t))) + t;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'none' | 'dim' | 'accent' | 'title';

export interface Segment {
  text: string;
  tone?: Tone;
}

/**
 * Cuts a run of styled segments to `width` columns: the segments that fit are
 * kept whole, the one that crosses the edge is cut with "…", the rest dropped.
 */
export function fitSegments(segments: Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  const total = segments.reduce((n, s) => n + textWidth(s.text), 0);
  if (total <= width) return segments.filter((s) => s.text.length > 0);
  for (const seg of segments) {
    const len = textWidth(seg.text);
    // Leave one column for the ellipsis that marks the cut.
    if (used + len <= width - 1) {
      if (len > 0) out.push(seg);
      used += len;
      continue;
    }
    const room = width - used;
    if (room > 0) out.push({ ...seg, text: truncate(seg.text + '  ', room) });
    break;
  }
  return out;
}

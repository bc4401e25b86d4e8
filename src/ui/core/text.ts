/** Width-safe text helpers for the dashboard. Pure but for redact's registered secrets. */
import stringWidth from 'string-width';
import { redact } from '../../core/redact.js';

/** Terminal columns (string-width: a CJK character or an emoji takes two, a block character or "…" one). */
export function textWidth(s: string): number {
  // The common cases without the library's grapheme work: ASCII, Latin-1 and the
  // symbols the dashboard draws (punctuation, arrows, maths, box drawing, blocks,
  // shapes, ✓, braille) are one column per UTF-16 unit, as string-width counts them.
  return NARROW.test(s) ? s.length : stringWidth(s);
}

const NARROW = /^[\x20-\x7e\u00a0-\u00ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2200-\u22ff\u2500-\u25ff\u2713\u2800-\u28ff]*$/;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most `width` columns; a cut string ends in "…" (a wide character is never
 * cut in half). A string is redacted before it is cut: the frame is redacted
 * again as it is written (ui/mount.tsx), but a secret cut short there no
 * longer matches, and "Bearer sk-live-abc…" would show most of a key (a relay
 * that echoes the Authorization header as its request id).
 */
export function truncate(text: string, width: number): string {
  const w = Math.max(0, Math.floor(width));
  if (textWidth(text) <= w) return text;
  if (w === 0) return '';
  const s = redact(text);
  if (textWidth(s) <= w) return s;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(s)) {
    const cw = textWidth(segment);
    if (used + cw > w - 1) break;
    out += segment;
    used += cw;
  }
  return out + '…';
}

/** Right-aligned in `width` columns (truncated when longer). */
export function padStart(s: string, width: number): string {
  const t = truncate(s, width);
  return ' '.repeat(Math.max(0, width - textWidth(t))) + t;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'none' | 'dim' | 'accent' | 'title' | SeriesTone;

/** One colour per chart line (targets in order, cycling). */
export const SERIES_TONES = ['series0', 'series1', 'series2', 'series3', 'series4', 'series5'] as const;
export type SeriesTone = (typeof SERIES_TONES)[number];

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

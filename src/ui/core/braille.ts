/**
 * A braille line plot: each terminal cell is a 2×4 grid of dots (U+2800 +
 * dot bits), so a width × height area has 2·width × 4·height points. Pure:
 * lines in, rows of styled segments out (one tone per cell: the line drawn
 * last in it), so colours go through Line's tones like every other text and
 * NO_COLOR keeps working. Written here rather than taken from npm: asciichart
 * draws one box character per column and writes ANSI colours itself, and
 * drawille has been unmaintained since 2016 and works on strings, not cells.
 */
import type { Segment, Tone } from './text.js';

export interface PlotPoint {
  /** 0 (left edge) … 1 (right edge). */
  x: number;
  /** null: a gap (the line is broken there). */
  y: number | null;
}

export interface PlotLine {
  points: readonly PlotPoint[];
  tone: Tone;
}

export interface PlotArea {
  width: number;
  height: number;
  /** The value at the bottom and at the top row. */
  min: number;
  max: number;
}

const BRAILLE = 0x2800;
/** Dot bit of column dx (0–1), row dy (0–3, top down) in a cell. */
const DOT = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
] as const;

/** The rows of the plot, each exactly `width` cells (blank cells are spaces). */
export function plotRows(lines: readonly PlotLine[], area: PlotArea): Segment[][] {
  const w = Math.max(0, Math.floor(area.width));
  const h = Math.max(0, Math.floor(area.height));
  const bits = new Uint8Array(w * h);
  const owner = new Int16Array(w * h).fill(-1);
  const pw = w * 2;
  const ph = h * 4;
  const span = area.max - area.min;
  const set = (px: number, py: number, line: number): void => {
    if (px < 0 || py < 0 || px >= pw || py >= ph) return;
    const cell = Math.floor(py / 4) * w + Math.floor(px / 2);
    bits[cell]! |= DOT[py % 4]![px % 2]!;
    owner[cell] = line;
  };
  const toPx = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * (pw - 1));
  const toPy = (y: number): number => {
    const r = span > 0 ? (y - area.min) / span : 0;
    return Math.round((1 - Math.min(1, Math.max(0, r))) * (ph - 1));
  };
  lines.forEach((line, li) => {
    let prev: [number, number] | null = null;
    for (const p of line.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        prev = null;
        continue;
      }
      const cur: [number, number] = [toPx(p.x), toPy(p.y)];
      if (prev) segment(prev, cur, (x, y) => set(x, y, li));
      else set(cur[0], cur[1], li);
      prev = cur;
    }
  });
  const rows: Segment[][] = [];
  for (let r = 0; r < h; r++) {
    const segs: Segment[] = [];
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const b = bits[i]!;
      const ch = b === 0 ? ' ' : String.fromCharCode(BRAILLE + b);
      const tone: Tone = b === 0 ? 'none' : (lines[owner[i]!]?.tone ?? 'none');
      const last = segs[segs.length - 1];
      if (last && (last.tone ?? 'none') === tone) last.text += ch;
      else segs.push({ text: ch, tone });
    }
    rows.push(segs);
  }
  return rows;
}

/** Bresenham between two dot positions, both ends included. */
function segment(a: readonly [number, number], b: readonly [number, number], plot: (x: number, y: number) => void): void {
  let [x0, y0] = a;
  const [x1, y1] = b;
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    plot(x0, y0);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

/** A round top for the y axis at or above `v`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}

import { describe, expect, it } from 'vitest';
import { plotRows, niceMax } from '../../../src/ui/core/braille.js';
import { ago, chartRows, CHART_MIN_HEIGHT } from '../../../src/ui/core/chart-frame.js';
import { PCT_KEYS, type ChartPoint, type PctKey } from '../../../src/ui/core/chart-series.js';
import type { ChartView } from '../../../src/ui/core/chart-store.js';
import { Chart } from '../../../src/ui/components/Chart.js';
import { frameLines, widest } from './render-helpers.js';

const text = (segs: { text: string }[]): string => segs.map((s) => s.text).join('');

function point(idx: number, p95: number | null, requests = 2): ChartPoint {
  const pct = Object.fromEntries(PCT_KEYS.map((k) => [k, p95 === null ? null : k.endsWith('P50Ms') ? p95 / 2 : k.endsWith('P99Ms') ? p95 * 2 : p95])) as Record<PctKey, number | null>;
  return { idx, seconds: 1, requests, errors: 0, costUsd: null, pct };
}

function view(values: (number | null)[]): ChartView {
  return { points: values.map((v, i) => point(i, v)), step: 1, from: 0, to: values.length };
}

describe('braille plot', () => {
  it('a rising line over two cells: known dots', () => {
    // 4×4 dots: (0,3) (1,2) | (2,1) (3,0) — bits 0x40+0x20, then 0x02+0x08.
    const rows = plotRows([{ tone: 'accent', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }], { width: 2, height: 1, min: 0, max: 1 });
    expect(text(rows[0]!)).toBe('\u2860\u280a');
    expect(rows[0]).toEqual([{ text: '⡠⠊', tone: 'accent' }]);
  });

  it('a flat line at the top fills the top dot row; blank cells are spaces; a null breaks the line', () => {
    const rows = plotRows([{ tone: 'ok', points: [{ x: 0, y: 5 }, { x: 0.4, y: 5 }, { x: 0.6, y: null }, { x: 1, y: 5 }] }], { width: 5, height: 2, min: 0, max: 5 });
    // Dots x 0…4 drawn (x=0.4 → dot 4 of 10), the gap, then one dot at x=9 alone.
    expect(text(rows[0]!)).toBe('⠉⠉⠁ ⠈');
    expect(text(rows[1]!)).toBe('     ');
  });

  it('the last line drawn in a cell gives it its tone', () => {
    const rows = plotRows(
      [
        { tone: 'series0', points: [{ x: 0, y: 0 }, { x: 1, y: 0 }] },
        { tone: 'series1', points: [{ x: 0, y: 0 }, { x: 0.2, y: 0 }] },
      ],
      { width: 4, height: 1, min: 0, max: 1 },
    );
    expect(rows[0]).toEqual([{ text: '⣀', tone: 'series1' }, { text: '⣀⣀⣀', tone: 'series0' }]);
  });

  it('rounds the axis top up to 1, 2, 2.5 or 5 × 10ⁿ', () => {
    expect([niceMax(0), niceMax(0.7), niceMax(1.2), niceMax(2.3), niceMax(420), niceMax(999)]).toEqual([1, 1, 2, 2.5, 500, 1000]);
  });
});

describe('chart frame', () => {
  const input = {
    metric: 'latency' as const,
    window: '1m' as const,
    lines: [{ label: 'relay', tone: 'series0' as const, view: view([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]) }],
    marks: [{ atSlot: 5, kind: 'firing' as const, rule: 'R' }],
    width: 40,
    height: CHART_MIN_HEIGHT,
  };

  it('known series → known cells at 40 columns: title and legend, y labels with units, the plot, the axis with the mark, time ticks', () => {
    const rows = chartRows(input).map(text);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toBe('latency p95 · 1m  ━ relay  m metric');
    // Ten points from 100 to 1000 ms (each in the middle of its second) on a 0–1s axis, 64 × 12 dots: a straight rising line.
    expect(rows[1]).toBe('  1.00s┤                   ⣀⣀⣀⠤⠤⠤⠔⠒⠒⠊⠉⠁ ');
    expect(rows[2]).toBe('       │         ⢀⣀⣀⡠⠤⠤⠒⠒⠉⠉             ');
    expect(rows[3]).toBe('      0┤ ⠠⠤⠒⠒⠒⠊⠉⠉⠁                      ');
    // The firing 5 s in, half way along the axis.
    expect(rows[4]).toBe('       └────────────────▲───────────────');
    expect(rows[5]).toBe('        -10s           -5s           now');
  });

  it('a mark in the second still open (after the last closed slot) is drawn at "now", at every width', () => {
    // An alert that fires mid-second is stamped with the run's elapsed time, past the axis' last closed slot
    // (ChartStore.marksIn keeps it); rounding kept it on a narrow axis and dropped it from a wide one.
    for (const width of [40, 80, 200]) {
      const rows = chartRows({ ...input, marks: [{ atSlot: 10.3, kind: 'firing' as const, rule: 'R' }], width }).map(text);
      expect(rows[4]!.endsWith('▲'), `${width} columns: ${rows[4]}`).toBe(true);
    }
  });

  it('draws in Ink at fixed widths without passing them, as exactly `height` lines', () => {
    for (const width of [40, 60, 100]) {
      const lines = frameLines(<Chart {...input} width={width} height={9} />);
      expect(lines).toHaveLength(9);
      expect(widest(lines)).toBeLessThanOrEqual(width);
      expect(lines[7]).toContain('▲');
      expect(lines[8]!.trimEnd().endsWith('now')).toBe(true);
    }
  });

  it('the detail chart draws p50, p95 and p99 of one target', () => {
    const v = view([400, 400, 400, 400]);
    const rows = chartRows({ ...input, title: 'latency p50/p95/p99', lines: [50, 95, 99].map((p) => ({ label: `p${p}`, tone: 'accent' as const, view: v, pct: p as 50 | 95 | 99 })), height: 8 }).map(text);
    expect(rows[0]).toContain('latency p50/p95/p99 · 1m  ━ p50  ━ p95  ━ p99');
    // p99 = 800 at the top (axis 1s), p95 = 400, p50 = 200: three flat lines on three different rows.
    expect(rows.slice(1, 6).filter((r) => /[⠁-⣿]/.test(r)).length).toBe(3);
  });

  it('ticks say how long before now', () => {
    expect([ago(0), ago(45), ago(119), ago(300), ago(5400), ago(7260)]).toEqual(['now', '-45s', '-119s', '-5m', '-90m', '-2h01']);
  });
});

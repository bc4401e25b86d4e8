import { describe, expect, it } from 'vitest';
import {
  chooseLayout,
  frameHeight,
  HEADER_LINES,
  MAX_ALERT_LINES,
  EVENTS_LINES,
  MIN_PANEL_WIDTH,
  PANEL_HEIGHT,
} from '../../../src/ui/core/layout.js';

const WIDTHS = [40, 60, 100, 160, 240];
const HEIGHTS = [10, 24, 50];
const TARGETS = [1, 3, 8];

describe('chooseLayout', () => {
  it('picks 1 to 4 columns by width, never more than there are targets', () => {
    expect(chooseLayout(40, 50, 8).columns).toBe(1);
    expect(chooseLayout(60, 50, 8).columns).toBe(1);
    expect(chooseLayout(100, 50, 8).columns).toBe(2);
    expect(chooseLayout(160, 50, 8).columns).toBe(4);
    expect(chooseLayout(240, 50, 8).columns).toBe(4);
    expect(chooseLayout(240, 50, 3).columns).toBe(3);
    expect(chooseLayout(240, 50, 1).columns).toBe(1);
    expect(chooseLayout(20, 50, 3).columns).toBe(1);
  });

  it('divides the width between the columns', () => {
    expect(chooseLayout(100, 50, 8).panelWidth).toBe(50);
    expect(chooseLayout(160, 50, 8).panelWidth).toBe(40);
    expect(chooseLayout(20, 50, 1).panelWidth).toBe(20);
  });

  it('drops detail before dropping targets on a short terminal', () => {
    expect(chooseLayout(100, 50, 3)).toEqual({ columns: 2, panelWidth: 50, detail: 'full', visibleTargets: 3, chartRows: 0 });
    expect(chooseLayout(100, 24, 3)).toEqual({ columns: 2, panelWidth: 50, detail: 'compact', visibleTargets: 3, chartRows: 0 });
    // Two lines per target where the rows allow, before one.
    expect(chooseLayout(100, 10, 3)).toEqual({ columns: 2, panelWidth: 50, detail: 'brief', visibleTargets: 3, chartRows: 0 });
    expect(chooseLayout(100, 9, 3)).toEqual({ columns: 2, panelWidth: 50, detail: 'minimal', visibleTargets: 3, chartRows: 0 });
    expect(chooseLayout(60, 10, 8)).toEqual({ columns: 1, panelWidth: 60, detail: 'minimal', visibleTargets: 3, chartRows: 0 });
  });

  it('six targets on 80×24 (one row kept free) get two lines each', () => {
    expect(chooseLayout(80, 23, 6)).toMatchObject({ columns: 2, detail: 'brief', visibleTargets: 6 });
  });

  it('gives the rows the panels leave to the chart, when asked and when they are enough', () => {
    // 1 target, full panel: 23 − (2 header + 1 alert + 1 events) − 11 = 8 rows of chart.
    expect(chooseLayout(80, 23, 1, { alertLines: 1, chart: true })).toMatchObject({ detail: 'full', chartRows: 8 });
    // Panel detail is never given up for the chart: 3 targets at 100×24 stay compact, 3 rows left, no chart.
    expect(chooseLayout(100, 24, 3, { chart: true })).toMatchObject({ detail: 'compact', chartRows: 0 });
    // 2 demo targets at 60×15: brief panels (4 rows) and a 6-row chart.
    expect(chooseLayout(60, 14, 2, { alertLines: 1, chart: true })).toMatchObject({ detail: 'brief', chartRows: 6 });
    expect(chooseLayout(120, 35, 2, { alertLines: 1, chart: true })).toMatchObject({ detail: 'full', chartRows: 20 });
    // Hidden targets: no room for a chart.
    expect(chooseLayout(60, 10, 8, { chart: true }).chartRows).toBe(0);
  });

  it('uses the room a smaller alert bar leaves', () => {
    // 3 targets in 2 columns = 2 rows of 11; 2 header + 1 alert + 1 events + 22 = 26.
    expect(chooseLayout(100, 26, 3, { alertLines: 1 }).detail).toBe('full');
    expect(chooseLayout(100, 26, 3).detail).toBe('compact');
  });

  for (const cols of WIDTHS) {
    for (const rows of HEIGHTS) {
      for (const targets of TARGETS) {
        it(`${cols}×${rows} with ${targets} target(s) stays within the terminal`, () => {
          const l = chooseLayout(cols, rows, targets, { chart: true });
          expect(frameHeight(l, targets)).toBeLessThanOrEqual(rows);
          expect(l.columns * l.panelWidth).toBeLessThanOrEqual(cols);
          expect(l.visibleTargets).toBeLessThanOrEqual(targets);
          if (cols >= MIN_PANEL_WIDTH) expect(l.panelWidth).toBeGreaterThanOrEqual(MIN_PANEL_WIDTH);
          // Detail is the richest that fits every target.
          const chrome = HEADER_LINES + MAX_ALERT_LINES + EVENTS_LINES;
          const panelRows = Math.ceil(targets / l.columns);
          if (l.detail === 'compact') expect(chrome + panelRows * PANEL_HEIGHT.full).toBeGreaterThan(rows);
          if (l.detail === 'brief') expect(chrome + panelRows * PANEL_HEIGHT.compact).toBeGreaterThan(rows);
          if (l.detail === 'minimal') expect(chrome + panelRows * PANEL_HEIGHT.brief).toBeGreaterThan(rows);
          if (l.visibleTargets < targets) expect(chrome + panelRows * PANEL_HEIGHT.minimal).toBeGreaterThan(rows);
        });
      }
    }
  }

  it('shows every target whenever minimal panels fit', () => {
    expect(chooseLayout(240, 10, 8).visibleTargets).toBe(8);
    expect(chooseLayout(40, 24, 8).visibleTargets).toBe(8);
    expect(chooseLayout(40, 10, 8).visibleTargets).toBe(3);
  });

  it('handles no targets', () => {
    const l = chooseLayout(100, 24, 0);
    expect(l).toEqual({ columns: 1, panelWidth: 100, detail: 'full', visibleTargets: 0, chartRows: 0 });
    expect(frameHeight(l, 0)).toBe(6);
  });
});

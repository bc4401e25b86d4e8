import { describe, expect, it } from 'vitest';
import { Dashboard } from '../../../src/ui/components/Dashboard.js';
import { ChartStore } from '../../../src/ui/core/chart-store.js';
import { engineSnapshot, normalSnapshot, statsSnapshot, targetInfo, targetStats, windowStats } from './fixtures.js';
import { frameLines, utcTime, widest } from './render-helpers.js';

function storeOf(snapshot: ReturnType<typeof normalSnapshot>): ChartStore {
  const store = new ChartStore();
  store.ingest(snapshot);
  return store;
}

function targets(n: number) {
  const names = Array.from({ length: n }, (_, i) => `relay-${i + 1}`);
  return engineSnapshot({ stats: statsSnapshot(names.map((t) => targetStats(t, windowStats()))), targets: names.map(targetInfo) });
}

const draw = (snapshot: ReturnType<typeof normalSnapshot>, cols: number, rows: number, extra: Partial<Parameters<typeof Dashboard>[0]> = {}) =>
  frameLines(<Dashboard snapshot={snapshot} window="1m" cols={cols} rows={rows} clock="12:01:05" formatTime={utcTime} chart={storeOf(snapshot)} {...extra} />, cols);

describe('the chart on the dashboard', () => {
  it('takes the rows the panels leave, one legend entry per target, the frame exactly as tall as the terminal allows', () => {
    for (const [cols, rows] of [
      [100, 40],
      [120, 35],
      [160, 49],
      [200, 49],
    ] as const) {
      const lines = draw(normalSnapshot(), cols, rows);
      expect(lines.length, `${cols}×${rows}`).toBeLessThanOrEqual(rows);
      expect(widest(lines)).toBeLessThanOrEqual(cols);
      const title = lines.findIndex((l) => l.startsWith('latency p95 · 1m  ━ direct  ━ relay  ━ backup'));
      expect(title, `${cols}×${rows}:\n${lines.join('\n')}`).toBeGreaterThan(0);
      // Axis and ticks right above the events line.
      expect(lines.at(-3)).toMatch(/^ {7}└─+$/);
      expect(lines.at(-2)?.trimEnd()).toMatch(/now$/);
      expect(lines.at(-1)).toMatch(/^events: /);
    }
  });

  it('draws the chosen metric', () => {
    const text = draw(normalSnapshot(), 100, 40, { metric: 'errors' }).join('\n');
    expect(text).toContain('error rate · 1m');
    expect(text).toMatch(/^ +0┤/m);
  });

  it('panels keep their detail: with too few rows left there is no chart', () => {
    const lines = draw(normalSnapshot(), 100, 23);
    expect(lines.join('\n')).not.toContain('latency p95 · 1m');
    expect(lines.join('\n')).toContain('╭');
  });

  it('six targets on 80×24 get two lines each (nothing cut from the one-line panel), no chart squeezed in', () => {
    const lines = draw(targets(6), 80, 23);
    expect(lines.length).toBeLessThanOrEqual(23);
    // The one-line panel's text as it was (cut at the same column), then a second line of timings.
    for (let i = 1; i <= 6; i++) expect(lines.join('\n')).toMatch(new RegExp(`relay-${i} {2}● ok {2}p95 800ms {2}err 0%`));
    expect(lines.filter((l) => /^ {2}lat p50 400ms p99 1.20s .* {2}lat p50 400ms p99 1.20s /.test(l)).length).toBe(3);
  });

  it('the detail view gets its target’s chart with p50/p95/p99 lines where the rows allow', () => {
    const snap = normalSnapshot();
    const lines = draw(snap, 120, 45, { screen: 'detail', focus: 1 });
    const text = lines.join('\n');
    expect(text).toContain('relay  detail · window 1m');
    expect(text).toContain('latency p50/p95/p99 · 1m  ━ p50  ━ p95  ━ p99');
    expect(text).toContain('latency distribution');
    expect(lines.length).toBeLessThanOrEqual(45);
    // At 80×24 the view is what it was: no chart.
    expect(draw(snap, 80, 23, { screen: 'detail', focus: 1 }).join('\n')).not.toContain('p50/p95/p99');
  });
});

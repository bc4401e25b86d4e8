import { describe, expect, it } from 'vitest';
import type { RequestResult } from '../../../src/core/result.js';
import { histogram, HISTOGRAM_BINS, intervalMs, logEdges, MAX_INTERVALS, timeCharts } from '../../../src/report/charts.js';
import { TargetSamples } from '../../../src/report/samples.js';
import { scriptJson } from '../../../src/report/html.js';

function result(p: Partial<RequestResult>): RequestResult {
  return { target: 't', protocol: 'openai', ok: true, errorType: null, latencyMs: 100, ttftMs: 10, itlMs: 1, checks: [], startedAt: 0, ...p } as RequestResult;
}

function samples(name: string, rs: { end: number; r: Partial<RequestResult> }[]): TargetSamples {
  const t = new TargetSamples(name);
  for (const { end, r } of rs) t.add(result({ target: name, ...r }), end);
  return t;
}

describe('report charts', () => {
  it('a long run\'s samples (300,000, past what a spread onto the stack holds) make a histogram', () => {
    const t = new TargetSamples('long');
    for (let i = 0; i < 300_000; i++) t.add(result({ target: 'long', latencyMs: 1 + (i % 1000) }), i);
    const c = histogram('latency', 'x', [t])!;
    expect((c.series[0]!.values as number[]).reduce((x, y) => x + y, 0)).toBeCloseTo(1);
    expect(c.x.values[0]).toBeGreaterThan(0.9);
  });

  it('log bins: geometric edges, each value in its bin, shares per target', () => {
    const edges = logEdges(1, 1000, 3);
    expect(edges.map((e) => Math.round(e))).toEqual([1, 10, 100, 1000]);
    const a = samples('a', [1, 10, 100, 1000].map((v, i) => ({ end: i, r: { latencyMs: v } })));
    const b = samples('b', [{ end: 0, r: { latencyMs: 1000 } }]);
    const c = histogram('latency', 'x', [a, b])!;
    expect(c.x.values).toHaveLength(HISTOGRAM_BINS);
    expect(c.x.kind).toBe('log');
    const sa = c.series[0]!.values as number[];
    expect(sa.reduce((x, y) => x + y, 0)).toBeCloseTo(1);
    expect(sa[0]).toBe(0.25); // 1 ms: the first bin
    expect(sa[HISTOGRAM_BINS - 1]).toBe(0.25); // 1000 ms: the last
    expect(c.series[1]!.values[HISTOGRAM_BINS - 1]).toBe(1);
  });

  it('failures are in no distribution; no successes, no chart', () => {
    const t = samples('a', [{ end: 0, r: { ok: false, errorType: 'server_error', latencyMs: 5 } }]);
    expect(histogram('latency', 'x', [t])).toBeNull();
  });

  it('intervals: at most MAX_INTERVALS, the shortest step that fits', () => {
    expect(intervalMs(60_000)).toBe(1000);
    expect(intervalMs(MAX_INTERVALS * 1000)).toBe(1000);
    expect(intervalMs(MAX_INTERVALS * 1000 + 1)).toBe(2000);
    expect(intervalMs(3_600_000)).toBe(15_000);
  });

  it('time series: p50/p95 per interval, requests per second, error rate by type', () => {
    const t = samples('a', [
      { end: 100, r: { latencyMs: 10 } },
      { end: 200, r: { latencyMs: 20 } },
      { end: 300, r: { ok: false, errorType: 'rate_limited' } },
      { end: 1500, r: { latencyMs: 40 } },
    ]);
    const charts = timeCharts([t], 0, 1999);
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId['time-latency']!.x.values).toEqual([1, 2]);
    expect(byId['time-latency']!.series[0]!.values).toEqual([15, 40]);
    expect(byId['time-latency']!.series[1]!.values).toEqual([19.5, 40]);
    expect(byId['time-rps']!.series[0]!.values).toEqual([3, 1]);
    expect(byId['time-errors']!.series.map((s) => s.label)).toEqual(['rate_limited']);
    expect(byId['time-errors']!.series[0]!.values).toEqual([0.3333, 0]);
  });

  it('embedded JSON cannot close its script element', () => {
    const text = scriptJson({ s: '</script><!-- \u2028' });
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual({ s: '</script><!-- \u2028' });
  });
});

import { describe, expect, it } from 'vitest';
import { bar, logHistogram } from '../../../src/ui/core/latency-bars.js';
import { RecentResults } from '../../../src/ui/core/recent.js';
import { result } from '../export/result.js';

describe('logHistogram', () => {
  it('puts every value in exactly one bin, bins log-spaced and contiguous', () => {
    const values = [10, 20, 40, 80, 160, 320, 640, 1280, 1280, 5000];
    const bins = logHistogram(values, 5);
    expect(bins).toHaveLength(5);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(values.length);
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.from).toBeCloseTo(bins[i - 1]!.to, 6);
    const ratios = bins.slice(1).map((b) => b.to / b.from);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0]!, 6);
    expect(bins[0]!.from).toBe(10);
    expect(bins.at(-1)!.to).toBeCloseTo(5000, 6);
    expect(bins.at(-1)!.count).toBe(1);
  });

  it('one value, equal values, and no values', () => {
    expect(logHistogram([42, 42, 42], 8)).toEqual([{ from: 42, to: 42, count: 3 }]);
    expect(logHistogram([], 8)).toEqual([]);
    expect(logHistogram([Number.NaN, -1], 8)).toEqual([]);
  });

  it('sub-millisecond values land in the first bin', () => {
    const bins = logHistogram([0.2, 0.5, 100], 4);
    expect(bins[0]!.count).toBe(2);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3);
  });
});

describe('bar', () => {
  it('scales to the fullest bin and never hides a non-zero count', () => {
    expect(bar(10, 10, 20)).toBe('█'.repeat(20));
    expect([...bar(5, 10, 20)].length).toBe(10);
    expect(bar(1, 1000, 20)).toBe('▏');
    expect(bar(0, 10, 20)).toBe('');
    expect([...bar(7, 10, 3)].length).toBeLessThanOrEqual(3);
  });
});

describe('RecentResults', () => {
  it('keeps the last N per target, filters by send time, skips cancelled requests', () => {
    const recent = new RecentResults(10);
    const rs = Array.from({ length: 30 }, (_, i) => result({ target: i % 2 ? 'a' : 'b', startedAt: 1000 + i, latencyMs: i }));
    recent.add(rs);
    recent.add([result({ target: 'a', startedAt: 5000, errorType: 'cancelled', ok: false })]);
    const a = recent.since('a', 0);
    expect(a.length).toBeLessThanOrEqual(10);
    expect(a.at(-1)!.latencyMs).toBe(29);
    expect(a.every((s, i) => i === 0 || s.at > a[i - 1]!.at)).toBe(true);
    expect(recent.since('a', 1026).map((s) => s.latencyMs)).toEqual([27, 29]);
    expect(recent.since('nobody', 0)).toEqual([]);
    recent.clear();
    expect(recent.since('a', 0)).toEqual([]);
  });
});

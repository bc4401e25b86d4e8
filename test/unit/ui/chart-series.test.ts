import { describe, expect, it } from 'vitest';
import { BoundedSeries, MAX_CHART_POINTS, PCT_KEYS, pointValue, windowStep, type PctKey, type SecondSample } from '../../../src/ui/core/chart-series.js';
import { ChartStore, MAX_MARKS } from '../../../src/ui/core/chart-store.js';
import type { EngineSnapshot } from '../../../src/engine/messages.js';
import { normalSnapshot, series } from './fixtures.js';

function sample(requests: number, errors: number, p95: number | null, costUsd: number | null = null): SecondSample {
  const pct = Object.fromEntries(PCT_KEYS.map((k) => [k, p95])) as Record<PctKey, number | null>;
  return { requests, errors, costUsd, pct };
}

describe('BoundedSeries', () => {
  it('a finite window keeps a fixed step and drops what leaves the span', () => {
    const s = new BoundedSeries(windowStep(60), 60);
    for (let slot = 0; slot < 500; slot++) s.add(slot, sample(1, 0, slot));
    expect(s.stepSlots).toBe(1);
    expect(s.length).toBe(60);
    expect(s.all()[0]!.idx).toBe(440);
    expect(windowStep(300)).toBe(2);
    expect(windowStep(900)).toBe(4);
  });

  it('`all` merges neighbours pairwise as it grows: never more than 240 points, the step doubles', () => {
    const s = new BoundedSeries(1, null);
    for (let slot = 0; slot < 240; slot++) s.add(slot, sample(1, 0, 100));
    expect(s.length).toBe(240);
    expect(s.stepSlots).toBe(1);
    s.add(240, sample(1, 0, 100));
    expect(s.stepSlots).toBe(2);
    expect(s.length).toBe(121);
    expect(s.all()[0]).toMatchObject({ idx: 0, seconds: 2, requests: 2 });
  });

  it('merging keeps the right aggregate: sums for requests, errors and cost; rates over the whole interval; the larger percentile', () => {
    const s = new BoundedSeries(1, null, 2);
    s.add(0, sample(10, 1, 200, 0.01));
    s.add(1, sample(30, 3, 900, null));
    s.add(2, sample(0, 0, null, null));
    // Three points into a cap of two: seconds 0 and 1 merged, second 2 alone.
    expect(s.stepSlots).toBe(2);
    const [first, second] = s.all();
    expect(first).toMatchObject({ idx: 0, seconds: 2, requests: 40, errors: 4, costUsd: 0.01 });
    expect(pointValue(first!, 'errors')).toBeCloseTo(0.1);
    expect(pointValue(first!, 'rps')).toBe(20);
    expect(pointValue(first!, 'cost')).toBeCloseTo(0.01 * 1800);
    expect(pointValue(first!, 'latency')).toBe(900);
    expect(pointValue(first!, 'itl', 50)).toBe(900);
    // A second without requests: no error rate and no percentile (a gap, never a zero), but a rate of 0.
    expect(pointValue(second!, 'errors')).toBeNull();
    expect(pointValue(second!, 'latency')).toBeNull();
    expect(pointValue(second!, 'rps')).toBe(0);
    expect(pointValue(second!, 'cost')).toBeNull();
  });

  it('a long run keeps memory flat: a day of seconds is still at most 240 points, totals intact', () => {
    const s = new BoundedSeries(1, null);
    let requests = 0;
    for (let slot = 0; slot < 86_400; slot++) {
      s.add(slot, sample(slot % 7, 0, 50 + (slot % 13)));
      requests += slot % 7;
      if (slot % 997 === 0) expect(s.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    }
    expect(s.all().reduce((n, p) => n + p.requests, 0)).toBe(requests);
    expect(s.all().reduce((n, p) => n + p.seconds, 0)).toBe(86_400);
    expect(Math.max(...s.all().map((p) => pointValue(p, 'latency') ?? 0))).toBe(62);
  });
});

/** A snapshot whose one target has `closed` seconds closed, each with 2 requests at `p95` ms. */
function snapAt(closed: number, p95: number, transitions: EngineSnapshot['alertTransitions'] = []): EngineSnapshot {
  const base = normalSnapshot();
  const s = series(Array.from({ length: 120 }, () => p95));
  const target = { ...base.stats!.targets[0]!, target: 'relay', series: { ...s, closed } };
  return { ...base, stats: { ...base.stats!, elapsedMs: closed * 1000 + 500, targets: [target] }, alertTransitions: transitions };
}

describe('ChartStore', () => {
  it('takes only the seconds it has not seen from each snapshot', () => {
    const store = new ChartStore();
    store.ingest(snapAt(10, 100));
    store.ingest(snapAt(10, 100));
    store.ingest(snapAt(12, 100));
    const v = store.view('relay', 'all');
    expect(v.points.reduce((n, p) => n + p.seconds, 0)).toBe(12);
    expect(v.to).toBe(12);
  });

  it('starts again when the windows were reset (fewer seconds closed than seen)', () => {
    const store = new ChartStore();
    store.ingest(snapAt(50, 100));
    store.ingest(snapAt(3, 200));
    const v = store.view('relay', 'all');
    expect(v.points.reduce((n, p) => n + p.seconds, 0)).toBe(3);
    expect(v.points.every((p) => pointValue(p, 'latency') === 200)).toBe(true);
  });

  it('marks firings and resolutions at the snapshot instant, at most MAX_MARKS', () => {
    const store = new ChartStore();
    const tr = (from: 'pending' | 'firing', to: 'firing' | 'resolved') => ({ rule: 'R', from, to, atMs: 0, value: 1, expression: 'x', labels: {}, startsAtMs: 0, summary: '' });
    store.ingest(snapAt(40, 100, [tr('pending', 'firing')]));
    store.ingest(snapAt(50, 100, [tr('firing', 'resolved')]));
    expect(store.marksIn('1m')).toEqual([
      { atSlot: 40.5, kind: 'firing', rule: 'R' },
      { atSlot: 50.5, kind: 'resolved', rule: 'R' },
    ]);
    for (let i = 0; i < 100; i++) store.ingest(snapAt(51 + i, 100, [tr('pending', 'firing')]));
    expect(store.marksIn('all').length).toBe(MAX_MARKS);
  });

  it('memory stays flat over a long synthetic run: points per target and window are bounded', () => {
    const store = new ChartStore();
    for (let closed = 100; closed <= 20_000; closed += 100) store.ingest(snapAt(closed, 100 + (closed % 50)));
    // 1m: 60–61, 5m: 150–151, 15m: 225–226, all: ≤ 240.
    expect(store.size()).toBeLessThanOrEqual(61 + 151 + 226 + 240);
    expect(store.view('relay', 'all').points.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
  });
});

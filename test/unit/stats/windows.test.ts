import { describe, expect, it } from 'vitest';
import { WINDOW_NAMES, WindowedStats, type StatsSnapshot } from '../../../src/stats/windows.js';
import { makeFailure, makeResult } from './fixtures.js';

const counts = (s: StatsSnapshot) => WINDOW_NAMES.map((w) => s.windows[w].requests);

describe('expiry at window edges', () => {
  // One result at t = 10.3 s (slot 10; 15 s slot 0), windows starting at 0.
  const stats = new WindowedStats({ startMs: 0 });
  stats.record(makeResult({ latencyMs: 700 }), 10_300);

  it("is in '1m' until its slot is 61 slots old: t + 60.7 s here, i.e. t + 60 s … t + 61 s", () => {
    expect(counts(stats.snapshot(10_300))).toEqual([1, 1, 1, 1]);
    expect(counts(stats.snapshot(70_999))).toEqual([1, 1, 1, 1]);
    const gone = stats.snapshot(71_000);
    expect(counts(gone)).toEqual([0, 1, 1, 1]);
    expect(gone.windows['1m'].latencyMs.p50).toBeNull();
    expect(gone.windows['5m'].latencyMs.p50).toBe(700);
  });

  it("is in '5m' until t + 300 s … t + 315 s and in '15m' until t + 900 s … t + 915 s", () => {
    expect(counts(stats.snapshot(314_999))).toEqual([0, 1, 1, 1]);
    expect(counts(stats.snapshot(315_000))).toEqual([0, 0, 1, 1]);
    expect(counts(stats.snapshot(914_999))).toEqual([0, 0, 1, 1]);
    const late = stats.snapshot(915_000);
    expect(counts(late)).toEqual([0, 0, 0, 1]);
    expect(late.windows['15m'].costUsd).toBeNull();
    expect(late.windows.all.latencyMs).toEqual({ p50: 700, p90: 700, p95: 700, p99: 700, avg: 700, min: 700, max: 700 });
  });

  it('reports the span each window covers and divides rates by it', () => {
    const s = new WindowedStats({ startMs: 1000 });
    for (let i = 0; i < 30; i++) s.record(makeResult({ costUsd: 0.01 }), 1000 + i * 1000);
    const early = s.snapshot(31_000);
    expect(early.windows['1m'].windowMs).toBe(30_000);
    expect(early.windows['1m'].rps).toBe(1);
    expect(early.windows.all.costPerHourUsd).toBeCloseTo(0.3 * 120, 9);
    expect(early.windows.all.cost30dUsd).toBeCloseTo(0.3 * 120 * 720, 6);
    const later = s.snapshot(1000 + 200_500);
    expect(later.windows['1m'].windowMs).toBe(60_500);
    expect(later.windows['1m'].requests).toBe(0);
    expect(later.windows['1m'].rps).toBe(0);
    expect(later.windows['5m'].windowMs).toBe(200_500);
    expect(later.windows['5m'].rps).toBeCloseTo(30 / 200.5, 12);
    const much = s.snapshot(1000 + 1_000_400);
    expect(much.windows['5m'].windowMs).toBe(300_000 + 10_400);
    expect(much.windows['15m'].windowMs).toBe(900_000 + 10_400);
    expect(much.windows.all.windowMs).toBe(1_000_400);
    expect(much.windows.all.requests).toBe(30);
  });
});

describe('snapshot', () => {
  function filled(): WindowedStats {
    const s = new WindowedStats({ startMs: 0 });
    s.record(makeResult({ target: 'relay', probe: 'p1', model: 'gpt-4o' }), 100);
    s.record(makeResult({ target: 'relay', probe: 'p2', model: 'gpt-4o-mini', costUsd: null }), 200);
    s.record(makeFailure('rate_limited', { target: 'relay', probe: 'p1', httpStatus: 429 }), 300);
    s.record(makeFailure('connection_refused', { target: 'direct', probe: null }), 400);
    return s;
  }

  it('breaks out targets, their models and probes, in order of first appearance', () => {
    const snap = filled().snapshot(1000);
    expect(snap.windows.all).toMatchObject({
      requests: 4,
      errors: 2,
      errorRate: 0.5,
      errorTypes: { rate_limited: 1, connection_refused: 1 },
      statuses: { '200': 2, '429': 1, none: 1 },
      // Only the success without a price; the two failures were billed nothing.
      unpricedRequests: 1,
      costUsd: 0.001,
      usageReported: 2,
      namedModels: 2,
    });
    expect(snap.targets.map((t) => t.target)).toEqual(['relay', 'direct']);
    const relay = snap.targets[0]!;
    expect(relay.windows['1m'].requests).toBe(3);
    expect(relay.models.map((m) => [m.model, m.windows.all.requests])).toEqual([['gpt-4o', 2], ['gpt-4o-mini', 1]]);
    expect(relay.probes.map((p) => [p.probe, p.windows.all.errors])).toEqual([['p1', 1], ['p2', 0]]);
    // A result without a probe (replay) shows in its target and model rows, in no probe row.
    expect(snap.targets[1]!.probes).toEqual([]);
    expect(snap.targets[1]!.models[0]!.windows.all.requests).toBe(1);
  });

  it('is plain data: survives JSON and structuredClone unchanged, no Maps or class instances', () => {
    const snap = filled().snapshot(1500);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(structuredClone(snap)).toEqual(snap);
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(v));
      for (const x of Object.values(v)) walk(x);
    };
    walk(snap);
  });

  it('computes only the windows asked for', () => {
    const snap = filled().snapshot(1000, { windows: ['1m'] });
    expect(Object.keys(snap.windows)).toEqual(['1m']);
    expect(Object.keys(snap.targets[0]!.models[0]!.windows)).toEqual(['1m']);
    expect(snap.windows['1m'].requests).toBe(4);
  });

  it('keeps a 120-point one-second series per target, oldest first', () => {
    const s = new WindowedStats({ startMs: 0 });
    for (const lat of [100, 200, 300]) s.record(makeResult({ latencyMs: lat, ttftMs: lat / 2 }), 5_100);
    s.record(makeFailure('timeout', { latencyMs: 900 }), 7_500);
    const series = s.snapshot(8_200).targets[0]!.series;
    expect(series.stepMs).toBe(1000);
    expect(series.points).toBe(120);
    for (const arr of [series.rps, series.errorRate, series.latencyP95Ms, series.ttftP95Ms]) expect(arr).toHaveLength(120);
    // Seconds 5, 6, 7 are the last three closed slots (second 8 is still open).
    expect(series.rps.slice(-3)).toEqual([3, 0, 1]);
    expect(series.errorRate.slice(-3)).toEqual([0, null, 1]);
    // The timeout is an error, not a latency (timings are over successes only).
    expect(series.latencyP95Ms.slice(-3)).toEqual([300, null, null]);
    expect(series.ttftP95Ms.slice(-3)).toEqual([150, null, null]);
    expect(series.rps.slice(0, -3).every((v) => v === 0)).toBe(true);
    const after = s.snapshot(8_200 + 500_000).targets[0]!.series;
    expect(after.rps.every((v) => v === 0)).toBe(true);
    expect(after.latencyP95Ms.every((v) => v === null)).toBe(true);
  });

  it('keeps a roll-up history when a second probe or model joins it mid-run', () => {
    const s = new WindowedStats({ startMs: 0 });
    for (let t = 0; t < 120_000; t += 1000) s.record(makeResult({ probe: 'p1', latencyMs: 100 }), t);
    for (let t = 120_000; t < 130_000; t += 1000) s.record(makeResult({ probe: 'p2', model: 'claude-sonnet-4-5', latencyMs: 300 }), t);
    const snap = s.snapshot(130_000);
    const relay = snap.targets[0]!;
    expect(snap.windows.all.requests).toBe(130);
    expect(relay.windows.all.requests).toBe(130);
    expect(relay.windows['1m'].requests).toBe(60);
    expect(relay.windows['1m'].latencyMs.max).toBe(300);
    expect(relay.probes.map((p) => [p.probe, p.windows.all.requests, p.windows['1m'].requests])).toEqual([
      ['p1', 120, 50],
      ['p2', 10, 10],
    ]);
    expect(relay.models.map((m) => [m.model, m.windows.all.requests])).toEqual([['gpt-4o', 120], ['claude-sonnet-4-5', 10]]);
    expect(relay.series.rps.slice(-130).every((v) => v === 1)).toBe(true);
  });
});

describe('time', () => {
  it('starts at the first instant seen when no start is given', () => {
    const s = new WindowedStats();
    s.record(makeResult(), 50_000);
    const snap = s.snapshot(50_400);
    expect(snap.elapsedMs).toBe(400);
    expect(snap.windows['1m'].windowMs).toBe(400);
    expect(snap.windows['1m'].requests).toBe(1);
  });

  it('counts a result that arrives with an older instant in the slot open when it arrives', () => {
    const s = new WindowedStats({ startMs: 0 });
    s.record(makeResult(), 100_000);
    s.record(makeResult(), 20_000);
    expect(s.snapshot(160_500).windows['1m'].requests).toBe(2);
    expect(s.snapshot(161_000).windows['1m'].requests).toBe(0);
  });

  it('clamps values beyond an hour at the top of the histogram and counts them', () => {
    const s = new WindowedStats({ startMs: 0 });
    s.record(makeResult({ latencyMs: 5_000_000 }), 10);
    s.record(makeResult({ latencyMs: 100 }), 20);
    const w = s.snapshot(30).windows.all;
    expect(w.clampedValues).toBe(1);
    expect(w.latencyMs.max).toBe(5_000_000);
    expect(w.latencyMs.p99).toBeGreaterThan(3_590_000);
    // 100 ms = 100,000 µs lies in the 64 µs wide slot [99,968, 100,031]; HDR reports the slot's top.
    expect(w.latencyMs.p50).toBe(100.031);
  });
});

describe('reset', () => {
  it('clears every window, target and series, and restarts the clock', () => {
    const s = new WindowedStats({ startMs: 0 });
    for (let t = 0; t < 10_000; t += 100) s.record(makeResult({ target: t % 200 === 0 ? 'a' : 'b' }), t);
    expect(s.snapshot(10_000).windows.all.requests).toBe(100);
    s.reset(10_000);
    const empty = s.snapshot(12_000);
    expect(empty.targets).toEqual([]);
    expect(empty.elapsedMs).toBe(2000);
    for (const w of WINDOW_NAMES) expect(empty.windows[w]).toMatchObject({ requests: 0, rps: 0, costUsd: null });
    expect(empty.windows.all.latencyMs.p50).toBeNull();
    expect(s.footprint()).toMatchObject({ cells: 0, nodes: 0, liveSlots: 0, histograms: 0 });
    expect(s.query('all', 12_000)('requests', { kind: 'count' }, {})).toBe(0);
    expect(s.query('all', 12_000)('latency', { kind: 'p', p: 99 }, {})).toBeNull();
    s.record(makeResult(), 12_500);
    expect(s.snapshot(12_900).windows.all.requests).toBe(1);
    // Slot 2 of the new clock, [12 s, 13 s), is still open at 12.9 s and closed at 13 s.
    expect(s.snapshot(12_900).targets[0]!.series.rps.slice(-2)).toEqual([0, 0]);
    expect(s.snapshot(13_000).targets[0]!.series.rps.slice(-2)).toEqual([0, 1]);
  });
});

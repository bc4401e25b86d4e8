import { describe, expect, it } from 'vitest';
import { PauseLog } from '../../../src/stats/pauses.js';
import { WindowedStats } from '../../../src/stats/windows.js';
import { makeResult } from './fixtures.js';

describe('PauseLog', () => {
  it('counts the paused part of a span, an open pause up to the span end', () => {
    const p = new PauseLog();
    p.pause(100);
    p.pause(150); // already paused: the first instant stands
    p.resume(300);
    p.resume(350); // not paused: nothing
    p.pause(1000);
    expect(p.paused()).toBe(true);
    expect(p.within(0, 2000)).toBe(200 + 1000);
    expect(p.within(200, 1200)).toBe(100 + 200);
    expect(p.within(400, 900)).toBe(0);
    p.resume(1500);
    expect(p.within(0, 2000)).toBe(200 + 500);
  });
});

describe('the whole-run window of a paused run', () => {
  it('divides rates and cost per hour by the time it was not paused; rolling windows keep wall time', () => {
    const pauses = new PauseLog();
    const s = new WindowedStats({ startMs: 0, pauses });
    for (let i = 0; i < 10; i++) s.record(makeResult({ costUsd: 0.01 }), i * 1000);
    pauses.pause(10_000);
    pauses.resume(40_000);
    for (let i = 0; i < 10; i++) s.record(makeResult({ costUsd: 0.01 }), 40_000 + i * 1000);
    const snap = s.snapshot(50_000);
    expect(snap.windows.all.windowMs).toBe(20_000);
    expect(snap.windows.all.rps).toBe(1);
    expect(snap.windows.all.costPerHourUsd).toBeCloseTo(0.2 * 180, 9);
    expect(snap.windows['1m'].windowMs).toBe(50_000);
  });
});

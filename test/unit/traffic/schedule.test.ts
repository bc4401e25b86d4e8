import { describe, expect, it } from 'vitest';
import { constantSchedule, exponentialGapMs, mulberry32, poissonSchedule, scaledOffsets, type Schedule } from '../../../src/traffic/schedule.js';

function drain(s: Schedule, max = 1_000_000): number[] {
  const out: number[] = [];
  for (let v = s.next(); v !== null && out.length < max; v = s.next()) out.push(v);
  return out;
}

function take(s: Schedule, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = s.next();
    if (v === null) throw new Error(`schedule ended after ${i}`);
    out.push(v);
  }
  return out;
}

describe('constantSchedule', () => {
  it('gives start + k·interval exactly, then null after count', () => {
    const s = constantSchedule(1000, 250, 4);
    expect(drain(s)).toEqual([1000, 1250, 1500, 1750]);
    expect(s.next()).toBeNull();
  });

  it('does not accumulate float error over a million sends', () => {
    const s = constantSchedule(12.5, 0.1);
    let last = 0;
    for (let k = 0; k < 1_000_000; k++) last = s.next()!;
    // A running sum of 0.1 drifts by ~1e-6 ms here; start + k·i is exact to the last bit of the product.
    expect(last).toBe(12.5 + 999_999 * 0.1);
  });

  it('runs forever without a count, and count 0 is empty', () => {
    expect(take(constantSchedule(0, 10), 3)).toEqual([0, 10, 20]);
    expect(constantSchedule(0, 10, 0).next()).toBeNull();
  });

  it('refuses a non-positive interval or a fractional count', () => {
    expect(() => constantSchedule(0, 0)).toThrow(RangeError);
    expect(() => constantSchedule(0, Number.NaN)).toThrow(RangeError);
    expect(() => constantSchedule(0, 10, 1.5)).toThrow(RangeError);
  });
});

describe('poissonSchedule', () => {
  it('starts at start and then moves forward by exponential gaps', () => {
    const times = drain(poissonSchedule(500, 10, mulberry32(1), 1000));
    expect(times).toHaveLength(1000);
    expect(times[0]).toBe(500);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('has the requested mean gap and a coefficient of variation of 1 over 100k draws', () => {
    const rate = 200; // per second → mean gap 5 ms
    const times = drain(poissonSchedule(0, rate, mulberry32(42), 100_001));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
    expect(Math.abs(mean - 5) / 5).toBeLessThan(0.02);
    expect(Math.abs(sd / mean - 1)).toBeLessThan(0.02);
    // Achieved rate over the run.
    expect(Math.abs(100_000 / (times.at(-1)! / 1000) - rate) / rate).toBeLessThan(0.02);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = take(poissonSchedule(0, 5, mulberry32(7)), 50);
    const b = take(poissonSchedule(0, 5, mulberry32(7)), 50);
    const c = take(poissonSchedule(0, 5, mulberry32(8)), 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('exponentialGapMs turns a uniform draw into −ln(1−u)/rate seconds', () => {
    expect(exponentialGapMs(2, () => 0)).toBe(0);
    expect(exponentialGapMs(2, () => 1 - Math.exp(-1))).toBeCloseTo(500, 9);
  });

  it('refuses a non-positive rate', () => {
    expect(() => poissonSchedule(0, 0, mulberry32(1))).toThrow(RangeError);
    expect(() => poissonSchedule(0, -1, mulberry32(1))).toThrow(RangeError);
  });
});

describe('scaledOffsets', () => {
  it('replays offsets from start, divided by speed, in the order given', () => {
    expect(drain(scaledOffsets(100, [0, 1000, 2500, 2000], 2))).toEqual([100, 600, 1350, 1100]);
    expect(drain(scaledOffsets(0, [0, 300], 0.5))).toEqual([0, 600]);
    expect(drain(scaledOffsets(0, [], 1))).toEqual([]);
  });

  it('refuses a non-positive speed', () => {
    expect(() => scaledOffsets(0, [0], 0)).toThrow(RangeError);
  });
});

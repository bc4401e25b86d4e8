import { describe, expect, it } from 'vitest';
import { mulberry32, normalSampler } from '../../../src/core/random.js';
import { bootstrapMedianDifference, fisherExact, mannWhitney, median, percentile } from '../../../src/compare/compare-stats.js';

describe('mannWhitney', () => {
  // Reference values from SciPy 1.17: scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True).
  it('matches SciPy on a textbook sample', () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const t = mannWhitney(x, y)!;
    expect(t.u).toBe(58);
    expect(t.pValue).toBeCloseTo(0.13291945818531892, 6);
  });

  it('matches SciPy with ties (tie-corrected variance)', () => {
    const t = mannWhitney([1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [3, 4, 4, 5, 6, 6, 7, 7, 8, 9, 9])!;
    expect(t.u).toBe(15.5);
    expect(t.pValue).toBeCloseTo(0.005625214779700691, 6);
  });

  it('is symmetric in its p-value, 1 for identical samples, null below 5 samples a side', () => {
    const a = [5, 7, 9, 11, 13, 15];
    const b = [6, 8, 10, 12, 14, 16, 18];
    expect(mannWhitney(a, b)!.pValue).toBeCloseTo(mannWhitney(b, a)!.pValue, 12);
    expect(mannWhitney(a, a)!.pValue).toBe(1);
    expect(mannWhitney([1, 1, 1, 1, 1], [1, 1, 1, 1, 1])!.pValue).toBe(1);
    expect(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8, 9])).toBeNull();
  });
});

describe('fisherExact', () => {
  // scipy.stats.fisher_exact([[errA, okA], [errB, okB]]).
  it('matches SciPy', () => {
    expect(fisherExact(1, 10, 11, 14)).toBeCloseTo(0.0027594561852200836, 9);
    expect(fisherExact(3, 100, 12, 100)).toBeCloseTo(0.028671314973177094, 9);
  });

  it('is 1 without errors, with only errors, or with an empty side', () => {
    expect(fisherExact(0, 40, 0, 40)).toBe(1);
    expect(fisherExact(40, 40, 40, 40)).toBe(1);
    expect(fisherExact(0, 0, 3, 40)).toBe(1);
    expect(fisherExact(2, 40, 2, 40)).toBeCloseTo(1, 12);
  });
});

describe('bootstrapMedianDifference', () => {
  const lognormal = (seed: number, median: number, n: number): number[] => {
    const normal = normalSampler(mulberry32(seed));
    return Array.from({ length: n }, () => median * Math.exp(0.25 * normal()));
  };

  it('covers a known shift and is reproducible with a seed', () => {
    const a = lognormal(1, 300, 60);
    const b = lognormal(2, 100, 60);
    const ci = bootstrapMedianDifference(a, b, mulberry32(9))!;
    expect(ci.low).toBeLessThan(200);
    expect(ci.high).toBeGreaterThan(200);
    expect(ci.high - ci.low).toBeLessThan(120);
    expect(bootstrapMedianDifference(a, b, mulberry32(9))).toEqual(ci);
  });

  it('straddles zero for samples from one distribution', () => {
    const ci = bootstrapMedianDifference(lognormal(3, 100, 80), lognormal(4, 100, 80), mulberry32(5))!;
    expect(ci.low).toBeLessThan(0);
    expect(ci.high).toBeGreaterThan(0);
  });

  it('is null without data; median and percentile of the raw values', () => {
    expect(bootstrapMedianDifference([], [1], mulberry32(1))).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNull();
    expect(percentile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12);
  });
});

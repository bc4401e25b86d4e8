import { describe, expect, it } from 'vitest';
import { lognormal, mulberry32, normalSampler } from '../../../src/core/random.js';
import { sampleDelay } from '../../../src/mock/plan.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe('mulberry32', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });

  it('draws uniformly in [0, 1)', () => {
    const rng = mulberry32(7);
    const draws = Array.from({ length: 10_000 }, rng);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const lowDecile = draws.filter((x) => x < 0.1).length / draws.length;
    expect(lowDecile).toBeGreaterThan(0.09);
    expect(lowDecile).toBeLessThan(0.11);
  });
});

describe('normalSampler', () => {
  it('has mean 0 and standard deviation 1', () => {
    const normal = normalSampler(mulberry32(1));
    const xs = Array.from({ length: 20_000 }, normal);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.97);
    expect(sd).toBeLessThan(1.03);
  });
});

describe('lognormal delays', () => {
  it('has the configured value as its median over 10k draws', () => {
    for (const [ms, sigma] of [
      [200, 0.25],
      [400, 1.0],
    ] as const) {
      const normal = normalSampler(mulberry32(99));
      const xs = Array.from({ length: 10_000 }, () => lognormal(ms, sigma, normal));
      expect(Math.abs(median(xs) / ms - 1)).toBeLessThan(0.03);
      expect(Math.min(...xs)).toBeGreaterThan(0);
    }
  });

  it('has a heavier tail with a larger sigma', () => {
    const p99 = (sigma: number): number => {
      const normal = normalSampler(mulberry32(5));
      const xs = Array.from({ length: 10_000 }, () => lognormal(100, sigma, normal)).sort((a, b) => a - b);
      return xs[9_900]!;
    };
    // exp(2.326 * sigma): ~1.79x at 0.25, ~10.2x at 1.0
    expect(p99(0.25)).toBeGreaterThan(160);
    expect(p99(0.25)).toBeLessThan(200);
    expect(p99(1.0)).toBeGreaterThan(850);
    expect(p99(1.0)).toBeLessThan(1250);
  });

  it('is exact with jitter off and zero stays zero', () => {
    const normal = normalSampler(mulberry32(3));
    expect(sampleDelay(200, false, 1, normal)).toBe(200);
    expect(sampleDelay(0, true, 1, normal)).toBe(0);
    expect(lognormal(150, 0, normal)).toBe(150);
  });
});

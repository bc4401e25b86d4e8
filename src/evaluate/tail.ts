/**
 * How much worse a candidate's tail is than the reference's: the excess of
 * its p95 over the reference's p95, as a fraction (0.85 is "+85%"), with a
 * percentile-bootstrap interval, so a warn fires on a tail that is really
 * worse and not on the scatter of a few dozen samples. Pure; the randomness
 * is the seeded source of src/core/random.ts (the same --seed, the same
 * interval).
 */
import { mulberry32 } from '../core/random.js';
import { percentile } from '../compare/compare-stats.js';

export interface TailExcess {
  candidateP95: number;
  referenceP95: number;
  /** candidateP95 / referenceP95 − 1. */
  excess: number;
  /** The bootstrap interval of `excess` at `confidence`. */
  low: number;
  high: number;
  n: { candidate: number; reference: number };
}

/** Fewer samples than this on a side: no p95 worth judging (the 95th of 10 values is nearly the largest). */
export const MIN_TAIL_SAMPLES = 10;

const RESAMPLES = 1000;

function resampledP95(xs: readonly number[], scratch: number[], rng: () => number): number {
  const n = xs.length;
  for (let i = 0; i < n; i++) scratch[i] = xs[Math.floor(rng() * n)]!;
  return percentile(scratch, 0.95)!;
}

/** null when a side has fewer than MIN_TAIL_SAMPLES values or the reference's p95 is 0. */
export function tailExcess(candidate: readonly number[], reference: readonly number[], seed: number, confidence = 0.95): TailExcess | null {
  if (candidate.length < MIN_TAIL_SAMPLES || reference.length < MIN_TAIL_SAMPLES) return null;
  const c95 = percentile(candidate, 0.95)!;
  const r95 = percentile(reference, 0.95)!;
  if (!(r95 > 0)) return null;
  const rng = mulberry32(seed);
  const sc = new Array<number>(candidate.length);
  const sr = new Array<number>(reference.length);
  const draws: number[] = [];
  for (let i = 0; i < RESAMPLES; i++) {
    const r = resampledP95(reference, sr, rng);
    const c = resampledP95(candidate, sc, rng);
    if (r > 0) draws.push(c / r - 1);
  }
  const tail = (1 - confidence) / 2;
  return {
    candidateP95: c95,
    referenceP95: r95,
    excess: c95 / r95 - 1,
    low: percentile(draws, tail) ?? c95 / r95 - 1,
    high: percentile(draws, 1 - tail) ?? c95 / r95 - 1,
    n: { candidate: candidate.length, reference: reference.length },
  };
}

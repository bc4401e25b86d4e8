/**
 * The statistics of `relaymon compare`: is one target's distribution shifted
 * against the other's, by how much (with a confidence interval), and do two
 * error rates differ. Pure; randomness comes from a seeded source.
 *
 * Latencies are skewed and heavy-tailed, so nothing here assumes normality:
 * the Mann–Whitney U test (rank sums from simple-statistics, normal
 * approximation with a tie correction) says whether one sample tends to be
 * larger, a percentile bootstrap gives the interval of the difference of
 * medians, and Fisher's exact test compares error counts.
 */
import { errorFunction, gammaln, medianSorted, numericSort, quantileSorted, wilcoxonRankSum } from 'simple-statistics';
import type { Rng } from '../core/random.js';

export interface ShiftTest {
  /** Mann–Whitney U of the first sample. */
  u: number;
  z: number;
  /** Two-sided. */
  pValue: number;
}

/** Smallest samples the normal approximation of U is used for; below it there is no p-value. */
export const MIN_SAMPLE = 5;

/** Two-sided Mann–Whitney U test; null when a sample is smaller than MIN_SAMPLE. */
export function mannWhitney(a: readonly number[], b: readonly number[]): ShiftTest | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < MIN_SAMPLE || n2 < MIN_SAMPLE) return null;
  const u = wilcoxonRankSum(a as number[], b as number[]) - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const ties = tieTerm([...a, ...b]);
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const diff = u - (n1 * n2) / 2;
  // Continuity correction: U moves in steps of 1 (or ½ with ties).
  const z = (Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)) / Math.sqrt(variance);
  return { u, z, pValue: Math.min(1, Math.max(0, 1 - errorFunction(Math.abs(z) / Math.SQRT2))) };
}

/** Σ (t³ − t) over groups of tied values. */
function tieTerm(values: number[]): number {
  const s = numericSort(values);
  let sum = 0;
  let run = 1;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && s[i] === s[i - 1]) run++;
    else {
      if (run > 1) sum += run * run * run - run;
      run = 1;
    }
  }
  return sum;
}

export interface Interval {
  low: number;
  high: number;
}

/** Work cap for the bootstrap: resamples × (sizes) stays near this many draws. */
const BOOTSTRAP_DRAWS = 4_000_000;

/**
 * Percentile bootstrap interval of median(a) − median(b) at `confidence`.
 * The number of resamples shrinks for very large samples (at least 200) so
 * that a long run's comparison stays well under a second.
 */
export function bootstrapMedianDifference(
  a: readonly number[],
  b: readonly number[],
  rng: Rng,
  opts: { confidence?: number; resamples?: number } = {},
): Interval | null {
  if (a.length === 0 || b.length === 0) return null;
  const confidence = opts.confidence ?? 0.95;
  const resamples = opts.resamples ?? Math.max(200, Math.min(2000, Math.floor(BOOTSTRAP_DRAWS / (a.length + b.length))));
  const diffs = new Float64Array(resamples);
  const ra = new Float64Array(a.length);
  const rb = new Float64Array(b.length);
  for (let i = 0; i < resamples; i++) diffs[i] = resampledMedian(a, ra, rng) - resampledMedian(b, rb, rng);
  diffs.sort();
  const tail = (1 - confidence) / 2;
  const sorted = Array.from(diffs);
  return { low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
}

function resampledMedian(x: readonly number[], scratch: Float64Array, rng: Rng): number {
  const n = x.length;
  for (let i = 0; i < n; i++) scratch[i] = x[Math.floor(rng() * n)]!;
  scratch.sort();
  return n % 2 === 1 ? scratch[(n - 1) / 2]! : (scratch[n / 2 - 1]! + scratch[n / 2]!) / 2;
}

export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : medianSorted(numericSort(values as number[]));
}

export function percentile(values: readonly number[], p: number): number | null {
  return values.length === 0 ? null : quantileSorted(numericSort(values as number[]), p);
}

/**
 * Fisher's exact test, two-sided, of errors in two samples (errA of nA
 * against errB of nB): the probability, with both margins fixed, of a table
 * at most as likely as the one observed.
 */
export function fisherExact(errA: number, nA: number, errB: number, nB: number): number {
  const errors = errA + errB;
  const n = nA + nB;
  if (nA === 0 || nB === 0 || errors === 0 || errors === n) return 1;
  const logChoose = (m: number, k: number): number => gammaln(m + 1) - gammaln(k + 1) - gammaln(m - k + 1);
  const logDenominator = logChoose(n, errors);
  const prob = (k: number): number => Math.exp(logChoose(nA, k) + logChoose(nB, errors - k) - logDenominator);
  const observed = prob(errA);
  let p = 0;
  for (let k = Math.max(0, errors - nB); k <= Math.min(errors, nA); k++) {
    const pk = prob(k);
    // Relative slack: tables as likely as the observed one must count despite rounding.
    if (pk <= observed * (1 + 1e-7)) p += pk;
  }
  return Math.min(1, p);
}

/**
 * Seedable randomness. Math.random cannot be seeded, and a seeded run must
 * replay the same draws: the mock's faults and delays (so that a flaky client
 * test can be reproduced with `--seed`), the traffic schedule's arrival times,
 * compare's bootstrap. Pure.
 */

/** A uniform draw in [0, 1). */
export type Rng = () => number;

/** mulberry32: 32 bits of state, fast, and good enough for simulated latency. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from the system when none was given. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}

/**
 * Standard normal draws by Box–Muller. Keeps the spare value, so one call in
 * two costs no log/sqrt — this runs once per token at benchmark rates.
 */
export function normalSampler(rng: Rng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = rng();
    // log(0) is -Infinity; redraw the one value that would break the transform.
    while (u === 0) u = rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A lognormal draw whose median is `median`: exp(mu) is the median of a
 * lognormal, so mu = ln(median) keeps the configured value as the typical one
 * while sigma sets how heavy the tail is (sigma 1 puts p99 at ~10x the median).
 */
export function lognormal(median: number, sigma: number, normal: () => number): number {
  if (median <= 0) return 0;
  if (sigma <= 0) return median;
  return median * Math.exp(sigma * normal());
}

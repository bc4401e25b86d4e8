import { mulberry32, type Rng } from '../core/random.js';

/**
 * Open-loop send times (README.md "How the engine works"). Every schedule hands out
 * ABSOLUTE instants on the caller's monotonic clock (performance.now() ms),
 * computed ahead of time. The scheduler sleeps until an instant and records how
 * late it actually sent; it never sleeps "interval ms after the last send",
 * because relative sleeps let a slow response or a busy event loop push every
 * later request back — exactly the coordinated omission we must not commit.
 */
export interface Schedule {
  /** The next absolute instant (ms), or null when the schedule is done. */
  next(): number | null;
}

export { mulberry32, type Rng };

function checkCount(count: number | undefined): void {
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    throw new RangeError(`schedule count must be a whole number ≥ 0, got ${count}`);
  }
}

/**
 * start, start+i, start+2i, … Each instant is start + k·interval, not a running
 * sum, so float error does not accumulate over millions of sends.
 */
export function constantSchedule(startMs: number, intervalMs: number, count?: number): Schedule {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError(`interval must be above 0 ms, got ${intervalMs}`);
  checkCount(count);
  let k = 0;
  return {
    next() {
      if (count !== undefined && k >= count) return null;
      return startMs + k++ * intervalMs;
    },
  };
}

/** One exponential inter-arrival gap (ms) of a Poisson process with `ratePerSec` arrivals per second. */
export function exponentialGapMs(ratePerSec: number, rng: Rng): number {
  // rng() is in [0, 1), so ln(1 − u) is finite; log1p keeps precision for small u.
  return (-Math.log1p(-rng()) * 1000) / ratePerSec;
}

/**
 * Poisson arrivals: exponential gaps drawn from a seedable PRNG, so a seeded
 * run sends at the same instants every time. The first send is at `startMs`
 * itself (a probe at 1/min should not wait up to minutes for its first
 * answer); the process is memoryless, so this does not bias later gaps.
 * Here the instants are a running sum by nature; the gaps are independent
 * draws, so the sum's rounding error stays far below a microsecond.
 */
export function poissonSchedule(startMs: number, ratePerSec: number, rng: Rng, count?: number): Schedule {
  if (!(Number.isFinite(ratePerSec) && ratePerSec > 0)) throw new RangeError(`rate must be above 0 per second, got ${ratePerSec}`);
  checkCount(count);
  let k = 0;
  let at = startMs;
  return {
    next() {
      if (count !== undefined && k >= count) return null;
      if (k > 0) at += exponentialGapMs(ratePerSec, rng);
      k++;
      return at;
    },
  };
}

/**
 * Replay at the original timing, `speed` times faster (2 = twice as fast):
 * start + offset / speed, in the order given. Offsets that go backwards give
 * instants already past, which a scheduler sends at once.
 */
export function scaledOffsets(startMs: number, offsetsMs: readonly number[], speed: number): Schedule {
  if (!(Number.isFinite(speed) && speed > 0)) throw new RangeError(`speed must be above 0, got ${speed}`);
  let k = 0;
  return {
    next() {
      const offset = offsetsMs[k];
      if (offset === undefined) return null;
      k++;
      return startMs + offset / speed;
    },
  };
}

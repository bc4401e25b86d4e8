import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { InstantTimer, SPIN_MAX_MS, SPIN_SHARE, spinBefore } from '../../../src/engine/wait.js';

describe('waiting for a send instant (engine/wait.ts)', () => {
  it('spins at most SPIN_SHARE of the time between instants, and never more than SPIN_MAX_MS', () => {
    expect(spinBefore(100, null)).toBe(SPIN_MAX_MS); // the first instant: nothing to share, the most
    expect(spinBefore(100, 100)).toBe(SPIN_MAX_MS); // the same instant again (sends due together)
    expect(spinBefore(101, 100)).toBeCloseTo(SPIN_SHARE * 1); // 1000/s: 0.2 ms of every 1 ms
    expect(spinBefore(105, 100)).toBe(Math.min(SPIN_MAX_MS, SPIN_SHARE * 5)); // 200/s
    expect(spinBefore(150, 100)).toBe(SPIN_MAX_MS); // 20/s: capped
  });

  it('never fires before its instant, and keeps reading I/O while it spins up to it', async () => {
    const timer = new InstantTimer();
    for (const ahead of [0.3, 2, 8]) {
      const instant = performance.now() + ahead;
      // An event that becomes due while the timer walks its last stretch: a blocking wait would run it after the send.
      let otherRanAt: number | null = null;
      setTimeout(() => (otherRanAt = performance.now()), 0);
      const firedAt = await new Promise<number>((resolve) => timer.at(instant, () => resolve(performance.now())));
      expect(firedAt).toBeGreaterThanOrEqual(instant);
      if (ahead >= 2) expect(otherRanAt).not.toBeNull();
    }
  });

  it('a new instant replaces the pending one, and cancel() leaves nothing to fire', async () => {
    const timer = new InstantTimer();
    const fired: string[] = [];
    timer.at(performance.now() + 5, () => fired.push('first'));
    const second = new Promise<void>((resolve) => timer.at(performance.now() + 1, () => (fired.push('second'), resolve())));
    await second;
    timer.at(performance.now() + 2, () => fired.push('cancelled'));
    timer.cancel();
    await new Promise((resolve) => setTimeout(resolve, 12));
    expect(fired).toEqual(['second']);
  });
});

/**
 * Node keeps a timer for at most 2^31 - 1 ms (about 24.8 days); a longer one
 * fires after 1 ms with a TimeoutOverflowWarning. A user's duration can be
 * longer (`check -d 30d`, a ramp of long steps), so a timer set from one goes
 * through here: it waits in steps no longer than Node keeps.
 */
/** The longest timer Node keeps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

/** Calls `fn` once `ms` have passed, however long that is; `clear()` cancels it. */
export function setLongTimeout(fn: () => void, ms: number): LongTimeout {
  // The monotonic clock, as Node's timers use: a wall-clock change must not move the end. (The global, which
  // test/unit/core/long-timeout.test.ts's fake timers replace.)
  const end = performance.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout;
  const wait = (left: number): void => {
    timer = setTimeout(() => {
      const rest = end - performance.now();
      if (rest > 0) wait(rest);
      else fn();
    }, Math.min(left, MAX_TIMER_MS));
  };
  wait(Math.max(0, ms));
  return { clear: () => clearTimeout(timer) };
}

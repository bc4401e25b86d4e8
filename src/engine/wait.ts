import { performance } from 'node:perf_hooks';
import { MAX_TIMER_MS } from '../core/long-timeout.js';

/**
 * How the open loop waits for a send instant (open-loop.ts). A Node timer
 * alone is late by up to ~2 ms: it counts whole milliseconds of the loop's
 * cached clock (libuv), so it can fire early (then the loop waits another
 * whole millisecond) or a millisecond late. So the timer is aimed LEAD_MS
 * before the instant and the stretch after it is walked in two parts:
 *
 * - naps of at most NAP_MS (Atomics.wait: a real sleep, no CPU burnt), each
 *   followed by one turn of the event loop (setImmediate), so that responses
 *   arriving meanwhile are read and timed within NAP_MS;
 * - the last spinMs without naps: turns of the event loop back to back, which
 *   still read responses as they come.
 *
 * Why the spin: every sleep is a wake-up, and a thread's wake-up runs late
 * when other threads (the relay under test, the engine's own) share the
 * cores, on a virtual machine above all (its idle vCPU is halted and must be
 * scheduled again): on the project's 2-core VM a 0.25 ms nap returned 1 ms
 * or more late about once in a hundred beside a 200/s run, and up to 4 ms.
 * A nap that wakes late makes a late send: at 200/s, naps to the instant
 * gave send lateness p99 1.75–2.31 ms over 7 runs, the last 1 ms spun
 * 1.46–1.90 (bench/engine.mjs rateRun, BENCHMARKS.md "Send lateness: where
 * the tail came from"). A spin costs CPU for its whole length, so it is held to
 * SPIN_SHARE of the time between instants: at most 20% of one core at any
 * rate, 2% at 20/s.
 */
export const LEAD_MS = 1.5;
export const NAP_MS = 0.25;
/** The longest final spin, ms. */
export const SPIN_MAX_MS = 1;
/** The final spin's share of the time since the previous instant. */
export const SPIN_SHARE = 0.2;

/** How long to spin before `instant`, given the previous instant (null: none yet, spin the most). */
export function spinBefore(instant: number, previous: number | null): number {
  if (previous === null || instant <= previous) return SPIN_MAX_MS;
  return Math.min(SPIN_MAX_MS, SPIN_SHARE * (instant - previous));
}

const cell = new Int32Array(new SharedArrayBuffer(4));

/** One pending instant at a time; `at` replaces whatever was pending. */
export class InstantTimer {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** The instant last waited for, and the spin chosen for it (kept when the same instant is asked again). */
  private last: number | null = null;
  private spinMs = SPIN_MAX_MS;

  /** Calls `fn` as soon as performance.now() ≥ `instant` (at once if it already is). */
  at(instant: number, fn: () => void): void {
    this.cancel();
    if (instant !== this.last) {
      this.spinMs = spinBefore(instant, this.last);
      this.last = instant;
    }
    const spinMs = this.spinMs;
    const step = (): void => {
      this.timer = null;
      this.immediate = null;
      let left = instant - performance.now();
      if (left > LEAD_MS) {
        // No longer than Node keeps a timer (core/long-timeout.ts): step() measures again when it fires.
        this.timer = setTimeout(step, Math.min(left - LEAD_MS, MAX_TIMER_MS));
        return;
      }
      if (left > spinMs) {
        Atomics.wait(cell, 0, 0, Math.min(NAP_MS, left - spinMs));
        left = instant - performance.now();
      }
      if (left <= 0) fn();
      else this.immediate = setImmediate(step);
    };
    step();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}

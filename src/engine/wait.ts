import { performance } from 'node:perf_hooks';
import { MAX_TIMER_MS } from '../core/long-timeout.js';

/**
 * How the open loop waits for a send instant (open-loop.ts). A Node timer
 * alone is late by up to ~2 ms: it counts whole milliseconds of the loop's
 * cached clock (libuv), so it can fire early (then the loop waits another
 * whole millisecond) or a millisecond late. So the timer is aimed LEAD_MS
 * before the instant and the last stretch is walked in naps of at most
 * NAP_MS (Atomics.wait: a real sleep, no CPU burnt), each followed by one
 * turn of the event loop (setImmediate), so that responses arriving
 * meanwhile are read and timed within NAP_MS. A pure setImmediate spin
 * would cost the whole lead in CPU per send (30% of a core at 200/s, on a
 * machine that may share its cores with the relay under test).
 */
export const LEAD_MS = 1.5;
export const NAP_MS = 0.25;


const cell = new Int32Array(new SharedArrayBuffer(4));

/** One pending instant at a time; `at` replaces whatever was pending. */
export class InstantTimer {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  /** Calls `fn` as soon as performance.now() ≥ `instant` (at once if it already is). */
  at(instant: number, fn: () => void): void {
    this.cancel();
    const step = (): void => {
      this.timer = null;
      this.immediate = null;
      let left = instant - performance.now();
      if (left > LEAD_MS) {
        // No longer than Node keeps a timer (core/long-timeout.ts): step() measures again when it fires.
        this.timer = setTimeout(step, Math.min(left - LEAD_MS, MAX_TIMER_MS));
        return;
      }
      if (left > 0) {
        Atomics.wait(cell, 0, 0, Math.min(NAP_MS, left));
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

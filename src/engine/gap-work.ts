import { performance } from 'node:perf_hooks';
import { GapDemand } from './gap-demand.js';

/**
 * The engine worker's own periodic work, its tick (alert rules, the
 * snapshot and its postMessage: ticks.ts), put in the gap after an open
 * loop's send rather than on a send instant.
 *
 * The tick timer (setInterval, every 250 ms) keeps one phase against a
 * schedule whose interval divides 250 ms: in one run at 200/s it fired
 * 0.01 ms before a send instant every time, in another 2.5 ms before, and
 * a send due meanwhile waited for it. A tick took 0.24 ms at the median and
 * up to 1.3 ms headless, 0.9 ms and up to 5.8 ms with the dashboard's live
 * statistics (every window, every tick). In that live run 47 of the 162
 * sends ≥ 2 ms late (after its first second) were due within 10 ms of a
 * tick; with the ticks between sends, 13 of 54 (BENCHMARKS.md, "Issue 14's
 * seventh round").
 *
 * So a job runs at once only when the loop's next instant is far enough
 * away (MIN_GAP_MS, or GAP_PER_COST times the recent worst of these jobs);
 * otherwise it is owed, and runs on the turn after that instant's sends
 * are written, where the whole gap to the following instant lies ahead of
 * it. A job is late by at most that one instant, plus its sends' own time;
 * never later than FALLBACK_MS after it (the loop paused or ended between
 * the two; its `cancel` hands owed work over on the next turn anyway). Without an open
 * loop (a closed loop's run, or none yet) every job runs at once.
 */

/** Run a job at once only with at least this long before the next instant… */
export const MIN_GAP_MS = 1;
/** …and at least GAP_PER_COST times the recent worst job (it halves every HALF_LIFE_MS; gap-demand.ts). */
export { GAP_PER_COST, HALF_LIFE_MS } from './gap-demand.js';
/** An owed job runs no later than this after the instant it waited for. */
export const FALLBACK_MS = 50;

export class GapWork {
  /** The open loop's next instant; null: none pending. */
  private next: number | null = null;
  private owed: Array<() => void> = [];
  private immediate: NodeJS.Immediate | null = null;
  private fallback: NodeJS.Timeout | null = null;
  private readonly demand = new GapDemand(MIN_GAP_MS);
  /** Jobs that waited for an instant (a count, for tests and benches). */
  deferred = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly fallbackMs = FALLBACK_MS,
  ) {}

  /** The gap a job needs at `now`. */
  neededMs(now = this.now()): number {
    return this.demand.neededMs(now);
  }

  /** Runs `job` now if the next instant leaves room for it, else right after that instant's sends. */
  run(job: () => void): void {
    const now = this.now();
    if (this.owed.length === 0 && (this.next === null || this.next - now >= this.neededMs(now))) {
      this.exec(job);
      return;
    }
    this.owed.push(job);
    if (this.next !== null && this.fallback === null) {
      this.fallback = setTimeout(() => this.flush(), Math.max(0, this.next - now) + this.fallbackMs);
      this.fallback.unref();
    }
  }

  /**
   * The open loop fired what was due and its next instant is `instant`: owed
   * work runs on the next turn, once the requests just fired are written
   * (their sends are timed at the write).
   */
  after(instant: number): void {
    this.next = instant;
    if (this.owed.length > 0) this.immediate ??= setImmediate(() => this.flush());
  }

  /** The open loop has no instant pending (paused, stopped, ran out): owed work runs on the next turn. */
  cancel(): void {
    this.next = null;
    if (this.owed.length > 0) this.immediate ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.fallback) clearTimeout(this.fallback);
    this.immediate = null;
    this.fallback = null;
    const jobs = this.owed;
    this.owed = [];
    this.deferred += jobs.length;
    for (const job of jobs) this.exec(job);
  }

  private exec(job: () => void): void {
    const start = this.now();
    try {
      job();
    } finally {
      const end = this.now();
      this.demand.seen(end - start, end);
    }
  }
}

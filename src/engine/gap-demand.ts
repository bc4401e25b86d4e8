/**
 * The gap a piece of the engine worker's own work asks for between two send
 * instants, sized by how long that work took lately: the gap collector
 * (gap-gc.ts, scavenges) and the gap work (gap-work.ts, the tick) each keep
 * one.
 */

/**
 * A gap is at least this many times the recent worst duration: on a loaded
 * machine a scavenge or a tick is preempted and takes many times its quiet
 * length, and one started in a short gap would overrun the instant it was
 * meant to spare. Not more: the worst is already a tail, and at 200/s the gap
 * after a send's turn is ~4.5 ms, which a quiet machine's 1.2–2.5 ms
 * scavenges must still fit.
 */
export const GAP_PER_COST = 1.25;
/** The worst seen halves every HALF_LIFE_MS, so one preempted moment asks for room for a while and then no more. */
export const HALF_LIFE_MS = 1000;

export class GapDemand {
  /** The worst, ms, as of `at` (it decays from there). */
  private worstMs = 0;
  private at = 0;

  /** minGapMs: the least gap asked for, whatever the recent durations. */
  constructor(private readonly minGapMs: number) {}

  /** The work took `durationMs`, ending at `endedAt`; one delivered after a later one changes nothing. */
  seen(durationMs: number, endedAt: number): void {
    if (endedAt < this.at) return;
    this.worstMs = Math.max(durationMs, this.recentWorst(endedAt));
    this.at = endedAt;
  }

  /** The gap to the next instant the work needs at `now`: minGapMs, or GAP_PER_COST × the recent worst. */
  neededMs(now: number): number {
    return Math.max(this.minGapMs, GAP_PER_COST * this.recentWorst(now));
  }

  private recentWorst(now: number): number {
    return this.worstMs * 0.5 ** ((now - this.at) / HALF_LIFE_MS);
  }
}

/**
 * The worst of recent durations, decaying: the worst seen halves every
 * `halfLifeMs` from when it was seen, so one preempted moment asks for room
 * for a while and then no more. The gap collector (gap-gc.ts) and the gap
 * work (gap-work.ts) size the gaps they ask for with it.
 */
export class RecentWorst {
  /** The worst, ms, as of `at` (it decays from there). */
  private worstMs = 0;
  private at = 0;

  constructor(private readonly halfLifeMs: number) {}

  /** Something took `durationMs`, ending at `endedAt`; one delivered after a later one changes nothing. */
  seen(durationMs: number, endedAt: number): void {
    if (endedAt < this.at) return;
    this.worstMs = Math.max(durationMs, this.read(endedAt));
    this.at = endedAt;
  }

  read(now: number): number {
    return this.worstMs * 0.5 ** ((now - this.at) / this.halfLifeMs);
  }
}

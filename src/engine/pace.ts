/**
 * Back-pressure on the engine's snapshots: the runner posts the next periodic
 * snapshot only once the main thread has taken the last one (its Engine
 * handle answers each with a 'took' message, engine.ts). A tick that finds
 * the last snapshot untaken posts nothing; what it would have carried stays
 * where it is kept until then (the results batch in results.ts, the alert
 * transitions in ticks.ts), so the next snapshot carries all of it and
 * nothing is lost. When the main thread takes the outstanding snapshot after
 * such a missed tick, a fresh one is posted at once: latest wins.
 *
 * Without it the worker posted one snapshot per tick whatever the main
 * thread's pace, and a main thread that drew slower than they came (watch
 * on a loaded machine) let the port's queue grow without bound, and the
 * final result, queued behind it, never came (docs/architecture.md,
 * "Back-pressure").
 *
 * Unpaced (a runner driven directly, as the tests do): every tick posts.
 */
export class SnapshotPace {
  private outstanding = false;
  private missed = false;

  constructor(private readonly paced: boolean) {}

  /** A tick wants to post: true when it may; false records the tick as missed. */
  mayPost(): boolean {
    if (!this.outstanding) return true;
    this.missed = true;
    return false;
  }

  /** A periodic snapshot has been posted and is outstanding until taken. */
  posted(): void {
    this.outstanding = this.paced;
  }

  /** The main thread took the outstanding snapshot: true when a tick was missed meanwhile (post a fresh one now). */
  took(): boolean {
    this.outstanding = false;
    const missed = this.missed;
    this.missed = false;
    return missed;
  }
}

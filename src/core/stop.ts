/**
 * The reason a run's own stop aborts the requests still in flight once its
 * grace period is over (src/engine/runner.ts). The client reads it to tell a
 * request relaymon cut short (`cancelled`: an unfinished request, neither the
 * relay's error nor a timing) from one the relay had already failed:
 *
 * - a request still opening its connection had tried for the whole grace
 *   period (it was sent before the stop): the relay's `timeout` (connect);
 * - a stream that had started and then sent nothing for the whole grace
 *   period had stalled: the relay's `timeout` (idle);
 * - a request still without its first token that had waited at least the
 *   grace period and longer than every answer this target gave in the run is
 *   hanging, keep-alive comments or not: the relay's `timeout` (first_token).
 *   With no answer to compare with, it stays unfinished.
 *   One that had waited less than the slowest answer may simply be slow (a
 *   reasoning model); it stays unfinished, and the run says so.
 */
export class GracePeriodOver extends Error {
  constructor(
    readonly graceMs: number,
    /** The longest latencyMs of a successful answer per target in this run (absent: none succeeded). */
    private readonly slowestOkMs: ReadonlyMap<string, number> = new Map(),
  ) {
    super(`the run stopped and its ${graceMs} ms grace period ran out`);
    this.name = 'GracePeriodOver';
  }

  /**
   * Has a request to `target`, `waitedMs` after its send and still without a
   * first token, outwaited every answer? Not when the target gave none: a run
   * shorter than the relay's answers (check -d 3s against 15 s answers) has
   * nothing to compare with, and its requests stay unfinished.
   */
  outwaitedEveryAnswer(target: string, waitedMs: number): boolean {
    const slowest = this.slowestOkMs.get(target);
    return slowest !== undefined && waitedMs >= this.graceMs && waitedMs > slowest;
  }
}

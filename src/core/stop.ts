/**
 * The reason a run's own stop aborts the requests still in flight once its
 * grace period is over (src/engine/runner.ts). The client reads it to tell
 * a request relaymon cut short (`cancelled`, an unfinished request) from a
 * stream the relay had stalled for the whole grace period (the relay's
 * `timeout`).
 */
export class GracePeriodOver extends Error {
  constructor(readonly graceMs: number) {
    super(`the run stopped and its ${graceMs} ms grace period ran out`);
    this.name = 'GracePeriodOver';
  }
}

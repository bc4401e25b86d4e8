import { performance } from 'node:perf_hooks';
import type { RelayClient } from '../client/index.js';
import type { RequestLog } from '../export/request-log.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import type { EngineSnapshot, FromWorker, StoppedBy } from './messages.js';
import { sendingMs, type RunView } from './ticks.js';

/** What the run's end reads and closes of the run (EngineRunner, runner.ts, which alone writes it). */
export interface FinishingRun extends RunView {
  readonly stoppedBy: StoppedBy;
  /** performance.now() when sending stopped for a reason of time (not the plan running out); rates end here. */
  readonly measuredEnd: number | null;
  /** The last reset (watch's `r`): the totals start there, so the span their rates divide by does too. */
  readonly resetAt: number | null;
  readonly log: RequestLog | null;
  readonly client: RelayClient | null;
  readonly unwatchScavenges: (() => void) | null;
  snapshot(withStats: boolean, measuredEnd?: number): EngineSnapshot;
}

/**
 * The run's end, once it is 'stopped' and its timers are cleared
 * (EngineRunner.finish): the final snapshot and thresholds, the log, the
 * monitors and the client closed, and the final result posted.
 */
export async function finishRun(run: FinishingRun, post: (msg: FromWorker) => void): Promise<void> {
  // Closed-loop workers the stop woke (from a back-off, at the cap) count their sends as dropped first.
  await new Promise((resolve) => setImmediate(resolve));
  const now = performance.now();
  // Statistics as of the end of the measured span: every result is in, and rates and cost per hour divide by that span.
  const end = Math.min(now, run.measuredEnd ?? now);
  const snapshot = { ...run.snapshot(false, end), stats: run.stats.snapshot(end) };
  const thresholds = evaluateThresholds(run.config.thresholds, run.stats.query('all', end));
  run.log?.close();
  run.saturation.close();
  run.unwatchScavenges?.();
  // Every request has settled; what undici may still hold (a connect a timeout or the grace period gave up on) is dropped, not waited for.
  await run.client?.close({ force: true }).catch(() => undefined);
  post({
    type: 'final',
    final: {
      snapshot,
      stoppedBy: run.stoppedBy,
      durationMs: now - run.startPerf,
      measuredMs: run.planStart === null ? 0 : sendingMs(run, Math.max(run.planStart, run.resetAt ?? run.planStart), end),
      thresholds,
      anyHttpAnswer: run.results.anyHttpAnswer,
      // Read after the final snapshot, so the last stretch (the drain) is in it.
      saturation: run.saturation.runTotal(),
    },
  });
}

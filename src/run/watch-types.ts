/** What both views of `watch` (run/watch-plain.ts, run/watch-tui.ts) take and give back; apart so neither imports run/watch.ts. */
import type { ExitCode } from '../core/errors.js';
import type { EngineFinal } from '../engine/messages.js';
import type { WindowName } from '../stats/windows.js';
import type { NotifyConfig } from '../config/schema.js';
import type { Io } from './io.js';
import type { MetricsHandle } from './metrics.js';
import type { RunConfig } from './pipeline.js';
import type { ReportSink } from './report-write.js';

/** Everything both modes need: the engine's config, the thresholds, and how to show it. */
export interface WatchSetup {
  engine: RunConfig;
  notify: NotifyConfig | undefined;
  window: WindowName;
  fps: number;
  intervalMs: number;
  io: Io;
  /** /metrics (--metrics-port): fed every snapshot, the final one included. */
  metrics: MetricsHandle | null;
  /** --report FILE: every result of the run goes to it. */
  report: ReportSink | null;
}

export interface WatchOutcome {
  final: EngineFinal;
  exitCode: ExitCode;
  /** How long the stop waited for requests in flight; null: the user cut the wait short (run/pipeline.ts RunOutcome). */
  graceMs: number | null;
  /** Wall clock (epoch ms) of the last `r`: the summary covers only the traffic after it. */
  resetAt?: number;
}

/**
 * `watch` without a terminal (or with --no-tui): the engine headless as check
 * runs it (alerts to their sinks and as JSON lines on stderr, /metrics), plus
 * one logfmt line per target every interval (README.md "Watch relays live").
 */
import type { ExitCode } from '../core/errors.js';
import type { EngineFinal, EngineSnapshot } from '../engine/messages.js';
import { logfmtLine } from '../export/logfmt.js';
import { runExitCode, runHeadlessWithAlerts } from './headless.js';
import type { WatchSetup } from './watch.js';

export interface WatchOutcome {
  final: EngineFinal;
  exitCode: ExitCode;
  /** Wall clock (epoch ms) of the last `r`: the summary covers only the traffic after it. */
  resetAt?: number;
}

/** The lines due at a snapshot: one per target, from the chosen window (targets without data yet get empty values). */
export function plainLines(s: EngineSnapshot, targets: readonly string[], window: WatchSetup['window'], now: Date): string[] {
  return targets.map((name) => {
    const cell = s.stats?.targets.find((t) => t.target === name);
    const info = s.targets.find((t) => t.name === name);
    return logfmtLine(now, name, cell ? cell.windows[window] : null, info);
  });
}

export async function runWatchPlain(s: WatchSetup, opts: { linesToStderr: boolean }): Promise<WatchOutcome> {
  const names = s.engine.targets.map((t) => t.name);
  const write = opts.linesToStderr ? s.io.err : s.io.out;
  // Lines are due on the run's own clock, so a slow tick never shifts every later line.
  let dueAt = s.intervalMs;
  const run = await runHeadlessWithAlerts(s.engine, s.notify, s.io, {
    metrics: s.metrics,
    liveStats: true,
    command: 'watch',
    onSnapshot: (snap) => {
      if (snap.elapsedMs < dueAt || snap.stats === null) return;
      while (dueAt <= snap.elapsedMs) dueAt += s.intervalMs;
      write(plainLines(snap, names, s.window, new Date()).join('\n') + '\n');
    },
  });
  return { final: run.final, exitCode: runExitCode(run.final, run.interrupted) };
}

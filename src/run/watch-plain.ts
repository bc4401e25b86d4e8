/**
 * `watch` without a terminal (or with --no-tui): the run pipeline headless as
 * check runs it (alerts to their sinks and as JSON lines on stderr, /metrics),
 * plus one logfmt line per target every interval (README.md "Watch relays live").
 */
import type { EngineSnapshot } from '../engine/messages.js';
import { logfmtLine } from '../export/logfmt.js';
import { runPipeline } from './pipeline.js';
import { pipelineExitCode } from './outcome.js';
import type { WatchOutcome, WatchSetup } from './watch-types.js';

/** The lines due at a snapshot: one per target, from the chosen window (targets without data yet get empty values). */
export function plainLines(s: EngineSnapshot, targets: readonly string[], window: WatchSetup['window'], now: Date): string[] {
  return targets.map((name) => {
    const cell = s.stats?.targets.find((t) => t.target === name);
    const info = s.targets.find((t) => t.name === name);
    return logfmtLine(now, name, cell?.windows[window] ?? null, info);
  });
}

export async function runWatchPlain(s: WatchSetup, opts: { linesToStderr: boolean }): Promise<WatchOutcome> {
  const names = s.engine.targets.map((t) => t.name);
  const write = opts.linesToStderr ? s.io.err : s.io.out;
  // Lines are due on the run's own clock, so a slow tick never shifts every later line.
  let dueAt = s.intervalMs;
  const outcome = await runPipeline(s.engine, s.io, {
    command: 'watch',
    notify: s.notify,
    metrics: s.metrics,
    liveStats: true,
    window: s.window,
    ...(s.report ? { emitResults: true } : {}),
    onSnapshot: (snap) => {
      s.report?.observe(snap);
      if (snap.elapsedMs < dueAt || snap.stats === null) return;
      while (dueAt <= snap.elapsedMs) dueAt += s.intervalMs;
      write(plainLines(snap, names, s.window, new Date()).join('\n') + '\n');
    },
  });
  return { final: outcome.final, exitCode: pipelineExitCode(outcome), graceMs: outcome.graceMs };
}

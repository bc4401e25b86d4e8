import { Engine } from '../engine/engine.js';
import type { EngineConfig, EngineFinal, EngineSnapshot, RunSaturation, TargetSchedule } from '../engine/messages.js';
import type { ResolvedTarget } from '../core/target.js';
import type { Summary } from '../stats/summary.js';
import type { WindowStats } from '../stats/windows.js';
import type { ThresholdResult } from '../stats/thresholds.js';
import { EXIT, type ExitCode } from '../core/errors.js';
import { registeredSecrets } from '../core/redact.js';
import { fmtMs, fmtPct } from '../export/format.js';
import { saturationNote } from '../export/saturation-text.js';
import type { Io } from './io.js';
import { onInterrupt } from './signals.js';
import { createProgress } from './progress.js';
import { Notifier } from '../alerts/notifier.js';
import type { NotifyConfig, RelaymonConfig } from '../config/schema.js';
import type { MetricsHandle } from './metrics.js';
import type { RunSummaryOutput } from '../export/contracts/index.js';

/** How long a stop waits for requests in flight before cancelling them. */
export const DEFAULT_GRACE_MS = 10_000;

export interface HeadlessRun {
  final: EngineFinal;
  interrupted: boolean;
}

/**
 * Runs the engine without a dashboard (check, replay, watch --no-tui,
 * compare): progress on stderr by the one rule of progress.ts (a live line on
 * a terminal, a line every 30 s off one), first Ctrl-C/SIGTERM stops cleanly
 * (the summary still prints), a second exits at once.
 */
export async function runHeadless(
  config: Omit<EngineConfig, 'secrets'>,
  io: Io,
  opts: { progress: boolean; command?: string; onSnapshot?: (s: EngineSnapshot) => void },
): Promise<HeadlessRun> {
  const engine = new Engine({ ...config, secrets: registeredSecrets() });
  let interrupted = false;
  const release = onInterrupt(() => {
    interrupted = true;
    engine.stop('interrupt');
  });
  const progress = createProgress(io, opts.command ?? 'relaymon', { enabled: opts.progress });
  const onSnapshot = opts.onSnapshot;
  engine.on('snapshot', (s) => {
    progress.update(s.elapsedMs, () => progressLine(s), onSnapshot ? () => onSnapshot(s) : undefined);
  });
  try {
    const final = await engine.done;
    progress.done();
    return { final, interrupted };
  } finally {
    release();
  }
}

export function progressLine(s: EngineSnapshot): string {
  const { sent, done, errors, total } = s.progress;
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? done / secs : 0;
  const errPart = `${errors} errors${done > 0 ? ` (${fmtPct(errors / done)})` : ''}`;
  if (total !== null && total > 0) {
    const width = 24;
    const filled = Math.min(width, Math.round((done / total) * width));
    const eta = rate > 0 ? (total - done) / rate : null;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)}/s  ${errPart}  ETA ${eta === null ? '?' : fmtMs(eta * 1000)}`;
  }
  return `${done} done, ${sent - done} in flight  ${rate.toFixed(1)}/s  ${errPart}  ${fmtMs(s.elapsedMs)}`;
}

export type HeadlessConfig = Omit<EngineConfig, 'secrets' | 'tickMs' | 'graceMs' | 'emitResults' | 'liveStats'>;

/**
 * check, replay and watch --no-tui: the engine headless, alert transitions handed to the
 * notifier as they come (webhook, Alertmanager, JSON lines on stderr), and
 * deliveries flushed (bounded) before the summary is printed. With a metrics
 * hook (--metrics-port) every snapshot, the final one too, carries its
 * finished results and window statistics to it.
 */
export async function runHeadlessWithAlerts(
  config: HeadlessConfig,
  notify: NotifyConfig | undefined,
  io: Io,
  opts: {
    metrics?: Pick<MetricsHandle, 'onSnapshot'> | null;
    /** Window statistics in every snapshot even without metrics (watch's plain lines need them). */
    liveStats?: boolean;
    /** Progress on stderr by the rule of progress.ts (default on). */
    progress?: boolean;
    /** The command, named on the off-terminal progress lines. */
    command?: string;
    onSnapshot?: (s: EngineSnapshot) => void;
  } = {},
): Promise<HeadlessRun> {
  const notifier = new Notifier({ rules: config.alerts, notify, env: process.env, headless: true, stderr: (line) => io.err(line + '\n'), bell: null });
  const metrics = opts.metrics ?? null;
  const run = await runHeadless(
    // Without metrics only the progress line is live: no per-tick window statistics (they would delay sends).
    // /metrics needs the results, and the 1m window for relaymon_target_state.
    { ...config, tickMs: 250, graceMs: DEFAULT_GRACE_MS, emitResults: metrics !== null, liveStats: metrics !== null || opts.liveStats === true },
    io,
    {
      progress: opts.progress ?? true,
      ...(opts.command !== undefined ? { command: opts.command } : {}),
      onSnapshot: (s) => {
        notifier.handle(s.alertTransitions);
        metrics?.onSnapshot(s);
        opts.onSnapshot?.(s);
      },
    },
  );
  notifier.handle(run.final.snapshot.alertTransitions);
  metrics?.onSnapshot(run.final.snapshot);
  await notifier.flush(5000);
  await notifier.close();
  return run;
}

/** Price files in the order they stack: the config's, then --prices. */
export function priceFiles(config: RelaymonConfig | null, flag: string | undefined): string[] {
  return [config?.prices, flag].filter((p): p is string => typeof p === 'string');
}

/** The `summary` object (README.md "`probe --json`") from a window's statistics. */
export function toSummary(w: WindowStats): Summary {
  return {
    requests: w.requests,
    errors: w.errors,
    errorRate: w.errorRate,
    errorTypes: w.errorTypes,
    unfinished: w.unfinished,
    latencyMs: w.latencyMs,
    latencyScheduledMs: w.latencyScheduledMs,
    ttfbMs: w.ttfbMs,
    ttftMs: w.ttftMs,
    ttftContentMs: w.ttftContentMs,
    itlMs: w.itlMs,
    outputTokensPerSecond: w.outputTokensPerSecond,
    inputTokens: w.inputTokens,
    outputTokens: w.outputTokens,
    costUsd: w.costUsd,
    unpricedRequests: w.unpricedRequests,
  };
}

/** A target object of the run summary; maxInFlight and schedule are absent in summaries made before a run (tests, readers of old files). */
export interface RunTargetJson {
  name: string;
  baseUrl: string;
  protocol: ResolvedTarget['protocol'];
  summary: Summary | null;
  maxInFlight?: number;
  schedule?: TargetSchedule | null;
}

export interface RunSummary {
  command: string;
  startedAt: string;
  durationMs: number;
  measuredMs?: number;
  /** Absent only in summaries made before a run (tests, readers of old files). */
  saturation?: RunSaturation;
  stoppedBy: EngineFinal['stoppedBy'];
  targets: RunTargetJson[];
  summary: Summary;
  thresholds: ThresholdResult[];
}

/**
 * `{command, startedAt, durationMs, measuredMs, saturation, stoppedBy, targets, summary, thresholds}` for check, replay and watch.
 * measuredMs is the span rates and cost per hour are over (EngineFinal.measuredMs); saturation, how long relaymon
 * itself was the bottleneck; each target carries its cap (maxInFlight) and what became of the sends owed to it (schedule).
 */
export function runSummaryJson(command: RunSummaryOutput['command'], targets: readonly ResolvedTarget[], final: EngineFinal): RunSummaryOutput {
  const snap = final.snapshot;
  return {
    command,
    startedAt: new Date(snap.startedAt).toISOString(),
    durationMs: Math.round(final.durationMs),
    measuredMs: Math.round(final.measuredMs),
    saturation: saturationJson(final.saturation),
    stoppedBy: final.stoppedBy,
    targets: targets.map((t) => {
      const cell = snap.stats.targets.find((c) => c.target === t.name);
      const info = snap.targets.find((i) => i.name === t.name);
      return {
        name: t.name,
        baseUrl: t.baseUrl,
        protocol: t.protocol,
        summary: cell ? toSummary(cell.windows.all) : null,
        maxInFlight: info?.cap ?? t.concurrency,
        schedule: info?.schedule ?? null,
      };
    }),
    summary: toSummary(snap.stats.windows.all),
    thresholds: final.thresholds,
  };
}

/** The run's saturation account as the JSON carries it: whole milliseconds, a tenth for the maxima. */
export function saturationJson(s: RunSaturation): RunSaturation {
  const tenth = (ms: number): number => Math.round(ms * 10) / 10;
  return { saturatedMs: Math.round(s.saturatedMs), eventLoopDelayP99MaxMs: tenth(s.eventLoopDelayP99MaxMs), sendLagMaxMs: tenth(s.sendLagMaxMs) };
}

/** Said on stderr when relaymon itself was the bottleneck for part of the run; the exit code does not change. */
export function saturationMessage(command: string, final: EngineFinal): string | null {
  const note = saturationNote(final.saturation, final.durationMs);
  return note === null ? null : `${command}: ${note}\n`;
}

/** Said on stderr when a run ends unreachable (exit 3), so the text does not read like a failed threshold. */
export function unreachableNote(command: string, final: EngineFinal): string | null {
  if (!isUnreachable(final)) return null;
  const types = Object.entries(final.snapshot.stats.windows.all.errorTypes).sort((a, b) => b[1] - a[1]);
  const why = types.length > 0 ? ` (${types.map(([t, n]) => `${t} ×${n}`).join(', ')})` : '';
  return `${command}: unreachable: no request got an HTTP answer from any target${why}; exit 3\n`;
}

/**
 * Requests still unanswered when the grace period ran out are neither errors
 * nor timings (core/stop.ts), so a verdict cannot see them: say how many,
 * on stderr, so a run that cut many short does not pass unremarked.
 */
export function unfinishedNote(command: string, final: EngineFinal): string | null {
  const all = final.snapshot.stats.windows.all;
  if (all.unfinished === 0) return null;
  const seen = all.requests + all.unfinished;
  return (
    `${command}: ${all.unfinished} of ${seen} requests were still unanswered when the run stopped (cut after its ${DEFAULT_GRACE_MS / 1000} s grace period): ` +
    `neither errors nor timings, so no threshold judged them; a longer --duration lets slow answers finish\n`
  );
}

/** Requests finished and none got an HTTP answer from any target (exit 3). */
function isUnreachable(final: EngineFinal): boolean {
  // Requests relaymon cut short itself (unfinished) say nothing of whether the relay answers.
  return final.snapshot.stats.windows.all.requests > 0 && !final.anyHttpAnswer;
}

/** Exit code of an engine run: the contract of README.md "Exit codes". */
export function runExitCode(final: EngineFinal, interrupted: boolean): ExitCode {
  if (interrupted) return EXIT.interrupted;
  if (isUnreachable(final)) return EXIT.unreachable;
  if (final.thresholds.some((t: ThresholdResult) => !t.ok)) return EXIT.failed;
  return EXIT.ok;
}

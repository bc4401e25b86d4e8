/** `relaymon watch`: the live dashboard in a terminal, logfmt lines off one; the run summary at the end. */
import { UsageError, type ExitCode } from '../core/errors.js';
import type { ResolvedTarget } from '../core/target.js';
import { preference } from './preferences.js';
import { resolveTargets } from '../config/targets.js';
import { PriceTable } from '../pricing/table.js';
import { parseThresholdMap } from '../stats/thresholds-parse.js';
import { withImpliedThresholds, type Threshold } from '../stats/thresholds.js';
import type { WindowName } from '../stats/windows.js';
import { compileAlertRules } from '../alerts/rules.js';
import { checkText } from '../export/check-text.js';
import { runHonesty } from '../export/honesty-text.js';
import type { Demo } from '../mock/demo.js';
import { DEFAULT_FPS } from '../ui/defaults.js';
import { budgetEndMessage, budgetEndNote } from '../traffic/budget.js';
import { checkOutputPaths, contextInputs, type Io, processIo, refuseClobbering, writeOutputFile } from './io.js';
import { metricsAddress, startMetrics, type MetricsFlags, type MetricsHandle } from './metrics.js';
import { priceFiles, runThresholds, type RunContext } from './context.js';
import { printDryRun, runOutputs, scheduledRun, type ScheduledFlags } from './scheduled.js';
import { endNotes } from './outcome.js';
import { runSummaryJson } from '../export/run-summary-json.js';
import { runWatchPlain } from './watch-plain.js';
import type { WatchOutcome, WatchSetup } from './watch-types.js';
import { DEFAULT_INTERVAL, parseInterval } from './defaults.js';
import { reportSink } from './report-write.js';

export interface WatchFlags extends ScheduledFlags, MetricsFlags {
  threshold: string[];
  defaultThresholds?: boolean;
  json?: boolean;
  summary?: string;
  report?: string;
  demo?: boolean;
  tui: boolean;
  /** --interval in ms (at least 100). */
  interval?: number;
  fps?: number;
  window?: WindowName;
}

/** The demo's context: its own config, no files, no environment (it must work on a fresh machine). */
async function demoContext(demo: Demo): Promise<RunContext> {
  const config = demo.config;
  return {
    config,
    configPath: null,
    targets: await resolveTargets({ config, flags: {}, env: {} }),
    prices: PriceTable.builtIn(),
    thresholds: parseThresholdMap(config.thresholds ?? {}, 'the demo config'),
  };
}

export async function runWatch(flags: WatchFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color !== false && (await preference('color')) !== false });
  checkOutputPaths(runOutputs(flags));
  const report = reportSink(flags.report);
  const fps = flags.fps ?? (await preference('fps')) ?? DEFAULT_FPS;
  const intervalMs = flags.interval ?? parseInterval((await preference('interval')) ?? DEFAULT_INTERVAL);
  const window = flags.window ?? (await preference('window')) ?? '1m';
  metricsAddress(flags); // a bad --metrics-port is a usage error before anything starts
  // Checked here rather than by commander's .conflicts(): its message would name one flag of the three and not say why.
  if (flags.demo && (flags.baseUrl !== undefined || flags.config !== undefined || (flags.target?.length ?? 0) > 0)) {
    throw new UsageError('--demo watches its own simulated relays: leave out --base-url, --config and --target');
  }
  // The demo's relays and its config (validated by the config schema: zod) load only for --demo.
  const demo = flags.demo ? await (await import('../mock/demo.js')).startDemo() : null;
  let metrics: MetricsHandle | null = null;
  try {
    const context = demo ? await demoContext(demo) : undefined;
    const run = await scheduledRun(flags, { defaultDuration: null, ...(context ? { context } : {}) });
    refuseClobbering(contextInputs(run.ctx, demo ? {} : flags), runOutputs(flags));
    const user: Threshold[] = runThresholds(run.ctx, flags.threshold);
    // Only a bounded watch has a verdict to guard; an open-ended one is a monitor.
    const bounded = run.durationMs !== null || run.requests !== null;
    const thresholds = withImpliedThresholds(user, bounded && flags.defaultThresholds !== false);
    const alerts = compileAlertRules(run.ctx.config?.alerts, run.ctx.configPath ?? 'config');
    if (flags.dryRun) return printDryRun(run, io, flags);
    metrics = await startMetrics(flags, run.targets, { err: (t) => io.err(t) });
    const setup: WatchSetup = {
      engine: {
        targets: run.targets,
        priceFiles: demo ? [] : priceFiles(run.ctx.config, flags.prices),
        plan: run.plan,
        stopAfter: { durationMs: run.durationMs, requests: run.requests },
        log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
        thresholds,
        budgetUsd: run.budgetUsd,
        alerts,
      },
      notify: run.ctx.config?.notify,
      window,
      fps,
      intervalMs,
      io,
      metrics,
      report,
    };
    const tui = flags.tui !== false && io.stdoutIsTty;
    const outcome = tui ? await (await loadTui()).runWatchTui(setup) : await runWatchPlain(setup, { linesToStderr: flags.json === true });
    printSummary(flags, run.targets, outcome, io);
    // Unlike the summary, the report holds every result of the run, from before an `r` too (its note says so).
    report?.finish({ command: 'watch', final: outcome.final, targets: run.targets, exitCode: outcome.exitCode, ...(outcome.resetAt !== undefined ? { notes: ['The dashboard\'s windows were reset (r) during the run: the charts cover the whole run, the verdict only the traffic after the reset.'] } : {}) });
    return outcome.exitCode;
  } finally {
    await metrics?.close();
    await demo?.close();
  }
}

/**
 * Ink and React load only when a dashboard is drawn (every other command
 * starts faster without them). Ink decides at load time that a CI
 * environment gets no live frames; stdout is a terminal here, so someone is
 * looking at it, and CI/CONTINUOUS_INTEGRATION must not blank the dashboard.
 */
async function loadTui(): Promise<typeof import('./watch-tui.js')> {
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
  return import('./watch-tui.js');
}

function printSummary(flags: WatchFlags, targets: readonly ResolvedTarget[], outcome: WatchOutcome, io: Io): void {
  const { final } = outcome;
  const json = runSummaryJson('watch', targets, final);
  // `r` starts the measurement afresh, the run's summary included; say so rather than let it pass for the whole run.
  const resetNote = outcome.resetAt !== undefined ? `windows reset at ${new Date(outcome.resetAt).toLocaleTimeString()}: this summary covers the traffic after it` : null;
  if (flags.json) io.out(JSON.stringify(json, null, 2) + '\n');
  else io.out(checkText(json, { defaults: [], color: io.color, stopNote: resetNote ?? budgetEndNote(final.stoppedBy, final.snapshot.spend), honesty: runHonesty(final.snapshot.stats) }));
  if (resetNote && flags.json) io.err(`watch: ${resetNote}\n`);
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  for (const note of endNotes('watch', final, outcome.graceMs)) io.err(note);
  const budgetEnd = budgetEndMessage('watch', final.stoppedBy, final.snapshot.spend);
  if (budgetEnd !== null) io.err(budgetEnd);
}

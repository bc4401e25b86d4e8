import { Option, type Command } from 'commander';
import { UsageError, type ExitCode } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import { getPreference } from '../config/preferences.js';
import { resolveTargets } from '../config/targets.js';
import { PriceTable } from '../pricing/table.js';
import { parseThresholdMap } from '../stats/thresholds-parse.js';
import { IMPLIED_ERRORS_THRESHOLD, withImpliedThresholds, type Threshold } from '../stats/thresholds.js';
import { WINDOW_NAMES, type WindowName } from '../stats/windows.js';
import { compileAlertRules } from '../alerts/rules.js';
import { checkText } from '../export/check-text.js';
import { runHonesty } from '../export/honesty-text.js';
import { startDemo, type Demo } from '../mock/demo.js';
import { DEFAULT_FPS } from '../ui/defaults.js';
import { addScheduleOptions, printDryRun, runOutputs, scheduledRun, type CheckFlags } from './check.js';
import { addTargetOptions, allowManyTargets, contextInputs, runThresholds, type RunContext } from './context.js';
import { priceFiles, runSummaryJson, saturationMessage, unreachableNote, unfinishedNote, type HeadlessConfig } from './headless.js';
import { checkOutputPath, processIo, refuseClobbering, writeOutputFile, type Io } from './io.js';
import { addMetricsOptions, metricsAddress, startMetrics, type MetricsHandle } from './metrics.js';
import { runWatchPlain, type WatchOutcome } from './watch-plain.js';
import { budgetStopMessage, budgetStopNote } from '../traffic/budget.js';

export const DEFAULT_INTERVAL = '5s';

interface WatchFlags extends CheckFlags {
  // CheckFlags already carries --metrics-port/--metrics-host (MetricsFlags).
  demo?: boolean;
  tui: boolean;
  interval?: string;
  fps?: string;
  window?: WindowName;
}

/** Everything both modes need: the engine's config, the thresholds, and how to show it. */
export interface WatchSetup {
  engine: HeadlessConfig;
  notify: NonNullable<RunContext['config']>['notify'];
  window: WindowName;
  fps: number;
  intervalMs: number;
  io: Io;
  /** /metrics (--metrics-port): fed every snapshot, the final one included. */
  metrics: MetricsHandle | null;
}

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .description('live dashboard of every target: latency, first token, errors, tokens and dollars (plain lines when not a terminal)');
  addScheduleOptions(cmd, { durationDefault: 'until you quit' });
  cmd
    .option('--demo', 'watch two built-in simulated relays started in-process, with a staged incident (no key, no config, no cost)')
    .option('--no-tui', 'no dashboard: one logfmt line per target every --interval, the summary at the end (also when stdout is not a terminal)')
    .option('--interval <d>', `plain-mode line interval (default ${DEFAULT_INTERVAL}, or the "interval" preference)`)
    .option('--fps <n>', `most dashboard redraws per second, 1-60 (default ${DEFAULT_FPS}, or the "fps" preference)`)
    .addOption(new Option('--window <w>', 'rolling window shown first (default 1m, or the "window" preference)').choices([...WINDOW_NAMES]))
    .addOption(new Option('--threshold <expr>', 'k6-style threshold, repeatable: colours the dashboard and decides the exit code of a --duration run').argParser((v: string, p: string[]) => [...p, v]).default([], 'none'))
    .option('--no-default-thresholds', `a bounded run (--duration or --requests) does not imply ${IMPLIED_ERRORS_THRESHOLD} when no errors threshold is given`)
    .option('--json', 'print the final summary as JSON instead of text (plain-mode lines then go to stderr)')
    .option('--summary <file>', 'also write the JSON summary to FILE');
  addMetricsOptions(cmd);
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated (default: all)');
  cmd.addHelpText(
    'after',
    `
Keys: q or Ctrl-C quit (exit 0, then the summary) · p pause/resume · r reset windows
      w cycle window 1m/5m/15m/all · arrows/Tab focus a target · Enter detail · Esc back · ? help

Without --duration or --requests it runs until you quit. Probes come from the config file; without
any, one small streamed probe per target per second (keep paid relays in mind: see --budget-usd).

Examples:
  relaymon watch --demo                                # simulated relays, no key needed
  relaymon watch                                       # the targets and probes of relaymon.config.yaml
  relaymon watch --base-url http://127.0.0.1:8787/v1 --every 2s
  relaymon watch --no-tui --interval 10s >> relay.log  # logfmt lines for a log shipper
  relaymon watch --no-tui --metrics-port 9464          # headless agent for Prometheus (/metrics)
  relaymon watch --duration 5m --budget-usd 0.20 --summary watch.json

Timing metrics are over successful requests only; failures count in errors. A run bounded by
--duration/--requests implies ${IMPLIED_ERRORS_THRESHOLD} unless an errors threshold is given
(--no-default-thresholds drops it).

Exit codes: 0 quit from the dashboard or run passed; with --duration/--requests 1 when a
threshold failed, 3 when no request got an HTTP answer; 2 bad usage/config or an output not written; 130 interrupted
(SIGTERM, or Ctrl-C in plain mode).`,
  );
  cmd.action(async (flags: WatchFlags) => {
    process.exitCode = await runWatch(flags);
  });
}

export function parseFps(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 60) throw new UsageError(`--fps expects a whole number from 1 to 60, got "${text}"`);
  return n;
}

function parseInterval(text: string): number {
  const ms = parseDuration(text);
  if (!(ms >= 100)) throw new UsageError(`--interval must be at least 100ms, got "${text}"`);
  return ms;
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
  const io = processIo({ color: flags.color !== false && getPreference('color') !== false });
  checkOutputPath(flags.summary, '--summary');
  const fps = flags.fps !== undefined ? parseFps(flags.fps) : (getPreference('fps') ?? DEFAULT_FPS);
  const intervalMs = parseInterval(flags.interval ?? getPreference('interval') ?? DEFAULT_INTERVAL);
  const window = flags.window ?? getPreference('window') ?? '1m';
  metricsAddress(flags); // a bad --metrics-port is a usage error before anything starts
  if (flags.demo && (flags.baseUrl !== undefined || flags.config !== undefined || (flags.target?.length ?? 0) > 0)) {
    throw new UsageError('--demo watches its own simulated relays: leave out --base-url, --config and --target');
  }
  const demo = flags.demo ? await startDemo() : null;
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
    };
    const tui = flags.tui !== false && io.stdoutIsTty;
    const outcome = tui ? await (await loadTui()).runWatchTui(setup) : await runWatchPlain(setup, { linesToStderr: flags.json === true });
    printSummary(flags, run.targets, outcome, io);
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

function printSummary(flags: WatchFlags, targets: Parameters<typeof runSummaryJson>[1], outcome: WatchOutcome, io: Io): void {
  const { final } = outcome;
  const json = runSummaryJson('watch', targets, final);
  // `r` starts the measurement afresh, the run's summary included; say so rather than let it pass for the whole run.
  const resetNote = outcome.resetAt !== undefined ? `windows reset at ${new Date(outcome.resetAt).toLocaleTimeString()}: this summary covers the traffic after it` : null;
  if (flags.json) io.out(JSON.stringify(json, null, 2) + '\n');
  else io.out(checkText(json, { defaults: [], color: io.color, stopNote: resetNote ?? (final.stoppedBy === 'budget' ? budgetStopNote(final.snapshot.spend) : null), honesty: runHonesty(final.snapshot.stats) }));
  if (resetNote && flags.json) io.err(`watch: ${resetNote}\n`);
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  const unfinished = unfinishedNote('watch', final);
  if (unfinished) io.err(unfinished);
  const saturated = saturationMessage('watch', final);
  if (saturated) io.err(saturated);
  const unreachable = unreachableNote('watch', final);
  if (unreachable) io.err(unreachable);
  if (final.stoppedBy === 'budget') io.err(budgetStopMessage('watch', final.snapshot.spend));
}


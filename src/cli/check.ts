import { Option, type Command } from 'commander';
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import { parseDuration, parsePositiveInt, parseRate } from '../core/units.js';
import type { ResolvedTarget } from '../core/target.js';
import { IMPLIED_ERRORS_THRESHOLD, impliedExpressions, withImpliedThresholds, type Threshold } from '../stats/thresholds.js';
import { planProbes } from '../traffic/probes.js';
import { dryRunReport } from '../traffic/dry-run.js';
import { dryRunText } from '../export/dry-run-text.js';
import type { ProbeStream, TrafficPlan } from '../engine/messages.js';
import { compileAlertRules } from '../alerts/rules.js';
import { junitXml } from '../export/junit.js';
import { checkText } from '../export/check-text.js';
import { runHonesty } from '../export/honesty-text.js';
import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from '../config/schema.js';
import { addTargetOptions, allowManyTargets, budgetFrom, contextInputs, loadContext, MAX_IN_FLIGHT_HELP, pickTarget, runThresholds, withMaxInFlight, type RunContext, type TargetFlagValues } from './context.js';
import { checkOutputPath, processIo, refuseClobbering, writeOutputFile, type Io, type OutputFile } from './io.js';
import { priceFiles, runExitCode, runHeadlessWithAlerts, runSummaryJson, saturationMessage, unreachableNote, unfinishedNote } from './headless.js';
import { DEFAULT_PROBE_MODEL } from './probe.js';
import { getPreference } from '../config/preferences.js';
import { addMetricsOptions, metricsAddress, startMetrics, type MetricsFlags } from './metrics.js';
import { budgetStopMessage, budgetStopNote } from '../traffic/budget.js';

/** Implied unless the user wrote an errors threshold (stats/thresholds-implied.ts). */
export const DEFAULT_CHECK_THRESHOLD = IMPLIED_ERRORS_THRESHOLD;
export const DEFAULT_CHECK_DURATION = '30s';

export interface CheckFlags extends Omit<TargetFlagValues, 'target'>, MetricsFlags {
  target?: string[];
  duration?: string;
  requests?: string;
  maxInFlight?: string;
  model?: string;
  prompt?: string;
  maxTokens?: string;
  stream?: boolean;
  every?: string;
  rate?: string;
  threshold: string[];
  /** false with --no-default-thresholds. */
  defaultThresholds?: boolean;
  json?: boolean;
  summary?: string;
  junit?: string;
  budgetUsd?: string;
  dryRun?: boolean;
  log?: string;
  logBodies: boolean;
  color: boolean;
}

/** Traffic flags shared by the commands that run probes on a schedule (check, watch). */
export function addScheduleOptions(cmd: Command, opts: { durationDefault?: string } = {}): Command {
  const duration = opts.durationDefault ?? `${DEFAULT_CHECK_DURATION} unless --requests`;
  return cmd
    .option('-d, --duration <d>', `how long to run, e.g. 60s, 5m (default ${duration})`)
    .option('-n, --requests <n>', 'stop after sending this many requests to each target')
    .option('--max-in-flight <n>', MAX_IN_FLIGHT_HELP)
    .option('-m, --model <model>', 'probe this model with one small probe per target, instead of the config\'s probes')
    .option('--prompt <text>', `probe prompt (default "${DEFAULT_PROBE_PROMPT}"; overrides the config's probes too)`)
    .option('--max-tokens <n>', `max_tokens per probe (default ${DEFAULT_PROBE_MAX_TOKENS}; overrides the config's probes too)`)
    .option('--no-stream', 'probe without streaming (the config\'s probes too)')
    .option('--every <d>', 'one probe per target every D, e.g. 2s (default 1s when the config has no probes)')
    .option('--rate <r>', 'Poisson probe arrivals per target instead, e.g. 2/s')
    .option('--budget-usd <usd>', 'never send a request whose worst-case cost would take the spend over this many USD (above 0)')
    .option('--dry-run', 'print what would be sent and its cost per hour; send and write nothing')
    .option('--log <file>', 'write one JSON line per request to FILE, afresh (the request log)')
    .option('--no-log-bodies', 'leave prompts out of the log')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('CI smoke check: run the probes for a while, evaluate thresholds, exit code = verdict');
  addScheduleOptions(cmd);
  cmd
    .addOption(new Option('--threshold <expr>', 'k6-style threshold, repeatable (config thresholds apply too)').argParser((v: string, p: string[]) => [...p, v]).default([], 'none'))
    .option('--no-default-thresholds', `do not imply ${DEFAULT_CHECK_THRESHOLD} when no errors threshold is given`)
    .option('--json', 'print the run summary as JSON instead of text')
    .option('--summary <file>', 'also write the JSON summary to FILE')
    .option('--junit <file>', 'write a JUnit XML report (one testsuite per target, one testcase per threshold)');
  addMetricsOptions(cmd);
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated (default: all)');
  cmd.addHelpText(
    'after',
    `
Timing metrics (latency, latency_scheduled, ttfb, ttft, ttft_content, itl,
tokens_per_s) are over successful requests only; failures count in errors. A
run whose requests all failed has no timing data, so its timing thresholds
fail ("no data"). Unless an errors threshold is given, ${DEFAULT_CHECK_THRESHOLD}
is implied and printed as "(implied)"; --no-default-thresholds drops it.
-n N sends N requests to each target. Sends held back by a target's cap (--max-in-flight)
or skipped during a 429 back-off are counted per target (JSON "schedule") and said in the text.
When relaymon itself was the bottleneck (its event loop or its sends over 20 ms late), a line
on stderr and the text say so, and JSON "saturation" has the figures; the exit code is unchanged.

Examples:
  relaymon check --duration 60s                                   # configured probes and thresholds
  relaymon check -d 30s --base-url http://127.0.0.1:8787/v1 --threshold "ttft:p(95)<800"
  relaymon check -t relay -n 20 --every 500ms --junit report.xml --budget-usd 0.05
  relaymon check --dry-run                                        # what it would send and cost
  relaymon check -d 10m --metrics-port 9464                       # Prometheus /metrics while it runs

Exit codes: 0 pass, 1 a threshold failed, 2 bad usage/config or an output not written, 3 no HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (flags: CheckFlags) => {
    process.exitCode = await runCheck(flags);
  });
}

export interface ScheduledRun {
  ctx: RunContext;
  targets: ResolvedTarget[];
  plan: TrafficPlan;
  durationMs: number | null;
  requests: number | null;
  budgetUsd: number | null;
}

/** Targets, probes and bounds for check and watch, from flags over config. */
export async function scheduledRun(flags: CheckFlags, opts: { defaultDuration: string | null; context?: RunContext }): Promise<ScheduledRun> {
  const ctx = opts.context ?? (await loadContext({ ...flags, target: flags.target?.length === 1 ? flags.target[0] : undefined }));
  const names = flags.target ?? [];
  const targets = withMaxInFlight(names.length > 1 ? names.map((n) => pickTarget(ctx.targets, n)) : ctx.targets, flags.maxInFlight);
  if (targets.length === 0) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');
  const requests = flags.requests === undefined ? null : parsePositiveInt(flags.requests, '--requests');
  const durationText = flags.duration ?? (requests === null ? opts.defaultDuration : null);
  const durationMs = durationText === null ? null : parseDuration(durationText);
  if (durationMs !== null && !(durationMs > 0)) throw new UsageError('--duration must be above zero');
  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  if (flags.every !== undefined && flags.rate !== undefined) throw new UsageError('choose one of --every and --rate');
  const plan: TrafficPlan = { kind: 'probes', streams: probeStreams(flags, ctx, targets) };
  if (plan.streams.length === 0) throw new UsageError('no probe sends to the chosen targets: check the probes\' targets in the config');
  return { ctx, targets, plan, durationMs, requests, budgetUsd };
}

function probeStreams(flags: CheckFlags, ctx: RunContext, targets: ResolvedTarget[]): ProbeStream[] {
  const names = targets.map((t) => t.name);
  const flagSchedule = flags.rate !== undefined ? { kind: 'rate' as const, ratePerSec: parseRate(flags.rate) } : flags.every !== undefined ? { kind: 'every' as const, intervalMs: parseDuration(flags.every) } : null;
  if (flagSchedule?.kind === 'every' && !(flagSchedule.intervalMs > 0)) throw new UsageError('--every must be above zero');
  const flagMaxTokens = flags.maxTokens === undefined ? undefined : parsePositiveInt(flags.maxTokens, '--max-tokens');
  const configured = ctx.config?.probes && Object.keys(ctx.config.probes).length > 0 && flags.model === undefined;
  if (configured) {
    // --prompt, --max-tokens and --no-stream adjust the configured probes (--model replaces them).
    return planProbes(ctx.config!.probes, names).map((p) => ({
      ...p,
      spec: {
        ...p.spec,
        ...(flags.prompt !== undefined ? { messages: [{ role: 'user' as const, content: flags.prompt }] } : {}),
        ...(flagMaxTokens !== undefined ? { maxTokens: flagMaxTokens } : {}),
        ...(flags.stream === false ? { stream: false } : {}),
      },
      schedule: flagSchedule ?? p.schedule,
    }));
  }
  const maxTokens = flagMaxTokens ?? DEFAULT_PROBE_MAX_TOKENS;
  return targets.map((t, i) => ({
    probe: 'cli',
    target: t.name,
    spec: {
      model: flags.model ?? getPreference('defaultModel') ?? DEFAULT_PROBE_MODEL[t.protocol],
      messages: [{ role: 'user', content: flags.prompt ?? DEFAULT_PROBE_PROMPT }],
      maxTokens,
      stream: flags.stream !== false,
    },
    schedule: flagSchedule ?? { kind: 'every', intervalMs: 1000 },
    seed: 1 + i,
  }));
}


/** The flags a dry run reads: --json, and the output files it will not write. */
export interface DryRunFlags {
  json?: boolean;
  summary?: string;
  junit?: string;
  log?: string;
}

/** The files a check, replay or compare run writes, by flag. */
export function runOutputs(flags: DryRunFlags): OutputFile[] {
  return [
    { flag: '--summary', path: flags.summary },
    { flag: '--junit', path: flags.junit },
    { flag: '--log', path: flags.log },
  ];
}

export function printDryRun(run: ScheduledRun, io: Io, flags: DryRunFlags): ExitCode {
  const unwritten = (
    [
      ['--summary', flags.summary],
      ['--junit', flags.junit],
      ['--log', flags.log],
    ] as const
  ).flatMap(([flag, path]) => (path === undefined ? [] : [`${flag} ${path}`]));
  const report = dryRunReport(run.plan, run.targets, run.ctx.prices, { durationMs: run.durationMs, requests: run.requests, unwritten });
  io.out(flags.json === true ? JSON.stringify(report, null, 2) + '\n' : dryRunText(report));
  return EXIT.ok;
}

export async function runCheck(flags: CheckFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  metricsAddress(flags); // a bad --metrics-port is a usage error before anything else happens
  checkOutputPath(flags.summary, '--summary');
  checkOutputPath(flags.junit, '--junit');
  const run = await scheduledRun(flags, { defaultDuration: DEFAULT_CHECK_DURATION });
  refuseClobbering(contextInputs(run.ctx, flags), runOutputs(flags));
  const userThresholds: Threshold[] = runThresholds(run.ctx, flags.threshold);
  const thresholds = withImpliedThresholds(userThresholds, flags.defaultThresholds !== false);
  const defaults = impliedExpressions(thresholds);
  const rules = compileAlertRules(run.ctx.config?.alerts, run.ctx.configPath ?? 'config');
  if (flags.dryRun) return printDryRun(run, io, flags);
  if (defaults.length > 0 && !flags.json) io.err(`check: no errors threshold given; ${DEFAULT_CHECK_THRESHOLD} is implied (--no-default-thresholds drops it)\n`);

  const metrics = await startMetrics(flags, run.targets, { err: (t) => io.err(t) });
  let headless;
  try {
    headless = await runHeadlessWithAlerts(
      {
        targets: run.targets,
        priceFiles: priceFiles(run.ctx.config, flags.prices),
        plan: run.plan,
        stopAfter: { durationMs: run.durationMs, requests: run.requests },
        log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
        thresholds,
        budgetUsd: run.budgetUsd,
        alerts: rules,
      },
      run.ctx.config?.notify,
      io,
      { metrics, command: 'check' },
    );
  } finally {
    await metrics?.close();
  }
  const { final, interrupted } = headless;

  const json = runSummaryJson('check', run.targets, final);
  if (flags.json) io.out(JSON.stringify(json, null, 2) + '\n');
  else io.out(checkText(json, { defaults, color: io.color, honesty: runHonesty(final.snapshot.stats), stopNote: final.stoppedBy === 'budget' ? budgetStopNote(final.snapshot.spend) : null }));
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  if (flags.junit) writeOutputFile(flags.junit, junitXml(json, { defaults }), '--junit');
  if (final.stoppedBy === 'budget') io.err(budgetStopMessage('check', final.snapshot.spend));
  const unfinished = unfinishedNote('check', final);
  if (unfinished) io.err(unfinished);
  const saturated = saturationMessage('check', final);
  if (saturated) io.err(saturated);
  const unreachable = unreachableNote('check', final);
  if (unreachable) io.err(unreachable);
  return runExitCode(final, interrupted);
}

import { Option, type Command } from 'commander';
import { UsageError, type ExitCode } from '../core/errors.js';
import { parseDuration, parsePositiveInt, parseRate } from '../core/units.js';
import type { ResolvedTarget } from '../core/target.js';
import { readReplayFile } from '../traffic/replay/read.js';
import type { ReplayItem, BadLine } from '../traffic/replay/replay-file.js';
import type { ReplayEntry, ReplayMode, TrafficPlan } from '../engine/messages.js';
import { compileAlertRules } from '../alerts/rules.js';
import { printDryRun, runOutputs } from './check.js';
import { IMPLIED_ERRORS_THRESHOLD, withImpliedThresholds } from '../stats/thresholds-implied.js';
import { summaryText, thresholdLines } from '../export/probe-text.js';
import { honestyLines } from '../export/honesty-text.js';
import { paint } from '../export/format.js';
import { addTargetOptions, allowManyTargets, budgetFrom, contextInputs, loadContext, pickTarget, runThresholds, MAX_IN_FLIGHT_HELP, withMaxInFlight, type TargetFlagValues } from './context.js';
import { describeRouting, routeRecorded } from '../traffic/replay/route.js';
import { saturationLines, scheduleLines } from '../export/check-text.js';
import { checkOutputPath, processIo, refuseClobbering, writeOutputFile, type Io } from './io.js';
import { priceFiles, runExitCode, runHeadlessWithAlerts, runSummaryJson, toSummary, saturationMessage, unreachableNote, unfinishedNote } from './headless.js';
import { addMetricsOptions, metricsAddress, startMetrics, type MetricsFlags } from './metrics.js';
import { budgetStopMessage } from '../traffic/budget.js';

interface ReplayFlags extends Omit<TargetFlagValues, 'target'>, MetricsFlags {
  target?: string[];
  speed?: string;
  rate?: string;
  constant?: boolean;
  seed?: string;
  concurrency?: string;
  loop?: boolean;
  model?: string;
  strict?: boolean;
  duration?: string;
  requests?: string;
  maxInFlight?: string;
  threshold: string[];
  /** false with --no-default-thresholds. */
  defaultThresholds?: boolean;
  json?: boolean;
  summary?: string;
  log?: string;
  logBodies: boolean;
  color: boolean;
  budgetUsd?: string;
  dryRun?: boolean;
}

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay recorded traffic (OpenAI Batch input, plain request JSONL, or a relaymon request log) through relays')
    .argument('<file>', 'JSONL file; the format is detected from its lines')
    .option('--speed <x>', 'original timing (timestamp / offset_ms) scaled: 2 = twice as fast', undefined)
    .option('--rate <r>', 'fixed rate instead of the original timing, e.g. 5 or 5/s or 300/m')
    .option('--constant', 'with --rate: evenly spaced sends instead of Poisson arrivals')
    .option('--seed <n>', 'seed for Poisson arrivals (reproducible runs)')
    .option('-c, --concurrency <n>', 'closed loop: N workers, each sending its next line when the last one finished (raises the default cap to N)')
    .option('--loop', 'start over at the end of the file (stop with --duration, --requests or Ctrl-C)')
    .option('-m, --model <model>', 'send every line with this model instead of its own')
    .option('--strict', 'any bad line is an error (exit 2) before anything is sent')
    .option('-d, --duration <d>', 'stop after this long, e.g. 30s, 5m')
    .option('-n, --requests <n>', 'stop after this many lines of the file (each sent to every target)')
    .option('--max-in-flight <n>', MAX_IN_FLIGHT_HELP)
    .addOption(new Option('--threshold <expr>', 'k6-style check on the whole run, repeatable (config thresholds apply too)').argParser((v: string, p: string[]) => [...p, v]).default([]))
    .option('--no-default-thresholds', `do not imply ${IMPLIED_ERRORS_THRESHOLD} when no errors threshold is given`)
    .option('--json', 'print the run summary as JSON instead of text')
    .option('--summary <file>', 'also write the JSON summary to FILE')
    .option('--log <file>', 'write one JSON line per request to FILE, afresh (the request log; replayable; not the file being replayed)')
    .option('--no-log-bodies', 'leave request bodies (prompts) out of the log')
    .option('--budget-usd <usd>', 'never send a request whose worst-case cost would take the spend over this many USD (above 0)')
    .option('--dry-run', 'print what would be sent and its cost per hour; send and write nothing')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
  addMetricsOptions(cmd);
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated; each line goes to each, for comparison (default: a relaymon log\'s recorded targets, else the first)');
  cmd.addHelpText(
    'after',
    `
Formats (detected per file): OpenAI Batch API input lines {custom_id, method, url, body};
plain JSONL of Chat Completions or Messages request bodies; relaymon's own --log files.
Lines may carry "timestamp" (ISO or epoch) or "offset_ms" for the original timing.
Without --target, each line of a relaymon log goes to the target it was recorded
against when the config has that target (others go to the first target).

Examples:
  relaymon replay traffic.jsonl --base-url http://127.0.0.1:8787/v1
  relaymon replay traffic.jsonl --speed 2 -t relay
  relaymon replay batch_input.jsonl --rate 5/s --seed 7 -t relay,direct --json
  relaymon replay run.log --concurrency 8 --loop --duration 5m --threshold "ttft:p(95)<800"
  relaymon replay traffic.jsonl --loop --metrics-port 9464       # Prometheus /metrics while it runs

Each target has a cap on requests in flight (targets.NAME.concurrency, default 8, or
--max-in-flight); -c N raises the default to N, never a cap you set. Sends held back by the
cap or skipped during a 429 back-off are counted per target (JSON "schedule") and said in the text.

At original timing each line goes out at its recorded offset (a --log file is written in
completion order; relaymon sorts it by offset_ms first).

Timing metrics are over successful requests only; failures count in errors. Unless an
errors threshold is given, ${IMPLIED_ERRORS_THRESHOLD} is implied (--no-default-thresholds drops it).

Bad lines are reported by number and skipped (--strict: exit 2, nothing sent).
Exit codes: 0 pass, 1 a threshold failed, 2 bad usage/config/file or an output not written, 3 no HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (file: string, flags: ReplayFlags) => {
    process.exitCode = await runReplay(file, flags);
  });
}

function replayMode(flags: ReplayFlags, items: readonly ReplayItem[], io: Io): ReplayMode {
  const chosen = [flags.speed !== undefined, flags.rate !== undefined, flags.concurrency !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --speed, --rate and --concurrency');
  if (flags.concurrency !== undefined) return { kind: 'closed', concurrency: parsePositiveInt(flags.concurrency, '--concurrency') };
  if (flags.rate !== undefined) {
    const ratePerSec = /\//.test(flags.rate) ? parseRate(flags.rate) : Number(flags.rate);
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new UsageError(`--rate expects e.g. 5, 5/s or 300/m, got "${flags.rate}"`);
    const seed = flags.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : parsePositiveInt(flags.seed, '--seed');
    return { kind: 'rate', ratePerSec, poisson: !flags.constant, seed };
  }
  const speed = flags.speed === undefined ? 1 : Number(flags.speed);
  if (!(speed > 0) || !Number.isFinite(speed)) throw new UsageError(`--speed expects a number above 0, got "${flags.speed}"`);
  if (!items.some((i) => i.offsetMs !== null)) {
    io.err('replay: the file has no timestamp or offset_ms; sending one request at a time (use --rate or --concurrency to choose)\n');
    return { kind: 'closed', concurrency: 1 };
  }
  return { kind: 'original', speed };
}

function reportBadLines(bad: readonly BadLine[], file: string, io: Io): void {
  const shown = bad.slice(0, 20);
  for (const b of shown) io.err(`${file}:${b.line}: ${b.reason}\n`);
  if (bad.length > shown.length) io.err(`… and ${bad.length - shown.length} more bad lines\n`);
}

/** A line and the targets it goes to (absent: every target of the run). */
interface Routed {
  item: ReplayItem;
  targets?: string[];
}

/** Lines whose protocol differs from one of their targets' cannot be sent to it. */
function checkProtocols(items: readonly Routed[], targets: ResolvedTarget[]): { ok: Routed[]; bad: BadLine[] } {
  const ok: Routed[] = [];
  const bad: BadLine[] = [];
  for (const r of items) {
    const { item } = r;
    const mine = r.targets === undefined ? targets : targets.filter((t) => r.targets!.includes(t.name));
    const clash = mine.find((t) => item.protocol !== null && item.protocol !== t.protocol);
    if (clash) bad.push({ line: item.line, reason: `an ${item.protocol} request, but target "${clash.name}" speaks ${clash.protocol}` });
    else ok.push(r);
  }
  return { ok, bad };
}

export async function runReplay(file: string, flags: ReplayFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  checkOutputPath(flags.summary, '--summary');
  metricsAddress(flags); // a bad --metrics-port is a usage error before the file is read
  const durationMs = flags.duration === undefined ? null : parseDuration(flags.duration);
  const requests = flags.requests === undefined ? null : parsePositiveInt(flags.requests, '--requests');
  const ctx = await loadContext({ ...flags, target: undefined });
  refuseClobbering([{ path: file, label: `the file being replayed (${file})` }, ...contextInputs(ctx, flags)], runOutputs(flags));
  // The config's thresholds apply as in probe and check.
  const thresholds = withImpliedThresholds(runThresholds(ctx, flags.threshold), flags.defaultThresholds !== false);
  const names = flags.target ?? [];
  const fallback = ctx.targets[0];
  if (fallback === undefined) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');

  const parsed = await readReplayFile(file);
  // Without -t, a recorded log's lines go back to the targets they were recorded against.
  const routing = names.length === 0 ? routeRecorded(parsed.items, ctx.targets.map((t) => t.name), fallback.name) : null;
  const targets = withMaxInFlight(
    names.length > 0 ? names.map((name) => pickTarget(ctx.targets, name)) : routing ? routing.targets.map((n) => pickTarget(ctx.targets, n)) : [fallback],
    flags.maxInFlight,
  );
  // Said unless it changes nothing (every line recorded against the target it would go to anyway).
  if (routing && (routing.targets.length > 1 || routing.targets[0] !== fallback.name)) io.err(describeRouting(routing, fallback.name) + '\n');
  const routed: Routed[] = parsed.items.map((item, i) => (routing ? { item, targets: [routing.lineTargets[i]!] } : { item }));
  const checked = checkProtocols(routed, targets);
  const bad = [...parsed.bad, ...checked.bad].sort((a, b) => a.line - b.line);
  if (bad.length > 0) {
    reportBadLines(bad, file, io);
    if (flags.strict) throw new UsageError(`${file}: ${bad.length} bad line${bad.length === 1 ? '' : 's'}; nothing was sent (--strict)`);
    io.err(`${file}: skipped ${bad.length} bad line${bad.length === 1 ? '' : 's'}\n`);
  }
  if (checked.ok.length === 0) throw new UsageError(`${file}: no line can be sent`);
  const entries: ReplayEntry[] = checked.ok.map(({ item: i, targets: to }) => ({
    line: i.line,
    offsetMs: i.offsetMs,
    spec: flags.model ? { ...i.spec, model: flags.model } : i.spec,
    ...(to ? { targets: to } : {}),
  }));
  const mode = replayMode(
    flags,
    checked.ok.map((r) => r.item),
    io,
  );
  const plan: TrafficPlan = { kind: 'replay', entries, mode, loop: flags.loop === true, targets: targets.map((t) => t.name) };
  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  if (flags.dryRun) return printDryRun({ ctx, targets, plan, durationMs, requests, budgetUsd }, io, flags);
  if (flags.loop && durationMs === null && requests === null) io.err('replay: --loop runs until Ctrl-C (add --duration or --requests to stop by itself)\n');
  const rules = compileAlertRules(ctx.config?.alerts, ctx.configPath ?? 'config');
  const metrics = await startMetrics(flags, targets, { err: (t) => io.err(t) });
  let headless;
  try {
    headless = await runHeadlessWithAlerts(
      {
        targets,
        priceFiles: priceFiles(ctx.config, flags.prices),
        plan,
        stopAfter: { durationMs, requests },
        log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
        thresholds,
        budgetUsd,
        alerts: rules,
      },
      ctx.config?.notify,
      io,
      { metrics, command: 'replay' },
    );
  } finally {
    await metrics?.close();
  }
  const { final, interrupted } = headless;

  const json = runSummaryJson('replay', targets, final);
  if (flags.json) {
    io.out(JSON.stringify(json, null, 2) + '\n');
  } else {
    const why = final.stoppedBy ? ` (stopped by ${final.stoppedBy})` : '';
    io.out(`relaymon replay ${file}: ${parsed.format}, ${entries.length} lines, ${Math.round(final.durationMs / 100) / 10}s${why}\n`);
    for (const cell of final.snapshot.stats.targets) {
      io.out(`\n${cell.target}\n` + summaryText(toSummary(cell.windows.all)));
      for (const line of honestyLines(cell.windows.all)) io.out(paint(io.color, 'yellow', line) + '\n');
    }
    const held = scheduleLines(json);
    if (held.length > 0) io.out('\n' + held.join('\n') + '\n');
    const saturatedText = saturationLines(json);
    if (saturatedText.length > 0) io.out('\n' + saturatedText.join('\n') + '\n');
    if (final.thresholds.length > 0) io.out('\n' + thresholdLines(final.thresholds, io.color));
  }
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  if (final.stoppedBy === 'budget') io.err(budgetStopMessage('replay', final.snapshot.spend));
  const unfinished = unfinishedNote('replay', final);
  if (unfinished) io.err(unfinished);
  const saturated = saturationMessage('replay', final);
  if (saturated) io.err(saturated);
  const unreachable = unreachableNote('replay', final);
  if (unreachable) io.err(unreachable);
  return runExitCode(final, interrupted);
}



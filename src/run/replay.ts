/** `relaymon replay`: recorded traffic through one or more targets, in its timing, at a rate or in a closed loop. */
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import type { ResolvedTarget } from '../core/target.js';
import { readReplayFile } from '../traffic/replay/read.js';
import type { ReplayItem, BadLine } from '../traffic/replay/replay-file.js';
import type { ReplayEntry, ReplayMode, TrafficPlan } from '../engine/messages.js';
import { compileAlertRules } from '../alerts/rules.js';
import { withImpliedThresholds } from '../stats/thresholds.js';
import { summaryText, thresholdLines } from '../export/probe-text.js';
import { honestyLines } from '../export/honesty-text.js';
import { paint } from '../export/format.js';
import { describeProtocolRouting, describeRouting, routeByProtocol, routeRecorded } from '../traffic/replay/route.js';
import { saturationLines, scheduleLines } from '../export/check-text.js';
import { budgetEndMessage } from '../traffic/budget.js';
import { checkOutputPaths, contextInputs, type Io, processIo, refuseClobbering, writeOutputFile } from './io.js';
import { metricsAddress, startMetrics, type MetricsFlags } from './metrics.js';
import type { TargetFlagValues } from './flags.js';
import { budgetFrom, loadContext, pickTarget, priceFiles, runThresholds, withMaxInFlight } from './context.js';
import { printDryRun, runOutputs } from './scheduled.js';
import { runPipeline } from './pipeline.js';
import { endNotes, pipelineExitCode } from './outcome.js';
import { runSummaryJson, toSummary } from '../export/run-summary-json.js';
import { reportSink } from './report-write.js';
import { canaryJson, splitDurationMs, splitJson, splitLines, splitPlanFrom, splitStartLine, type SplitFlags } from './replay-split.js';

/** replay's flags, parsed by their declarations (cli/replay.ts). */
export interface ReplayFlags extends Omit<TargetFlagValues, 'target'>, MetricsFlags, SplitFlags {
  target?: string[];
  speed?: number;
  /** per second */
  rate?: number;
  constant?: boolean;
  seed?: number;
  concurrency?: number;
  loop?: boolean;
  model?: string;
  strict?: boolean;
  /** ms */
  duration?: number;
  requests?: number;
  maxInFlight?: number;
  threshold: string[];
  /** false with --no-default-thresholds. */
  defaultThresholds?: boolean;
  json?: boolean;
  summary?: string;
  log?: string;
  logBodies: boolean;
  color: boolean;
  budgetUsd?: number;
  dryRun?: boolean;
  report?: string;
}

function replayMode(flags: ReplayFlags, items: readonly ReplayItem[], io: Io): ReplayMode {
  // --speed, --rate and --concurrency are parsed, and exclude each other, by their flags (cli/replay.ts).
  if (flags.concurrency !== undefined) return { kind: 'closed', concurrency: flags.concurrency };
  if (flags.rate !== undefined) {
    const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
    return { kind: 'rate', ratePerSec: flags.rate, poisson: !flags.constant, seed };
  }
  const speed = flags.speed ?? 1;
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
  checkOutputPaths(runOutputs(flags));
  const report = reportSink(flags.report);
  metricsAddress(flags); // a bad --metrics-port is a usage error before the file is read
  const requests = flags.requests ?? null;
  // With -t the lines go only to those targets (below): only they are resolved, so notes (no API key) are about them.
  // Without it, a log's lines may go back to any configured target; --split and -t exclude each other (run/replay-split.ts).
  const named = flags.split === undefined && flags.target !== undefined && flags.target.length > 0 ? flags.target : undefined;
  const ctx = await loadContext({ ...flags, target: undefined }, process.env, { use: named });
  // The canary split: checked before the file is read, so a bad one sends nothing (run/replay-split.ts).
  const split = splitPlanFrom(flags, ctx.targets.map((t) => t.name));
  refuseClobbering([{ path: file, label: `the file being replayed (${file})` }, ...contextInputs(ctx, flags)], runOutputs(flags));
  // The config's thresholds apply as in probe and check.
  const judged = withImpliedThresholds(runThresholds(ctx, flags.threshold), flags.defaultThresholds !== false);
  // --abort-on-fail: every threshold is an abortOnFail one (config form); with --split, judged on the candidate (engine/split-judge.ts).
  const thresholds = flags.abortOnFail ? judged.map((t) => ({ ...t, abortOnFail: true })) : judged;
  // A ramp judged by abortOnFail thresholds holds each step until it has been judged, so it has no set length (engine/split-judge.ts).
  const heldRamp = split?.ramp != null && thresholds.some((t) => t.abortOnFail);
  // --ramp ends after its last step unless --duration says otherwise.
  const durationMs = splitDurationMs(split, flags.duration ?? null, heldRamp);
  const names = flags.target ?? [];
  const fallback = ctx.targets[0];
  if (fallback === undefined) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');

  const parsed = await readReplayFile(file);
  // Routing precedence: --split, then -t, then a recorded log's own targets, then the first target.
  // Without -t, a recorded log's lines go back to the targets they were recorded against.
  const recorded = split === null && names.length === 0 ? routeRecorded(parsed.items, ctx.targets.map((t) => t.name), fallback.name) : null;
  // ...and lines of another protocol than the default target's (a Batch file with /v1/responses lines) to a target that speaks it.
  const byProtocol = split === null && names.length === 0 && recorded === null ? routeByProtocol(parsed.items, ctx.targets, fallback) : null;
  const routing = recorded ?? byProtocol;
  const targets = withMaxInFlight(
    split ? split.targets.map((name) => pickTarget(ctx.targets, name)) : names.length > 0 ? names.map((name) => pickTarget(ctx.targets, name)) : routing ? routing.targets.map((n) => pickTarget(ctx.targets, n)) : [fallback],
    flags.maxInFlight,
  );
  // Said unless it changes nothing (every line recorded against the target it would go to anyway).
  if (recorded && (recorded.targets.length > 1 || recorded.targets[0] !== fallback.name)) io.err(describeRouting(recorded, fallback.name) + '\n');
  if (byProtocol) io.err(describeProtocolRouting(byProtocol, fallback.name) + '\n');
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
  // --ramp starts the file over as often as its steps need (its duration ends the run).
  const loop = flags.loop === true || split?.ramp != null;
  const plan: TrafficPlan = { kind: 'replay', entries, mode, loop, targets: targets.map((t) => t.name), ...(split ? { split } : {}) };
  if (split) io.err(splitStartLine(split, heldRamp) + '\n');
  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  // A dry run prices a held ramp at its steps' own length, the least it can last.
  if (flags.dryRun) return printDryRun({ ctx, targets, plan, durationMs: splitDurationMs(split, flags.duration ?? null), requests, budgetUsd }, io, flags);
  if (loop && durationMs === null && requests === null && !heldRamp) io.err('replay: --loop runs until Ctrl-C (add --duration or --requests to stop by itself)\n');
  const rules = compileAlertRules(ctx.config?.alerts, ctx.configPath ?? 'config');
  const metrics = await startMetrics(flags, targets, { err: (t) => io.err(t) });
  let outcome;
  try {
    outcome = await runPipeline(
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
      io,
      { command: 'replay', notify: ctx.config?.notify, metrics, ...report?.runOptions() },
    );
  } finally {
    await metrics?.close();
  }
  const { final } = outcome;

  const json = {
    ...runSummaryJson('replay', targets, final),
    ...(split ? { split: splitJson(split, final.snapshot), canary: canaryJson(split, final.snapshot.split) } : {}),
  };
  if (flags.json) {
    io.out(JSON.stringify(json, null, 2) + '\n');
  } else {
    const why = final.stoppedBy ? ` (stopped by ${final.stoppedBy})` : '';
    io.out(`relaymon replay ${file}: ${parsed.format}, ${entries.length} lines, ${Math.round(final.durationMs / 100) / 10}s${why}\n`);
    if (split) io.out(splitLines(split, final.snapshot).join('\n') + '\n');
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
  const budgetEnd = budgetEndMessage('replay', final.stoppedBy, final.snapshot.spend);
  if (budgetEnd !== null) io.err(budgetEnd);
  for (const note of endNotes('replay', final, outcome.graceMs)) io.err(note);
  let exitCode = pipelineExitCode(outcome);
  // The ramp stopped on the candidate's step: a failure even when the whole run's thresholds, diluted by the healthy steps, pass.
  if (final.snapshot.split?.abort && exitCode === EXIT.ok) exitCode = EXIT.failed;
  report?.finish({ command: 'replay', final, targets, exitCode, summary: json });
  return exitCode;
}

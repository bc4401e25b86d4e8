import type { Command } from 'commander';
import { UsageError, type ExitCode } from '../core/errors.js';
import { parseDuration, parsePositiveInt, parseRate } from '../core/units.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestResult } from '../core/result.js';
import type { ProbeStream, ReplayMode, TrafficPlan } from '../engine/messages.js';
import { readReplayFile } from '../traffic/replay/read.js';
import { mixSeed } from '../traffic/probes.js';
import { compareResults, DEFAULT_COMPARE_OPTIONS, type CompareOptions } from '../compare/compare.js';
import { compareText } from '../compare/compare-text.js';
import { addScheduleOptions, printDryRun, runOutputs, scheduledRun, type CheckFlags, type ScheduledRun } from './check.js';
import { addTargetOptions, allowManyTargets, budgetFrom, contextInputs, loadContext, pickTarget, withMaxInFlight } from './context.js';
import { checkOutputPath, processIo, refuseClobbering, writeOutputFile, type Io } from './io.js';
import { DEFAULT_GRACE_MS, priceFiles, runExitCode, runHeadless, saturationJson, saturationMessage } from './headless.js';
import { saturationLines } from '../export/check-text.js';
import { budgetStopMessage } from '../traffic/budget.js';
import type { CompareOutput } from '../export/contracts/index.js';

export const DEFAULT_COMPARE_DURATION = '60s';

/** check's schedule flags (CheckFlags) plus the pair, the seed and the significance settings. */
interface CompareFlags extends Omit<CheckFlags, 'threshold' | 'junit'> {
  targets?: string;
  concurrency?: string;
  seed?: string;
  alpha?: string;
  minEffect?: string;
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('send the same probes (or a replay file) to two targets, interleaved, and test whether they differ')
    .argument('[file]', 'replay this JSONL file through both targets instead of probing (formats as in `relaymon replay`)')
    .option('--targets <a,b>', 'the two targets from the config; differences are the first minus the second');
  addScheduleOptions(cmd, { durationDefault: `${DEFAULT_COMPARE_DURATION} unless --requests` });
  cmd
    .option('-c, --concurrency <n>', 'with FILE: lines in flight at once, each sent to both targets (default 1)')
    .option('--seed <n>', 'seed of the bootstrap (and of --rate arrivals with FILE), for a reproducible report (default 1)')
    .option('--alpha <p>', `significance level of the tests (default ${DEFAULT_COMPARE_OPTIONS.alpha})`)
    .option('--min-effect <f>', `smallest difference worth calling significant, as a fraction or % of the second target's median (default ${DEFAULT_COMPARE_OPTIONS.minEffect * 100}%)`)
    .option('--json', 'print the comparison as JSON instead of text (shape in the README)')
    .option('--summary <file>', 'also write the JSON to FILE');
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'the same as --targets, repeatable or comma-separated');
  cmd.addHelpText(
    'after',
    `
Both targets get the same requests over the same stretch of time: each probe fires at
both at once (or each line of FILE goes to both), so a slow minute hits both alike.
Per metric (latency, ttfb, ttft, itl, tokens_per_s) it prints the medians and p95s, the
difference of medians with a 95% bootstrap interval and a Mann-Whitney p-value; a
difference is significant when p < --alpha AND it is at least --min-effect of the second
target's median. Error rates are compared with Fisher's exact test. Then cost per 1M
tokens and the honesty signals (usage mismatches, model substitution, stream conformance).

Examples:
  relaymon compare --targets relay,direct --duration 2m --every 1s
  relaymon compare --targets relay,direct -n 200 --rate 2/s --model gpt-4o-mini --json
  relaymon compare traffic.jsonl --targets relay,direct --concurrency 4
  relaymon compare --targets relay,direct --dry-run

Exit codes: 0 compared, 2 bad usage/config/file or an output not written, 3 no HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (file: string | undefined, flags: CompareFlags) => {
    process.exitCode = await runCompare(file, flags);
  });
}

function targetNames(flags: CompareFlags): [string, string] {
  const names = [...(flags.targets?.split(',') ?? []), ...(flags.target ?? []).flatMap((t) => t.split(','))].map((n) => n.trim()).filter(Boolean);
  if (names.length !== 2 || names[0] === names[1]) {
    throw new UsageError('compare needs exactly two different targets from the config: --targets relay,direct');
  }
  return [names[0]!, names[1]!];
}

function fraction(value: string, flag: string, max: number): number {
  const text = value.trim();
  const pct = text.endsWith('%');
  const n = Number(pct ? text.slice(0, -1) : text) / (pct ? 100 : 1);
  if (text === '' || !Number.isFinite(n) || n < 0 || n > max) throw new UsageError(`${flag} expects a fraction or a percentage (e.g. 0.05 or 5%), got "${value}"`);
  return n;
}

export function compareOptions(flags: Pick<CompareFlags, 'alpha' | 'minEffect' | 'seed'>): CompareOptions {
  const alpha = flags.alpha === undefined ? DEFAULT_COMPARE_OPTIONS.alpha : fraction(flags.alpha, '--alpha', 0.5);
  if (!(alpha > 0)) throw new UsageError('--alpha must be above 0');
  return {
    ...DEFAULT_COMPARE_OPTIONS,
    alpha,
    minEffect: flags.minEffect === undefined ? DEFAULT_COMPARE_OPTIONS.minEffect : fraction(flags.minEffect, '--min-effect', 10),
    seed: flags.seed === undefined ? DEFAULT_COMPARE_OPTIONS.seed : parsePositiveInt(flags.seed, '--seed'),
  };
}

/** Every probe goes to both targets, whatever its `targets:` list says: a comparison needs both sides. */
function bothSides(streams: readonly ProbeStream[], names: readonly string[]): ProbeStream[] {
  const out: ProbeStream[] = [];
  const probes = [...new Set(streams.map((s) => s.probe))];
  for (const probe of probes) {
    const mine = streams.filter((s) => s.probe === probe);
    for (const target of names) {
      const s = mine.find((x) => x.target === target) ?? { ...mine[0]!, target, seed: mixSeed(mine[0]!.seed, target) };
      out.push(s);
    }
  }
  return out;
}

async function probeRun(flags: CompareFlags, names: [string, string]): Promise<ScheduledRun> {
  const run = await scheduledRun({ ...flags, target: [...names], threshold: [] }, { defaultDuration: DEFAULT_COMPARE_DURATION });
  return { ...run, plan: { kind: 'probes', streams: bothSides(run.plan.kind === 'probes' ? run.plan.streams : [], names) } };
}

async function fileRun(file: string, flags: CompareFlags, names: [string, string], io: Io): Promise<ScheduledRun> {
  const ctx = await loadContext({ ...flags, target: undefined });
  const targets = withMaxInFlight(names.map((n) => pickTarget(ctx.targets, n)), flags.maxInFlight);
  const parsed = await readReplayFile(file);
  const usable = parsed.items.filter((i) => targets.every((t) => i.protocol === null || i.protocol === t.protocol));
  const skipped = parsed.bad.length + parsed.items.length - usable.length;
  if (skipped > 0) io.err(`${file}: skipped ${skipped} line${skipped === 1 ? '' : 's'} (bad, or a protocol one of the targets does not speak; relaymon replay names them)\n`);
  if (usable.length === 0) throw new UsageError(`${file}: no line can be sent to both targets`);
  const entries = usable.map((i) => ({ line: i.line, offsetMs: i.offsetMs, spec: flags.model ? { ...i.spec, model: flags.model } : i.spec }));
  if (flags.every !== undefined && flags.rate !== undefined) throw new UsageError('choose one of --every and --rate');
  let mode: ReplayMode;
  if (flags.rate !== undefined || flags.every !== undefined) {
    if (flags.concurrency !== undefined) throw new UsageError('choose one of --concurrency and --every/--rate');
    const ratePerSec = flags.rate !== undefined ? parseRate(flags.rate) : 1000 / parseDuration(flags.every!);
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new UsageError('--every/--rate must give a rate above zero');
    mode = { kind: 'rate', ratePerSec, poisson: flags.rate !== undefined, seed: flags.seed === undefined ? 1 : parsePositiveInt(flags.seed, '--seed') };
  } else {
    mode = { kind: 'closed', concurrency: flags.concurrency === undefined ? 1 : parsePositiveInt(flags.concurrency, '--concurrency') };
  }
  const requests = flags.requests === undefined ? null : parsePositiveInt(flags.requests, '--requests');
  const durationMs = flags.duration === undefined ? null : parseDuration(flags.duration);
  if (durationMs !== null && !(durationMs > 0)) throw new UsageError('--duration must be above zero');
  const plan: TrafficPlan = { kind: 'replay', entries, mode, loop: false, targets: [...names] };
  return { ctx, targets, plan, durationMs, requests, budgetUsd: budgetFrom(flags.budgetUsd, ctx.config) };
}

export async function runCompare(file: string | undefined, flags: CompareFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  checkOutputPath(flags.summary, '--summary');
  const names = targetNames(flags);
  const options = compareOptions(flags);
  const run = file === undefined ? await probeRun(flags, names) : await fileRun(file, flags, names, io);
  const replayed = file === undefined ? [] : [{ path: file, label: `the file being replayed (${file})` }];
  refuseClobbering([...replayed, ...contextInputs(run.ctx, flags)], runOutputs(flags));
  if (flags.dryRun) return printDryRun(run, io, flags);

  const results: RequestResult[] = [];
  const { final, interrupted } = await runHeadless(
    {
      targets: run.targets,
      priceFiles: priceFiles(run.ctx.config, flags.prices),
      plan: run.plan,
      stopAfter: { durationMs: run.durationMs, requests: run.requests },
      log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
      thresholds: [],
      budgetUsd: run.budgetUsd,
      alerts: [],
      tickMs: 250,
      graceMs: DEFAULT_GRACE_MS,
      emitResults: true,
      liveStats: false,
    },
    io,
    { progress: true, command: 'compare', onSnapshot: (s) => results.push(...s.results) },
  );
  results.push(...final.snapshot.results);

  if (final.snapshot.saturation.capWaits > 0) {
    const caps = final.snapshot.targets.map((t) => `${t.name} ${t.cap}`).join(', ');
    io.err(`compare: sends waited for a full concurrency cap (${caps}): the slower side got fewer requests, later; raise targets.NAME.concurrency for an even comparison\n`);
  }
  const [a, b] = names.map((n) => run.targets.find((t) => t.name === n)!) as [ResolvedTarget, ResolvedTarget];
  const report = compareResults(a, b, results, options);
  const json: CompareOutput = {
    command: 'compare',
    startedAt: new Date(final.snapshot.startedAt).toISOString(),
    durationMs: Math.round(final.durationMs),
    saturation: saturationJson(final.saturation),
    stoppedBy: final.stoppedBy,
    ...report,
  };
  if (flags.json) io.out(JSON.stringify(json, null, 2) + '\n');
  else {
    io.out(compareText(report, { color: io.color, durationMs: final.durationMs, stoppedBy: final.stoppedBy }));
    const note = saturationLines({ saturation: final.saturation, durationMs: final.durationMs });
    if (note.length > 0) io.out('\n' + note.join('\n') + '\n');
  }
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  if (final.stoppedBy === 'budget') io.err(budgetStopMessage('compare', final.snapshot.spend));
  const saturated = saturationMessage('compare', final);
  if (saturated) io.err(saturated);
  return runExitCode(final, interrupted);
}

/** `relaymon compare`: the same probes (or a replay file) through two targets, interleaved, and whether they differ. */
import { UsageError, type ExitCode } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestResult } from '../core/result.js';
import type { ProbeStream, ReplayMode, TrafficPlan } from '../engine/messages.js';
import { readReplayFile } from '../traffic/replay/read.js';
import { mixSeed } from '../traffic/probes.js';
import { compareResults, DEFAULT_COMPARE_OPTIONS, type CompareOptions } from '../compare/compare.js';
import { compareText } from '../compare/compare-text.js';
import { saturationLines } from '../export/check-text.js';
import { budgetEndMessage } from '../traffic/budget.js';
import { checkOutputPaths, contextInputs, type Io, processIo, refuseClobbering, writeOutputFile } from './io.js';
import { budgetFrom, loadContext, pickTarget, priceFiles, withMaxInFlight } from './context.js';
import { printDryRun, runOutputs, scheduledRun, type ScheduledFlags, type ScheduledRun } from './scheduled.js';
import { runPipeline } from './pipeline.js';
import { pipelineExitCode, saturationMessage } from './outcome.js';
import { saturationJson } from '../export/run-summary-json.js';
import { DEFAULT_COMPARE_DURATION } from './defaults.js';
import type { CompareOutput } from '../export/contracts/index.js';
import { reportSink } from './report-write.js';

/** The schedule flags (ScheduledFlags) plus the pair, the seed and the significance settings, parsed by their declarations (cli/compare.ts). */
export interface CompareFlags extends ScheduledFlags {
  targets?: string;
  concurrency?: number;
  seed?: number;
  /** A fraction above 0, at most 0.5. */
  alpha?: number;
  minEffect?: number;
  json?: boolean;
  summary?: string;
  report?: string;
}

function targetNames(flags: CompareFlags): [string, string] {
  const names = [...(flags.targets?.split(',') ?? []), ...(flags.target ?? []).flatMap((t) => t.split(','))].map((n) => n.trim()).filter(Boolean);
  if (names.length !== 2 || names[0] === names[1]) {
    throw new UsageError('compare needs exactly two different targets from the config: --targets relay,direct');
  }
  return [names[0]!, names[1]!];
}

export function compareOptions(flags: Pick<CompareFlags, 'alpha' | 'minEffect' | 'seed'>): CompareOptions {
  return {
    ...DEFAULT_COMPARE_OPTIONS,
    alpha: flags.alpha ?? DEFAULT_COMPARE_OPTIONS.alpha,
    minEffect: flags.minEffect ?? DEFAULT_COMPARE_OPTIONS.minEffect,
    seed: flags.seed ?? DEFAULT_COMPARE_OPTIONS.seed,
  };
}

/** Every probe goes to every named target (compare's two, evaluate's N), whatever its `targets:` list says: a comparison needs every side. */
export function bothSides(streams: readonly ProbeStream[], names: readonly string[]): ProbeStream[] {
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
  const run = await scheduledRun({ ...flags, target: [...names] }, { defaultDuration: parseDuration(DEFAULT_COMPARE_DURATION) });
  return { ...run, plan: { kind: 'probes', streams: bothSides(run.plan.kind === 'probes' ? run.plan.streams : [], names) } };
}

async function fileRun(file: string, flags: CompareFlags, names: [string, string], io: Io): Promise<ScheduledRun> {
  const ctx = await loadContext({ ...flags, target: undefined }, process.env, { use: names });
  const targets = withMaxInFlight(names.map((n) => pickTarget(ctx.targets, n)), flags.maxInFlight);
  const parsed = await readReplayFile(file);
  const usable = parsed.items.filter((i) => targets.every((t) => i.protocol === null || i.protocol === t.protocol));
  const skipped = parsed.bad.length + parsed.items.length - usable.length;
  if (skipped > 0) io.err(`${file}: skipped ${skipped} line${skipped === 1 ? '' : 's'} (bad, or a protocol one of the targets does not speak; relaymon replay names them)\n`);
  if (usable.length === 0) throw new UsageError(`${file}: no line can be sent to both targets`);
  const entries = usable.map((i) => ({ line: i.line, offsetMs: i.offsetMs, spec: flags.model ? { ...i.spec, model: flags.model } : i.spec }));
  // --every and --rate are parsed (above zero) and exclude each other by their flags (cli/options.ts).
  let mode: ReplayMode;
  if (flags.rate !== undefined || flags.every !== undefined) {
    // Checked here, not by commander: -c only means something with FILE (without one it is ignored).
    if (flags.concurrency !== undefined) throw new UsageError('choose one of --concurrency and --every/--rate');
    const ratePerSec = flags.rate ?? 1000 / flags.every!;
    mode = { kind: 'rate', ratePerSec, poisson: flags.rate !== undefined, seed: flags.seed ?? 1 };
  } else {
    mode = { kind: 'closed', concurrency: flags.concurrency ?? 1 };
  }
  const requests = flags.requests ?? null;
  const durationMs = flags.duration ?? null;
  const plan: TrafficPlan = { kind: 'replay', entries, mode, loop: false, targets: [...names] };
  return { ctx, targets, plan, durationMs, requests, budgetUsd: budgetFrom(flags.budgetUsd, ctx.config) };
}

export async function runCompare(file: string | undefined, flags: CompareFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  checkOutputPaths(runOutputs(flags));
  const sink = reportSink(flags.report);
  const names = targetNames(flags);
  const options = compareOptions(flags);
  const run = file === undefined ? await probeRun(flags, names) : await fileRun(file, flags, names, io);
  const replayed = file === undefined ? [] : [{ path: file, label: `the file being replayed (${file})` }];
  refuseClobbering([...replayed, ...contextInputs(run.ctx, flags)], runOutputs(flags));
  if (flags.dryRun) return printDryRun(run, io, flags);

  const results: RequestResult[] = [];
  const outcome = await runPipeline(
    {
      targets: run.targets,
      priceFiles: priceFiles(run.ctx.config, flags.prices),
      plan: run.plan,
      stopAfter: { durationMs: run.durationMs, requests: run.requests },
      log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
      thresholds: [],
      budgetUsd: run.budgetUsd,
      alerts: [],
    },
    io,
    { command: 'compare', emitResults: true, onSnapshot: (s) => results.push(...s.results) },
  );
  const { final } = outcome;
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
  const budgetEnd = budgetEndMessage('compare', final.stoppedBy, final.snapshot.spend);
  if (budgetEnd !== null) io.err(budgetEnd);
  const saturated = saturationMessage('compare', final);
  if (saturated) io.err(saturated);
  const exitCode = pipelineExitCode(outcome);
  sink?.finish({ command: 'compare', final, targets: run.targets, exitCode, compare: json, results });
  return exitCode;
}

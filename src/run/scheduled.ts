/**
 * A run of probes on a schedule (check, watch, compare without a file): its
 * targets, probes and bounds from flags over config; and what every run
 * command shares before it sends: the output files it will write, the dry run.
 */
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import type { ResolvedTarget } from '../core/target.js';
import { planProbes, probeSpec, withKind } from '../traffic/probes.js';
import { dryRunReport } from '../traffic/dry-run.js';
import { dryRunText } from '../export/dry-run-text.js';
import type { ProbeStream, TrafficPlan } from '../engine/messages.js';
import type { ProbeConfig } from '../config/schema.js';
import { preference } from './preferences.js';
import type { Io, OutputFile } from './io.js';
import type { ScheduleFlagValues, TargetFlagValues } from './flags.js';
import { budgetFrom, loadContext, pickTarget, withMaxInFlight, type RunContext } from './context.js';
import { DEFAULT_PROBE_MODEL } from './defaults.js';

/** The flags a scheduled run reads: target and schedule flags, --target repeatable. */
export interface ScheduledFlags extends Omit<TargetFlagValues, 'target'>, ScheduleFlagValues {
  target?: string[];
}

export interface ScheduledRun {
  ctx: RunContext;
  targets: ResolvedTarget[];
  plan: TrafficPlan;
  durationMs: number | null;
  requests: number | null;
  budgetUsd: number | null;
}

/** Targets, probes and bounds for check and watch, from flags over config. `defaultDuration` in ms. */
export async function scheduledRun(flags: ScheduledFlags, opts: { defaultDuration: number | null; context?: RunContext }): Promise<ScheduledRun> {
  const names = flags.target ?? [];
  // Several names: only those are resolved, so notes (no API key) are about the targets this run sends to.
  const ctx = opts.context ?? (await loadContext({ ...flags, target: names.length === 1 ? names[0] : undefined }, process.env, { use: names.length > 1 ? names : undefined }));
  const targets = withMaxInFlight(names.length > 1 ? names.map((n) => pickTarget(ctx.targets, n)) : ctx.targets, flags.maxInFlight);
  if (targets.length === 0) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');
  const requests = flags.requests ?? null;
  const durationMs = flags.duration ?? (requests === null ? opts.defaultDuration : null);
  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  const plan: TrafficPlan = { kind: 'probes', streams: await probeStreams(flags, ctx, targets) };
  if (plan.streams.length === 0) throw new UsageError('no probe sends to the chosen targets: check the probes\' targets in the config');
  return { ctx, targets, plan, durationMs, requests, budgetUsd };
}

async function probeStreams(flags: ScheduledFlags, ctx: RunContext, targets: ResolvedTarget[]): Promise<ProbeStream[]> {
  const names = targets.map((t) => t.name);
  // --every and --rate are parsed, and exclude each other, by their flags (cli/options.ts).
  const flagSchedule = flags.rate !== undefined ? { kind: 'rate' as const, ratePerSec: flags.rate } : flags.every !== undefined ? { kind: 'every' as const, intervalMs: flags.every } : null;
  const flagMaxTokens = flags.maxTokens;
  const configured = ctx.config?.probes && Object.keys(ctx.config.probes).length > 0 && flags.model === undefined;
  if (configured) {
    // --kind, --prompt, --max-tokens and --no-stream adjust the configured probes (--model replaces them). They
    // are applied to the probe, not to its request, so that each kind builds its request around them
    // (a cache probe keeps its prefix before a --prompt).
    const probes = Object.fromEntries(
      Object.entries(ctx.config!.probes!).map(([name, probe]) => {
        const p = withKind(probe, flags.kind);
        const adjusted: ProbeConfig = {
          ...p,
          ...(flags.prompt !== undefined ? { prompt: flags.prompt, messages: undefined } : {}),
          ...(flagMaxTokens !== undefined ? { maxTokens: flagMaxTokens } : {}),
          ...(flags.stream === false ? { stream: false } : {}),
        };
        return [name, adjusted];
      }),
    );
    return planProbes(probes, names).map((p) => ({ ...p, schedule: flagSchedule ?? p.schedule }));
  }
  const preferred = flags.model ?? (await preference('defaultModel'));
  return targets.map((t, i) => ({
    probe: 'cli',
    target: t.name,
    spec: probeSpec({
      model: preferred ?? DEFAULT_PROBE_MODEL[t.protocol],
      ...(flags.kind !== undefined ? { kind: flags.kind } : {}),
      ...(flags.prompt !== undefined ? { prompt: flags.prompt } : {}),
      ...(flagMaxTokens !== undefined ? { maxTokens: flagMaxTokens } : {}),
      stream: flags.stream !== false,
    }),
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
  report?: string;
}

/** The files a check, replay, compare or watch run writes, by flag. */
export function runOutputs(flags: DryRunFlags): OutputFile[] {
  return [
    { flag: '--summary', path: flags.summary },
    { flag: '--junit', path: flags.junit },
    { flag: '--log', path: flags.log },
    { flag: '--report', path: flags.report },
  ];
}

export function printDryRun(run: ScheduledRun, io: Io, flags: DryRunFlags): ExitCode {
  const unwritten = (
    [
      ['--summary', flags.summary],
      ['--junit', flags.junit],
      ['--log', flags.log],
      ['--report', flags.report],
    ] as const
  ).flatMap(([flag, path]) => (path === undefined ? [] : [`${flag} ${path}`]));
  const report = dryRunReport(run.plan, run.targets, run.ctx.prices, { durationMs: run.durationMs, requests: run.requests, unwritten });
  io.out(flags.json === true ? JSON.stringify(report, null, 2) + '\n' : dryRunText(report));
  return EXIT.ok;
}

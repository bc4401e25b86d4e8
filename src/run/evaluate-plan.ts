/**
 * What `relaymon evaluate` will do, decided before anything is sent: the
 * reference and the candidates, the verdict rules (config `evaluate:`), the
 * mix, and each phase's requests with their worst-case cost (models: one
 * free GET per target; conform: the suite per target, conform's own plan
 * and prices, run/conform-cost.ts; compare: the interleaved probes, the
 * dry-run report of traffic/dry-run.ts). --dry-run prints this and stops.
 */
import { ConfigError, UsageError } from '../core/errors.js';
import type { ResolvedTarget } from '../core/target.js';
import type { Protocol } from '../core/result.js';
import { CONFORM_CHECKS, type ConformCheckName } from '../conform/checks.js';
import { displayPath } from '../config/paths.js';
import { defaultReasoningModel, planRequests, type PlannedRequest } from '../conform/plan.js';
import type { MixEntry } from '../cost/cost-mix.js';
import { readMixFile } from '../cost/mix-file.js';
import { dryRunReport } from '../traffic/dry-run.js';
import { formatUsd } from '../traffic/budget.js';
import type { ProbeStream } from '../engine/messages.js';
import { DEFAULT_EVALUATE_RULES, type EvaluateRules } from '../evaluate/rules.js';
import { bothSides } from './compare.js';
import { conformCost, type PlannedCost } from './conform-cost.js';
import { scheduledRun, type ScheduledFlags, type ScheduledRun } from './scheduled.js';
import { pickTarget } from './context.js';
import { DEFAULT_EVALUATE_REQUESTS } from '../evaluate/defaults.js';

/** evaluate's flags, parsed by their declarations (cli/evaluate.ts). */
export interface EvaluateFlags extends ScheduledFlags {
  targets?: string;
  mix?: string;
  seed?: number;
  json?: boolean;
  summary?: string;
  report?: string;
}

export interface PhasePlan {
  phase: 'models' | 'conform' | 'compare';
  /** null: not known in advance (a --duration with --rate). */
  requests: number | null;
  worstCaseUsd: number | null;
}

export interface ConformTargetPlan {
  target: ResolvedTarget;
  requests: PlannedRequest[];
}

export interface EvaluatePlan {
  reference: ResolvedTarget;
  candidates: ResolvedTarget[];
  rules: EvaluateRules;
  checks: ConformCheckName[] | null;
  mix: MixEntry[] | null;
  compare: ScheduledRun;
  /** The probe model of each target (its first stream's). */
  modelOf: Map<string, string>;
  conform: ConformTargetPlan[];
  conformCosts: PlannedCost[];
  phases: PhasePlan[];
  requests: number | null;
  worstCaseUsd: number | null;
  budgetUsd: number | null;
  seed: number;
}

/** The flags that describe one target by hand: evaluate takes every target from the config. */
const ONE_TARGET_FLAGS = [
  ['baseUrl', '--base-url'],
  ['protocol', '--protocol'],
  ['apiKeyEnv', '--api-key-env'],
  ['apiKeyHeader', '--api-key-header'],
] as const;

export function targetNames(flags: Pick<EvaluateFlags, 'targets' | 'target' | 'baseUrl' | 'protocol' | 'apiKeyEnv' | 'apiKeyHeader'>): string[] {
  const byHand = ONE_TARGET_FLAGS.find(([key]) => flags[key] !== undefined);
  if (byHand !== undefined) {
    throw new UsageError(`evaluate takes its targets from the config, not ${byHand[1]}: add the relay under targets: in relaymon.config.yaml and name it, e.g. --targets direct,relay (the first is the reference)`);
  }
  const names = [...(flags.targets?.split(',') ?? []), ...(flags.target ?? []).flatMap((t) => t.split(','))].map((n) => n.trim()).filter(Boolean);
  if (names.length < 2) throw new UsageError('evaluate needs a reference and at least one candidate from the config: --targets direct,relay[,relay2…] (the first is the reference)');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`evaluate: target "${twice}" is named twice in --targets`);
  return names;
}

/** The config's `evaluate:` (zod fills the documented defaults), its conform check names checked here: config may not import src/conform. */
export function evaluateRules(config: { evaluate?: EvaluateRules | undefined } | null, configPath: string | null): { rules: EvaluateRules; checks: ConformCheckName[] | null } {
  const rules = config?.evaluate ?? DEFAULT_EVALUATE_RULES;
  const wanted = rules.require.conform;
  if (wanted === 'none') return { rules, checks: null };
  if (wanted === 'all') return { rules, checks: [...CONFORM_CHECKS] };
  wanted.forEach((name, i) => {
    if (!(CONFORM_CHECKS as readonly string[]).includes(name)) {
      const path = `evaluate.require.conform[${i}]`;
      throw new ConfigError(`${configPath === null ? 'config' : displayPath(configPath)}: ${path}: expected one of ${CONFORM_CHECKS.join(', ')}, got "${name}"`, configPath, path);
    }
  });
  return { rules, checks: CONFORM_CHECKS.filter((c) => wanted.includes(c)) };
}

export async function readMix(path: string): Promise<MixEntry[]> {
  return readMixFile(path);
}

const sum = (xs: readonly (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + x!, 0));

export async function planEvaluate(flags: EvaluateFlags): Promise<EvaluatePlan> {
  const names = targetNames(flags);
  // -n defaults small (money is real); a --duration alone bounds the run instead.
  const requests = flags.requests ?? (flags.duration === undefined ? DEFAULT_EVALUATE_REQUESTS : undefined);
  const run = await scheduledRun({ ...flags, requests, target: names }, { defaultDuration: null });
  const [reference, ...candidates] = names.map((n) => pickTarget(run.targets, n)) as [ResolvedTarget, ...ResolvedTarget[]];
  const streams: ProbeStream[] = bothSides(run.plan.kind === 'probes' ? run.plan.streams : [], names);
  const compare: ScheduledRun = { ...run, plan: { kind: 'probes', streams } };
  const { rules, checks } = evaluateRules(run.ctx.config, run.ctx.configPath);
  const mix = flags.mix === undefined ? null : await readMix(flags.mix);
  const modelOf = new Map(names.map((n) => [n, streams.find((s) => s.target === n)!.spec.model]));

  const conform: ConformTargetPlan[] =
    checks === null
      ? []
      : [reference, ...candidates].map((t) => ({
          target: t,
          requests: planRequests({ protocol: t.protocol, model: modelOf.get(t.name)!, reasoningModel: defaultReasoningModel(t.protocol as Protocol), checks }),
        }));
  const conformCosts = conform.flatMap((p) => p.requests.map((r) => conformCost(run.ctx.prices, p.target, r)));
  const dry = dryRunReport(compare.plan, compare.targets, run.ctx.prices, { durationMs: compare.durationMs, requests: compare.requests });
  // A --duration's count is an expectation per flow (0.05 at -d 1ms --every 20ms): whole requests, each flow's rounded up.
  const perFlow = dry.rows.map((r) => r.run?.requests ?? null);
  const compareRequests = dry.totals.run === null || perFlow.some((n) => n === null) ? null : perFlow.reduce<number>((s, n) => s + Math.ceil(n!), 0);
  const phases: PhasePlan[] = [
    { phase: 'models', requests: names.length, worstCaseUsd: 0 },
    ...(checks === null ? [] : [{ phase: 'conform' as const, requests: conformCosts.length, worstCaseUsd: sum(conformCosts.map((c) => c.worstCaseUsd)) }]),
    { phase: 'compare', requests: compareRequests, worstCaseUsd: dry.totals.unpricedRows > 0 ? null : (dry.totals.run?.worstCaseUsd ?? null) },
  ];
  return {
    reference,
    candidates,
    rules,
    checks,
    mix,
    compare,
    modelOf,
    conform,
    conformCosts,
    phases,
    requests: sum(phases.map((p) => p.requests)),
    worstCaseUsd: sum(phases.map((p) => p.worstCaseUsd)),
    budgetUsd: compare.budgetUsd,
    seed: flags.seed ?? 1,
  };
}

const usd = (v: number | null): string => (v === null ? 'unbounded (an unpriced model)' : formatUsd(v));

/** Said on stderr before anything is sent. */
export function worstCaseLine(plan: EvaluatePlan): string {
  const budget = plan.budgetUsd === null ? '' : `; budget ${formatUsd(plan.budgetUsd)}`;
  return `evaluate: ${plan.requests ?? '?'} requests over ${plan.phases.length} phases, worst case ${usd(plan.worstCaseUsd)} (prompt at the input price + max tokens at the output price)${budget}\n`;
}

const PHASE_WHAT: Record<PhasePlan['phase'], string> = {
  models: 'GET /models of every target (reachability, served models)',
  conform: 'the conform suite on every target',
  compare: 'the same probes to every target at the same instants',
};

/** --dry-run: each phase, what it sends, how many requests and the worst case. */
export function dryRunText(plan: EvaluatePlan): string {
  const lines = [
    `relaymon evaluate --dry-run: ${[plan.reference, ...plan.candidates].length} targets, reference ${plan.reference.name}, candidates ${plan.candidates.map((c) => c.name).join(', ')}; nothing was sent`,
    ...plan.phases.map((p) => `  ${p.phase.padEnd(8)} ${String(p.requests ?? '?').padStart(5)} requests  worst case ${usd(p.worstCaseUsd).padEnd(10)}  ${PHASE_WHAT[p.phase]}`),
    `  models: ${[...plan.modelOf].map(([t, m]) => `${t} ${m}`).join(', ')}${plan.mix ? `; the mix: ${plan.mix.map((m) => m.model).join(', ')}` : ''}`,
  ];
  if (plan.checks === null) lines.push('  conform: not run (evaluate.require.conform: none)');
  lines.push(`total ${plan.requests ?? '?'} requests, worst case ${usd(plan.worstCaseUsd)}${plan.budgetUsd === null ? '' : `, budget ${formatUsd(plan.budgetUsd)}`}`);
  return lines.join('\n') + '\n';
}

export function dryRunJson(plan: EvaluatePlan): Record<string, unknown> {
  return {
    command: 'evaluate',
    dryRun: true,
    reference: plan.reference.name,
    candidates: plan.candidates.map((c) => c.name),
    models: Object.fromEntries(plan.modelOf),
    phases: plan.phases,
    requests: plan.requests,
    worstCaseUsd: plan.worstCaseUsd,
    budgetUsd: plan.budgetUsd,
    conformRequests: plan.conformCosts,
  };
}

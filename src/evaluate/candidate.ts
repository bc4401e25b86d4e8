/**
 * One candidate's part of `evaluate --json`, from what the phases measured:
 * compare's report against the reference (src/compare, candidate first), the
 * p95 excess of TTFT and latency (tail.ts), the monthly bill at its measured
 * usage ratio (src/cost), and the verdict (rules.ts). Pure.
 */
import type { RequestResult } from '../core/result.js';
import type { ConformRow } from '../conform/report.js';
import { COMPARE_METRICS, compareResults, type CompareOptions, type TargetRef } from '../compare/compare.js';
import { projectCost, type MixEntry } from '../cost/cost-mix.js';
import type { PriceTable } from '../pricing/table.js';
import type { EvaluateCandidateOutput } from '../export/contracts/evaluate.js';
import { judgeCandidate, type ComparisonStop, type EvaluateRules, type ModelFacts, type SideEvidence } from './rules.js';
import { tailExcess } from './tail.js';

export interface CandidateInput {
  target: TargetRef & { priceMultiplier: number };
  reference: TargetRef & { priceMultiplier: number };
  unreachable: string | null;
  models: ModelFacts;
  referenceModels: ModelFacts;
  neededModels: readonly string[];
  conform: { candidate: readonly ConformRow[]; reference: readonly ConformRow[] } | null;
  /** The comparison's results of every target; null when it did not run. */
  results: readonly RequestResult[] | null;
  mix: readonly MixEntry[] | null;
  prices: PriceTable;
  options: CompareOptions;
  /** Set when the comparison was cut short (Ctrl-C, the budget). */
  stopped: ComparisonStop | null;
}

/** Successful answers' values of one metric, as compare takes them. */
function sample(results: readonly RequestResult[], target: string, metric: 'latency' | 'ttft'): number[] {
  const field = COMPARE_METRICS.find((m) => m.metric === metric)!.field;
  const out: number[] = [];
  for (const r of results) {
    if (r.target !== target || !r.ok || r.errorType === 'cancelled') continue;
    const v = field(r);
    if (v !== null && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** What one target's answers in the comparison hold: how many succeeded, streamed, carried usage, and each probe check's tally. */
export function sideEvidence(results: readonly RequestResult[], target: string): SideEvidence {
  const ev: SideEvidence = { requests: 0, ok: 0, streamed: 0, withUsage: 0, ttft: 0, latency: 0, checks: {} };
  for (const r of results) {
    if (r.target !== target || r.errorType === 'cancelled') continue;
    ev.requests++;
    if (!r.ok) continue;
    ev.ok++;
    if (r.stream) ev.streamed++;
    if (r.usageSource === 'reported') ev.withUsage++;
    if (r.ttftMs !== null && Number.isFinite(r.ttftMs)) ev.ttft++;
    if (Number.isFinite(r.latencyMs)) ev.latency++;
    // A check named twice in one answer (two tool calls) counts once for that answer: failed if any failed.
    const seen = new Map<string, { ok: boolean; detail: string }>();
    for (const c of r.checks) {
      const prev = seen.get(c.name);
      if (prev === undefined || (prev.ok && !c.ok)) seen.set(c.name, { ok: c.ok, detail: c.detail });
    }
    for (const [name, c] of seen) {
      const tally = (ev.checks[name] ??= { judged: 0, failed: 0, detail: null });
      tally.judged++;
      if (!c.ok) {
        tally.failed++;
        tally.detail ??= c.detail;
      }
    }
  }
  return ev;
}

export function evaluateCandidate(c: CandidateInput, rules: EvaluateRules): EvaluateCandidateOutput {
  const compared = c.unreachable === null && c.results !== null && c.results.some((r) => r.target === c.target.name && r.errorType !== 'cancelled');
  const comparison = compared ? compareResults(c.target, c.reference, c.results!, c.options) : null;
  const tail = (metric: 'latency' | 'ttft', salt: number) =>
    comparison === null ? null : tailExcess(sample(c.results!, c.target.name, metric), sample(c.results!, c.reference.name, metric), c.options.seed + salt, c.options.confidence);
  const tails = { ttft: tail('ttft', 1), latency: tail('latency', 2) };
  const verdict = judgeCandidate(
    {
      name: c.target.name,
      reference: c.reference.name,
      unreachable: c.unreachable,
      models: c.models,
      referenceModels: c.referenceModels,
      neededModels: c.neededModels,
      conform: c.conform,
      comparison,
      tails,
      evidence: comparison === null ? null : { candidate: sideEvidence(c.results!, c.target.name), reference: sideEvidence(c.results!, c.reference.name) },
      stopped: c.stopped,
    },
    rules,
  );
  const conformRows = c.conform?.candidate ?? null;
  return {
    name: c.target.name,
    baseUrl: c.target.baseUrl,
    protocol: c.target.protocol,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    caveats: verdict.caveats,
    models: c.models,
    conform:
      conformRows === null
        ? null
        : { pass: conformRows.filter((r) => r.status === 'pass').length, fail: conformRows.filter((r) => r.status === 'fail').length, notApplicable: conformRows.filter((r) => r.status === 'n/a').length },
    comparison: comparison === null ? null : { alpha: comparison.alpha, minEffect: comparison.minEffect, confidence: comparison.confidence, seed: comparison.seed, targets: comparison.targets, metrics: comparison.metrics, errors: comparison.errors },
    tails,
    cost: c.mix === null ? null : candidateCost(c, comparison),
  };
}

/** The bill of the mix through the candidate and through the reference, each at its measured usage ratio (as cost --from a comparison). */
function candidateCost(c: CandidateInput, comparison: ReturnType<typeof compareResults> | null): EvaluateCandidateOutput['cost'] {
  const measured = new Map(comparison === null ? [] : comparison.targets.map((t) => [t.name, t.honesty.usageRatio] as const));
  const p = projectCost(c.mix!, [c.target, c.reference].map((t) => ({ name: t.name, priceMultiplier: t.priceMultiplier })), c.prices, measured);
  const [mine, ref] = p.targets as [(typeof p.targets)[number], (typeof p.targets)[number]];
  const saving = mine.monthlyUsd !== null && ref.monthlyUsd !== null ? ref.monthlyUsd - mine.monthlyUsd : null;
  return {
    monthlyUsd: mine.monthlyUsd,
    referenceMonthlyUsd: ref.monthlyUsd,
    savingUsd: saving,
    savingFraction: saving !== null && ref.monthlyUsd! > 0 ? saving / ref.monthlyUsd! : null,
    usageRatio: mine.usageRatio,
    unpricedModels: mine.unpricedModels,
  };
}

/**
 * The verdict of `relaymon evaluate` for one candidate against the reference,
 * by the rules of the config's `evaluate:` (src/config/schema.ts, defaults
 * documented there and in README "Deciding on a relay"): a broken `require`
 * is a reason (not_ready), a broken `warn` a caveat (ready_with_caveats).
 * What the reference does too is never held against the candidate: it
 * becomes a caveat, so an official API's own gaps do not fail every relay.
 * Pure: the facts come measured (src/run/evaluate*.ts).
 */
import type { EvaluateConfig } from '../config/schema.js';
import type { CompareReport } from '../compare/compare.js';
import type { ConformRow } from '../conform/report.js';
import { fmtMs, fmtPct } from '../export/format.js';
import type { TailExcess } from './tail.js';
export { DEFAULT_EVALUATE_RULES } from './defaults.js';
import { FINDING_RULES, VERDICTS, type EvaluateFinding } from '../export/contracts/evaluate.js';

export { VERDICTS, FINDING_RULES };
export type Verdict = (typeof VERDICTS)[number];
export type FindingRule = (typeof FINDING_RULES)[number];
/** One reason or caveat (docs/contracts.md "evaluate --json"). */
export type Finding = EvaluateFinding;

export type EvaluateRules = EvaluateConfig;

export interface ModelFacts {
  /** The ids GET /models listed; null when the list could not be read. */
  listed: string[] | null;
  /** Why the list could not be read (HTTP error, not a list). */
  error: string | null;
}

export interface CandidateFacts {
  name: string;
  reference: string;
  /** null: the candidate answered (HTTP) on GET /models; else why it did not (network error). */
  unreachable: string | null;
  models: ModelFacts;
  /** The models the run needs: the probe model and those of the mix. */
  neededModels: readonly string[];
  /** The conform rows of the candidate and the reference; null when the suite did not run. */
  conform: { candidate: readonly ConformRow[]; reference: readonly ConformRow[] } | null;
  /** compareResults(candidate, reference): a is the candidate. null when nothing was compared. */
  comparison: CompareReport | null;
  tails: { ttft: TailExcess | null; latency: TailExcess | null };
}

export interface CandidateVerdict {
  verdict: Verdict;
  reasons: Finding[];
  caveats: Finding[];
}

/** A listed id serves a model when it is the model or a dated snapshot of it (gpt-4o-mini-2024-07-18). */
export function serves(listed: readonly string[], model: string): boolean {
  const m = model.toLowerCase();
  return listed.some((id) => {
    const x = id.toLowerCase().replace(/^models\//, '');
    return x === m || (x.startsWith(`${m}-`) && /^\d{4}-?\d{2}-?\d{2}$|^\d{8}$|^latest$/.test(x.slice(m.length + 1)));
  });
}

const pct = (fraction: number): string => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(Math.abs(fraction) < 0.1 ? 1 : 0)}%`;
const round1 = (v: number): number => Math.round(v * 10) / 10;

function modelFindings(f: CandidateFacts, rules: EvaluateRules, out: Out): void {
  if (!rules.require.servesModels || f.neededModels.length === 0) return;
  if (f.models.listed === null) {
    out.caveats.push({ rule: 'notJudged', message: 'model list unavailable: servesModels not judged', evidence: `GET /models: ${f.models.error ?? 'no list'}`, size: null, unit: null });
    return;
  }
  const missing = f.neededModels.filter((m) => !serves(f.models.listed!, m));
  if (missing.length > 0) {
    out.reasons.push({
      rule: 'servesModels',
      message: `does not serve ${missing.join(', ')}`,
      evidence: `GET /models lists ${f.models.listed.length} model${f.models.listed.length === 1 ? '' : 's'}, not ${missing.join(', ')}`,
      size: missing.length,
      unit: 'count',
    });
  }
}

function conformFindings(f: CandidateFacts, rules: EvaluateRules, out: Out): void {
  const required = rules.require.conform;
  if (required === 'none' || f.conform === null) return;
  const wanted = (name: string): boolean => required === 'all' || required.includes(name);
  for (const row of f.conform.candidate) {
    if (!wanted(row.name)) continue;
    const ref = f.conform.reference.find((r) => r.name === row.name && r.protocol === row.protocol);
    // n/a where the reference passed: not judged on the candidate (the budget, a failed request), which a verdict must say.
    if (row.status === 'n/a' && ref?.status === 'pass') {
      out.caveats.push({ rule: 'notJudged', message: `conform ${row.name} not judged`, evidence: `${row.protocol}: ${row.evidence.got}`, size: null, unit: null });
      continue;
    }
    if (row.status !== 'fail') continue;
    const evidence = `${row.protocol}: expected ${row.evidence.expected}; got ${row.evidence.got}${row.evidence.requestId ? ` (request ${row.evidence.requestId})` : ''}`;
    if (ref?.status === 'fail') out.caveats.push({ rule: 'conform', message: `conform ${row.name} fails, on the reference too`, evidence, size: null, unit: null });
    else out.reasons.push({ rule: 'conform', message: `conform ${row.name} fails`, evidence, size: null, unit: null });
  }
}

function honestyFindings(f: CandidateFacts, rules: EvaluateRules, out: Out): void {
  const c = f.comparison;
  if (c === null) return;
  const [cand, ref] = c.targets;
  const limit = rules.require.billingGapPct;
  if (limit !== null && cand.honesty.usageGapRatio !== null) {
    const refGap = ref.honesty.usageGapRatio ?? 0;
    const excess = cand.honesty.usageGapRatio - Math.max(0, refGap);
    if (excess * 100 > limit) {
      out.reasons.push({
        rule: 'billingGapPct',
        message: `bills ${pct(cand.honesty.usageGapRatio)} tokens over relaymon's own count (limit +${limit}% over the reference's ${pct(refGap)})`,
        evidence: `${cand.honesty.usageMismatches} of ${cand.honesty.usageCompared} answers beyond tolerance; billed/counted output ${cand.honesty.usageRatio.output?.toFixed(2) ?? '-'}, input ${cand.honesty.usageRatio.input?.toFixed(2) ?? '-'}`,
        size: round1(excess * 100),
        unit: '%',
      });
    }
  }
  if (rules.require.modelIdentity && cand.honesty.modelMismatches > 0) {
    const shared = ref.honesty.modelMismatches > 0;
    (shared ? out.caveats : out.reasons).push({
      rule: 'modelIdentity',
      message: `answers name another model than the one asked for${shared ? ', on the reference too' : ''}`,
      evidence: `${cand.honesty.modelMismatches} of ${cand.honesty.namedModels} answers that named a model`,
      size: cand.honesty.modelMismatches,
      unit: 'count',
    });
  }
  if (rules.require.streamConformance) {
    const kinds = [
      ['without usage', 'streamsWithoutUsage'],
      ['out of order', 'streamsOutOfOrder'],
      ['unterminated', 'streamsUnterminated'],
      ['with decreasing usage', 'streamsUsageDecreased'],
    ] as const;
    for (const [what, key] of kinds) {
      const n = cand.honesty[key];
      if (n === 0) continue;
      const shared = ref.honesty[key] > 0;
      (shared ? out.caveats : out.reasons).push({
        rule: 'streamConformance',
        message: `streams ${what}${shared ? ', on the reference too' : ''}`,
        evidence: `${n} of ${cand.honesty.streams} streams (reference: ${ref.honesty[key]} of ${ref.honesty.streams})`,
        size: n,
        unit: 'count',
      });
    }
  }
  const errLimit = rules.require.errorRatePp;
  const e = c.errors;
  if (errLimit !== null && e.a.rate !== null && e.b.rate !== null) {
    const pp = (e.a.rate - e.b.rate) * 100;
    if (pp > errLimit) {
      out.reasons.push({
        rule: 'errorRatePp',
        message: `error rate ${fmtPct(e.a.rate)}, ${round1(pp)} pp above the reference's ${fmtPct(e.b.rate)} (limit ${errLimit} pp)`,
        evidence: `${e.a.errors} of ${e.a.requests} requests failed (${Object.entries(cand.errorTypes).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}) vs ${e.b.errors} of ${e.b.requests}; Fisher p=${e.pValue === null ? '-' : e.pValue.toPrecision(2)}`,
        size: round1(pp),
        unit: 'pp',
      });
    }
  }
}

/**
 * A warn fires when the candidate's p95 is more than the limit above the
 * reference's AND the bootstrap interval of the excess lies wholly above 0:
 * a tail that is really worse, not the scatter of a few dozen samples.
 */
function tailFindings(f: CandidateFacts, rules: EvaluateRules, out: Out): void {
  const checks = [
    ['ttftP95WithinPct', 'TTFT', f.tails.ttft, rules.warn.ttftP95WithinPct],
    ['latencyP95WithinPct', 'latency', f.tails.latency, rules.warn.latencyP95WithinPct],
  ] as const;
  for (const [rule, label, tail, limit] of checks) {
    if (limit === null) continue;
    if (tail === null) {
      if (f.comparison !== null) out.caveats.push({ rule: 'notJudged', message: `${label} p95 not judged: too few successful answers`, evidence: 'fewer than 10 a side', size: null, unit: null });
      continue;
    }
    if (tail.excess * 100 > limit && tail.low > 0) {
      out.caveats.push({
        rule,
        message: `${label} p95 ${pct(tail.excess)} over the reference (limit +${limit}%)`,
        evidence: `${fmtMs(tail.candidateP95)} vs ${fmtMs(tail.referenceP95)}; 95% interval of the excess [${pct(tail.low)}, ${pct(tail.high)}], n=${tail.n.candidate}/${tail.n.reference}`,
        size: round1(tail.excess * 100),
        unit: '%',
      });
    }
  }
}

interface Out {
  reasons: Finding[];
  caveats: Finding[];
}

export function judgeCandidate(f: CandidateFacts, rules: EvaluateRules): CandidateVerdict {
  const out: Out = { reasons: [], caveats: [] };
  if (f.unreachable !== null) {
    out.reasons.push({ rule: 'reachable', message: 'unreachable: no HTTP answer', evidence: f.unreachable, size: null, unit: null });
    return { verdict: 'not_ready', ...out };
  }
  modelFindings(f, rules, out);
  conformFindings(f, rules, out);
  honestyFindings(f, rules, out);
  tailFindings(f, rules, out);
  if (f.comparison === null) out.caveats.push({ rule: 'notJudged', message: 'no comparison: latency, errors and billing not judged', evidence: 'no request of the comparison was sent (budget or interrupt)', size: null, unit: null });
  const verdict: Verdict = out.reasons.length > 0 ? 'not_ready' : out.caveats.length > 0 ? 'ready_with_caveats' : 'ready';
  return { verdict, ...out };
}

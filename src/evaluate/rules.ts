/**
 * The verdict of `relaymon evaluate` for one candidate against the reference,
 * by the rules of the config's `evaluate:` (src/config/schema.ts, defaults
 * documented there and in README "Deciding on a relay"): a broken `require`
 * is a reason (not_ready), a broken `warn` a caveat (ready_with_caveats).
 * What the reference does too is never held against the candidate: it
 * becomes a caveat, so an official API's own gaps do not fail every relay.
 * A verdict is never more confident than its evidence: what could not be
 * judged is a named caveat, a candidate with no successful answer (or with
 * nothing measured at all) is not_ready, and a count-based rule (error rate,
 * probe checks) makes a reason only when the difference is significant.
 * Pure: the facts come measured (src/run/evaluate*.ts, src/evaluate/candidate.ts).
 */
import type { EvaluateConfig } from '../config/schema.js';
import type { CompareReport } from '../compare/compare.js';
import type { ConformRow } from '../conform/report.js';
import { fmtMs, fmtPct } from '../export/format.js';
import { MIN_TAIL_SAMPLES, type TailExcess } from './tail.js';
import { fisherExact } from '../compare/compare-stats.js';
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

/** What one side's answers in the comparison hold (counted by src/evaluate/candidate.ts). */
export interface SideEvidence {
  /** Its requests in the comparison (those relaymon cancelled itself not counted). */
  requests: number;
  /** Successful answers. */
  ok: number;
  /** Successful answers that streamed: a non-streamed answer has no TTFT. */
  streamed: number;
  /** Successful answers that carried the relay's own usage. */
  withUsage: number;
  /** Successful answers with a TTFT, and with a latency: the samples of the p95s. */
  ttft: number;
  latency: number;
  /** Per probe check (--kind tools, json, cache …): the answers it was checked on, those it failed on, the first failure's detail. */
  checks: Record<string, { judged: number; failed: number; detail: string | null }>;
}

/** Why the comparison ended before its plan: it is then partial. */
export interface ComparisonStop {
  by: 'interrupt' | 'budget';
  /** Requests planned to each target (-n); null when a --duration bounded it. */
  planned: number | null;
}

export interface CandidateFacts {
  name: string;
  reference: string;
  /** null: the candidate answered (HTTP) on GET /models; else why it did not (network error). */
  unreachable: string | null;
  models: ModelFacts;
  /** The reference's model list: a model it does not serve either is a caveat, not a reason. */
  referenceModels: ModelFacts;
  /** The models the run needs: the probe model and those of the mix. */
  neededModels: readonly string[];
  /** The conform rows of the candidate and the reference; null when the suite did not run. */
  conform: { candidate: readonly ConformRow[]; reference: readonly ConformRow[] } | null;
  /** compareResults(candidate, reference): a is the candidate. null when nothing was compared. */
  comparison: CompareReport | null;
  tails: { ttft: TailExcess | null; latency: TailExcess | null };
  /** What each side's answers hold; null when nothing was compared. */
  evidence: { candidate: SideEvidence; reference: SideEvidence } | null;
  /** Set when the comparison was cut short (Ctrl-C, the budget). */
  stopped: ComparisonStop | null;
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

/** A list of names for one line: the first few, then how many more (a mix may name thousands of models). */
function names(xs: readonly string[], max = 5): string {
  return xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;
}

function modelFindings(f: CandidateFacts, rules: EvaluateRules, out: Out): void {
  if (!rules.require.servesModels || f.neededModels.length === 0) return;
  if (f.models.listed === null) {
    out.caveats.push({ rule: 'notJudged', message: 'model list unavailable: servesModels not judged', evidence: `GET /models: ${f.models.error ?? 'no list'}`, size: null, unit: null });
    return;
  }
  const missing = f.neededModels.filter((m) => !serves(f.models.listed!, m));
  // A model the reference's own list lacks too (a mix naming a model nobody serves) is the reference's gap as well: a caveat.
  const refList = f.referenceModels.listed;
  const shared = refList === null ? [] : missing.filter((m) => !serves(refList, m));
  const own = missing.filter((m) => !shared.includes(m));
  const listed = `GET /models lists ${f.models.listed.length} model${f.models.listed.length === 1 ? '' : 's'}`;
  if (own.length > 0) {
    out.reasons.push({ rule: 'servesModels', message: `does not serve ${names(own)}`, evidence: `${listed}, not ${names(own)}`, size: own.length, unit: 'count' });
  }
  if (shared.length > 0) {
    out.caveats.push({
      rule: 'servesModels',
      message: `does not serve ${names(shared)}, nor does the reference`,
      evidence: `${listed}, not ${names(shared)}; the reference's ${refList!.length} do not either`,
      size: shared.length,
      unit: 'count',
    });
  }
}

/**
 * A conform row that is n/a for want of evidence: its request was not sent
 * (the spend guard refused it) or got no usable answer (an HTTP error, no
 * answer at all); the wording is src/conform/judge.ts notSentVerdict's and
 * src/conform/facts.ts unanswered's. Other n/a rows are n/a by nature (the
 * upstream did not fail, nothing to check in the answer) and say nothing
 * missing.
 */
export function missingEvidence(row: ConformRow): boolean {
  return row.status === 'n/a' && /^(not sent\b|request failed:)/.test(row.evidence.got);
}

function conformFindings(f: CandidateFacts, rules: EvaluateRules, out: Out): void {
  const required = rules.require.conform;
  if (required === 'none' || f.conform === null) return;
  const wanted = (name: string): boolean => required === 'all' || required.includes(name);
  for (const row of f.conform.candidate) {
    if (!wanted(row.name)) continue;
    const ref = f.conform.reference.find((r) => r.name === row.name && r.protocol === row.protocol);
    // n/a where the reference passed (the budget, a failed request), or n/a for want of evidence whatever the reference
    // got (refused or failed on both sides): not judged on the candidate, which a verdict must say.
    if (row.status === 'n/a' && (ref?.status === 'pass' || missingEvidence(row))) {
      const refSaid = ref === undefined ? '' : ref.status === 'pass' ? '; the reference passed it' : ref.status === 'fail' ? '; the reference failed it' : '; not judged on the reference either';
      out.caveats.push({ rule: 'notJudged', message: `conform ${row.name} not judged`, evidence: `${row.protocol}: ${row.evidence.got}${refSaid}`, size: null, unit: null });
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
  const ev = f.evidence;
  if (limit !== null && cand.honesty.usageGapRatio === null && ev !== null && ev.candidate.ok > 0) {
    // Nothing reconciled: a relay that never reports usage bills what nobody checked (streamed, streamConformance says it too).
    const { ok, withUsage } = ev.candidate;
    out.caveats.push({
      rule: 'notJudged',
      message: withUsage === 0 ? `billing gap not judged: no usage in ${ok}/${ok} answers` : 'billing gap not judged: no answer\'s usage could be reconciled',
      evidence: `usage reported in ${withUsage} of ${ok} successful answers, ${cand.honesty.usageCompared} reconciled with relaymon's own count`,
      size: null,
      unit: null,
    });
  }
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
      // A point estimate is not evidence: at -n 30 one failure is 3.3 pp. A reason needs the difference to be significant
      // (Fisher's exact test below compare's alpha, its errors.significant); above the limit but not significant is a caveat.
      const types = Object.entries(cand.errorTypes).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
      const p = e.pValue === null ? '-' : e.pValue.toPrecision(2);
      const evidence = `${e.a.errors} of ${e.a.requests} requests failed (${types}) vs ${e.b.errors} of ${e.b.requests}; Fisher p=${p}`;
      const message = `error rate ${fmtPct(e.a.rate)}, ${round1(pp)} pp above the reference's ${fmtPct(e.b.rate)} (limit ${errLimit} pp)`;
      if (e.significant) out.reasons.push({ rule: 'errorRatePp', message, evidence, size: round1(pp), unit: 'pp' });
      else
        out.caveats.push({
          rule: 'errorRatePp',
          message: `${message}, not significant at this -n`,
          evidence: `${evidence} (significant below ${c.alpha}); one request is ${round1(100 / e.a.requests)} pp of ${e.a.requests}`,
          size: round1(pp),
          unit: 'pp',
        });
    }
  }
}

/**
 * The checks a non-text probe made on each answer of the comparison
 * (--kind tools, json, cache …; docs/contracts.md "Probe checks"): one the
 * candidate fails significantly more often than the reference (Fisher's
 * exact test below compare's alpha) is a reason; one the reference fails
 * too, or failed too rarely to tell, is a caveat. Judged whatever
 * require.conform says: the user asked for that kind of probe.
 */
function probeCheckFindings(f: CandidateFacts, out: Out): void {
  if (f.evidence === null || f.comparison === null) return;
  const alpha = f.comparison.alpha;
  const { candidate, reference } = f.evidence;
  for (const [name, mine] of Object.entries(candidate.checks)) {
    if (mine.failed === 0) continue;
    const ref = reference.checks[name] ?? { judged: 0, failed: 0, detail: null };
    const evidence = `failed on ${mine.failed} of ${mine.judged} answers (reference: ${ref.failed} of ${ref.judged})${mine.detail ? `: ${mine.detail}` : ''}`;
    const base = { rule: 'probeChecks' as const, evidence, size: mine.failed, unit: 'count' as const };
    if (ref.failed > 0) {
      out.caveats.push({ ...base, message: `probe check ${name} fails, on the reference too` });
      continue;
    }
    const p = ref.judged > 0 ? fisherExact(mine.failed, mine.judged, ref.failed, ref.judged) : null;
    if (p !== null && p < alpha) out.reasons.push({ ...base, message: `probe check ${name} fails` });
    else out.caveats.push({ ...base, message: `probe check ${name} fails, ${p === null ? 'not checked on the reference' : `not significant at this -n (Fisher p=${p.toPrecision(2)})`}` });
  }
}

/**
 * What the comparison measured at all. A candidate with no successful
 * answer is not_ready (nothing about it was measured, whatever the
 * reference did); a reference with none leaves nothing to compare against
 * (a caveat); a comparison cut short (Ctrl-C, the budget) is partial.
 */
function evidenceFindings(f: CandidateFacts, out: Out): void {
  if (f.comparison === null) {
    // No comparison: what conform judged is all there is; with nothing judged there either, nothing was measured.
    const judged = f.conform?.candidate.some((r) => r.status !== 'n/a') ?? false;
    if (judged) out.caveats.push({ rule: 'notJudged', message: 'no comparison: latency, errors and billing not judged', evidence: 'no request of the comparison was sent (budget or interrupt)', size: null, unit: null });
    else out.reasons.push({ rule: 'notJudged', message: 'nothing measured: no comparison and no conform check judged', evidence: 'no request of the comparison was sent (budget or interrupt), and the conform suite judged none of its checks', size: null, unit: null });
    return;
  }
  const [cand, ref] = f.comparison.targets;
  const ev = f.evidence;
  if (ev !== null && ev.candidate.ok === 0) {
    const types = Object.entries(cand.errorTypes).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
    const refNone = ev.reference.ok === 0;
    out.reasons.push({
      rule: 'notJudged',
      message: `no successful answer in the comparison${refNone ? ', nor on the reference' : ''}: nothing measured`,
      evidence: `${ev.candidate.requests} of ${ev.candidate.requests} requests failed (${types}); the reference: ${ev.reference.ok} of ${ev.reference.requests} succeeded`,
      size: ev.candidate.requests,
      unit: 'count',
    });
  } else if (ev !== null && ev.reference.ok === 0) {
    const types = Object.entries(ref.errorTypes).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
    out.caveats.push({
      rule: 'notJudged',
      message: 'the reference gave no successful answer: nothing to compare against',
      evidence: `the reference: ${ev.reference.requests} of ${ev.reference.requests} requests failed (${types}); the candidate: ${ev.candidate.ok} of ${ev.candidate.requests} succeeded`,
      size: null,
      unit: null,
    });
  }
  if (f.stopped !== null) {
    const sent = ev?.candidate.requests ?? cand.requests;
    out.caveats.push({
      rule: 'notJudged',
      message: `comparison ${f.stopped.by === 'interrupt' ? 'interrupted' : 'stopped by the budget'}: partial`,
      evidence: `${sent}${f.stopped.planned === null ? '' : ` of ${f.stopped.planned} planned`} requests sent to ${f.name}`,
      size: sent,
      unit: 'count',
    });
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
      const ev = f.evidence;
      // A candidate without one successful answer is a reason already (evidenceFindings).
      if (f.comparison === null || ev === null || ev.candidate.ok === 0) continue;
      const [c, r] = label === 'TTFT' ? [ev.candidate.ttft, ev.reference.ttft] : [ev.candidate.latency, ev.reference.latency];
      // A non-streamed answer has no TTFT: say so, not "too few answers" (12 answers may have succeeded).
      const unstreamed = label === 'TTFT' && ((ev.candidate.ok > 0 && ev.candidate.streamed === 0) || (ev.reference.ok > 0 && ev.reference.streamed === 0));
      out.caveats.push(
        unstreamed
          ? { rule: 'notJudged', message: 'TTFT p95 not measured: non-streamed answers have no TTFT', evidence: `streamed answers: ${ev.candidate.streamed} of ${ev.candidate.ok} vs ${ev.reference.streamed} of ${ev.reference.ok} on the reference`, size: null, unit: null }
          : { rule: 'notJudged', message: `${label} p95 not judged: too few successful answers`, evidence: `${c} vs ${r} on the reference; at least ${MIN_TAIL_SAMPLES} a side`, size: null, unit: null },
      );
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
  evidenceFindings(f, out);
  modelFindings(f, rules, out);
  conformFindings(f, rules, out);
  honestyFindings(f, rules, out);
  probeCheckFindings(f, out);
  tailFindings(f, rules, out);
  const verdict: Verdict = out.reasons.length > 0 ? 'not_ready' : out.caveats.length > 0 ? 'ready_with_caveats' : 'ready';
  return { verdict, ...out };
}

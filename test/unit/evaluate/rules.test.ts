/**
 * The verdict rules of relaymon evaluate (src/evaluate/rules.ts), on facts
 * built by hand: each require rule makes not_ready with its evidence, each
 * warn rule ready_with_caveats with its size, what the reference does too
 * is a caveat, and the config's values (zod defaults) are the documented ones.
 */
import { describe, expect, it } from 'vitest';
import { judgeCandidate, missingEvidence, serves, type CandidateFacts, type EvaluateRules, type SideEvidence } from '../../../src/evaluate/rules.js';
import { sideEvidence } from '../../../src/evaluate/candidate.js';
import { fisherExact } from '../../../src/compare/compare-stats.js';
import { judge } from '../../../src/conform/judge.js';
import { result } from '../export/result.js';
import { DEFAULT_EVALUATE_RULES } from '../../../src/evaluate/defaults.js';
import { tailExcess } from '../../../src/evaluate/tail.js';
import type { CompareReport, CompareTarget } from '../../../src/compare/compare.js';
import type { ConformRow } from '../../../src/conform/report.js';
import { evaluateSchema } from '../../../src/config/schema.js';
import { validateConfig } from '../../../src/config/load.js';

function side(name: string, over: Partial<CompareTarget['honesty']> = {}, requests = 30, errors = 0): CompareTarget {
  return {
    name,
    baseUrl: `http://127.0.0.1/${name}/v1`,
    protocol: 'openai',
    requests,
    errors,
    errorTypes: errors > 0 ? { server_error: errors } : {},
    inputTokens: 300,
    outputTokens: 480,
    costUsd: 0.001,
    costPer1MTokensUsd: 1,
    costPer1MCountedTokensUsd: 1,
    honesty: {
      usageCompared: 30,
      usageMismatches: 0,
      usageGapRatio: 0,
      usageRatio: { input: 1, output: 1 },
      modelMismatches: 0,
      namedModels: 30,
      fingerprintChanges: 0,
      streams: 30,
      streamsWithoutUsage: 0,
      streamsOutOfOrder: 0,
      streamsUnterminated: 0,
      streamsUsageDecreased: 0,
      ...over,
    },
  };
}

function comparison(cand: CompareTarget, ref: CompareTarget): CompareReport {
  const rate = (t: CompareTarget) => t.errors / t.requests;
  return {
    alpha: 0.01,
    minEffect: 0.05,
    confidence: 0.95,
    seed: 1,
    targets: [cand, ref],
    metrics: [],
    errors: (() => {
      // As compare computes it (src/compare/compare.ts compareErrors): Fisher's exact test, significant below alpha 0.01.
      const p = fisherExact(cand.errors, cand.requests, ref.errors, ref.requests);
      return { a: { requests: cand.requests, errors: cand.errors, rate: rate(cand) }, b: { requests: ref.requests, errors: ref.errors, rate: rate(ref) }, difference: rate(cand) - rate(ref), pValue: p, significant: p < 0.01 };
    })(),
  };
}

/** What a side's answers hold: `ok` successful of `requests`, all streamed with usage unless said. */
function sideEv(over: Partial<SideEvidence> = {}): SideEvidence {
  const ok = over.ok ?? 30;
  return { requests: 30, ok, streamed: ok, withUsage: ok, ttft: ok, latency: ok, checks: {}, ...over };
}

const row = (name: ConformRow['name'], status: ConformRow['status']): ConformRow => ({ name, protocol: 'openai', status, evidence: { requestId: 'req_1', expected: 'usage', got: status === 'fail' ? 'no usage' : 'usage' } });
const noTail = { ttft: null, latency: null };
const tail = (excess: number, low: number) => ({ candidateP95: 100 * (1 + excess), referenceP95: 100, excess, low, high: excess + 0.5, n: { candidate: 30, reference: 30 } });

function facts(over: Partial<CandidateFacts> = {}): CandidateFacts {
  return {
    name: 'relay',
    reference: 'direct',
    unreachable: null,
    models: { listed: ['gpt-4o', 'gpt-4o-mini-2024-07-18'], error: null },
    neededModels: ['gpt-4o-mini'],
    conform: { candidate: [row('usage_present', 'pass')], reference: [row('usage_present', 'pass')] },
    comparison: comparison(side('relay'), side('direct')),
    tails: { ttft: tail(0.02, -0.1), latency: tail(0.01, -0.1) },
    referenceModels: { listed: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1'], error: null },
    evidence: { candidate: sideEv(), reference: sideEv() },
    stopped: null,
    ...over,
  };
}

const rules: EvaluateRules = DEFAULT_EVALUATE_RULES;

describe('evaluate verdict rules', () => {
  it('an honest candidate with a tail like the reference is ready, nothing said', () => {
    expect(judgeCandidate(facts(), rules)).toEqual({ verdict: 'ready', reasons: [], caveats: [] });
  });

  it('a TTFT tail over the warn limit, really above 0, is a caveat with its size; inside the noise it is not', () => {
    const v = judgeCandidate(facts({ tails: { ttft: tail(0.85, 0.4), latency: tail(0.1, -0.05) } }), rules);
    expect(v.verdict).toBe('ready_with_caveats');
    expect(v.reasons).toEqual([]);
    expect(v.caveats).toHaveLength(1);
    expect(v.caveats[0]).toMatchObject({ rule: 'ttftP95WithinPct', size: 85, unit: '%' });
    expect(v.caveats[0]!.message).toContain('+85%');
    // +30% but the interval reaches below 0: the scatter of a small sample, not a worse tail.
    expect(judgeCandidate(facts({ tails: { ttft: tail(0.3, -0.02), latency: tail(0, -0.1) } }), rules).verdict).toBe('ready');
    // warn off (null): not judged at all.
    expect(judgeCandidate(facts({ tails: { ttft: tail(0.85, 0.4), latency: noTail.latency } }), { ...rules, warn: { ttftP95WithinPct: null, latencyP95WithinPct: null } }).verdict).toBe('ready');
  });

  it('a billing gap beyond billingGapPct over the reference\'s is a reason with the evidence', () => {
    const sly = side('relay', { usageGapRatio: 0.31, usageMismatches: 16, usageCompared: 16, usageRatio: { input: 1, output: 1.5 } });
    const v = judgeCandidate(facts({ comparison: comparison(sly, side('direct')) }), rules);
    expect(v.verdict).toBe('not_ready');
    expect(v.reasons).toEqual([expect.objectContaining({ rule: 'billingGapPct', size: 31, unit: '%' })]);
    expect(v.reasons[0]!.evidence).toContain('16 of 16 answers beyond tolerance');
    // 3% where the reference's own gap is 2% (an estimated tokenizer): 1% beyond it, within the limit.
    const close = judgeCandidate(facts({ comparison: comparison(side('relay', { usageGapRatio: 0.03 }), side('direct', { usageGapRatio: 0.02 })) }), rules);
    expect(close.verdict).toBe('ready');
  });

  it('streams without usage, model substitution and an error rate over the limit are reasons; what the reference does too is a caveat', () => {
    const bad = side('relay', { streamsWithoutUsage: 14, modelMismatches: 3 }, 30, 12);
    const v = judgeCandidate(facts({ comparison: comparison(bad, side('direct')) }), rules);
    expect(v.reasons.map((r) => r.rule).sort()).toEqual(['errorRatePp', 'modelIdentity', 'streamConformance']);
    expect(v.reasons.find((r) => r.rule === 'errorRatePp')).toMatchObject({ size: 40, unit: 'pp' });
    expect(v.reasons.find((r) => r.rule === 'streamConformance')!.evidence).toBe('14 of 30 streams (reference: 0 of 30)');
    const shared = judgeCandidate(facts({ comparison: comparison(side('relay', { streamsWithoutUsage: 2 }), side('direct', { streamsWithoutUsage: 1 })) }), rules);
    expect(shared.verdict).toBe('ready_with_caveats');
    expect(shared.caveats[0]!.message).toContain('on the reference too');
  });

  it('a failed conform check is a reason, unless the reference fails it too; conform none and lists narrow it', () => {
    const failing = { candidate: [row('usage_present', 'fail'), row('model_echo', 'n/a')], reference: [row('usage_present', 'pass'), row('model_echo', 'n/a')] };
    const v = judgeCandidate(facts({ conform: failing }), rules);
    expect(v.reasons).toEqual([expect.objectContaining({ rule: 'conform', message: 'conform usage_present fails' })]);
    expect(v.reasons[0]!.evidence).toContain('req_1');
    const both = judgeCandidate(facts({ conform: { candidate: [row('usage_present', 'fail')], reference: [row('usage_present', 'fail')] } }), rules);
    expect(both.verdict).toBe('ready_with_caveats');
    expect(judgeCandidate(facts({ conform: failing }), { ...rules, require: { ...rules.require, conform: 'none' } }).verdict).toBe('ready');
    // n/a where the reference passed (the budget refused its request): not judged, said as a caveat; n/a on both: nothing to say.
    const unjudged = judgeCandidate(facts({ conform: { candidate: [row('cache_reported', 'n/a')], reference: [row('cache_reported', 'pass')] } }), rules);
    expect(unjudged.caveats).toEqual([expect.objectContaining({ rule: 'notJudged', message: 'conform cache_reported not judged' })]);
    expect(judgeCandidate(facts({ conform: { candidate: [row('error_in_stream', 'n/a')], reference: [row('error_in_stream', 'n/a')] } }), rules).verdict).toBe('ready');
    expect(judgeCandidate(facts({ conform: failing }), { ...rules, require: { ...rules.require, conform: ['model_echo'] } }).verdict).toBe('ready');
  });

  it('a model the candidate does not list is a reason; an unreadable list a caveat; an unreachable candidate not_ready', () => {
    const v = judgeCandidate(facts({ neededModels: ['gpt-4o-mini', 'gpt-4.1'] }), rules);
    expect(v.reasons).toEqual([expect.objectContaining({ rule: 'servesModels', message: 'does not serve gpt-4.1', size: 1 })]);
    expect(judgeCandidate(facts({ models: { listed: null, error: 'not_found: 404' } }), rules).caveats[0]).toMatchObject({ rule: 'notJudged' });
    expect(judgeCandidate(facts({ unreachable: 'connection_refused' }), rules)).toEqual({
      verdict: 'not_ready',
      reasons: [{ rule: 'reachable', message: 'unreachable: no HTTP answer', evidence: 'connection_refused', size: null, unit: null }],
      caveats: [],
    });
    expect(judgeCandidate(facts({ neededModels: ['gpt-4.1'] }), { ...rules, require: { ...rules.require, servesModels: false } }).verdict).toBe('ready');
  });

  it('an error rate over the limit is a reason only when the difference is significant: one failure in 30 is a caveat', () => {
    const one = judgeCandidate(facts({ comparison: comparison(side('relay', {}, 30, 1), side('direct')) }), rules);
    expect(one.verdict).toBe('ready_with_caveats');
    expect(one.reasons).toEqual([]);
    expect(one.caveats).toEqual([expect.objectContaining({ rule: 'errorRatePp', size: 3.3, unit: 'pp' })]);
    expect(one.caveats[0]!.message).toContain('not significant at this -n');
    expect(one.caveats[0]!.evidence).toContain('one request is 3.3 pp of 30');
    // The same rate over 1,000 requests a side (33 vs 0) is evidence: a reason.
    const many = judgeCandidate(facts({ comparison: comparison(side('relay', {}, 1000, 33), side('direct', {}, 1000, 0)) }), rules);
    expect(many.reasons).toEqual([expect.objectContaining({ rule: 'errorRatePp', size: 3.3 })]);
  });

  it('nothing measured is never ready: no successful answer (on both sides too) is a reason; the reference with none a caveat', () => {
    const failed = (name: string) => side(name, {}, 12, 12);
    const both = judgeCandidate(
      facts({ comparison: comparison(failed('relay'), failed('direct')), tails: noTail, evidence: { candidate: sideEv({ requests: 12, ok: 0 }), reference: sideEv({ requests: 12, ok: 0 }) } }),
      rules,
    );
    expect(both.verdict).toBe('not_ready');
    expect(both.reasons).toEqual([expect.objectContaining({ rule: 'notJudged', message: 'no successful answer in the comparison, nor on the reference: nothing measured', size: 12 })]);
    expect(both.reasons[0]!.evidence).toContain('12 of 12 requests failed (server_error ×12)');
    // The tails and the billing of a candidate with no answer are not piled on as caveats: the reason says it.
    expect(both.caveats).toEqual([]);
    const refOnly = judgeCandidate(facts({ comparison: comparison(side('relay'), failed('direct')), evidence: { candidate: sideEv(), reference: sideEv({ requests: 12, ok: 0 }) } }), rules);
    expect(refOnly.verdict).toBe('ready_with_caveats');
    expect(refOnly.caveats.map((c) => c.message)).toContain('the reference gave no successful answer: nothing to compare against');
    // No comparison at all: a caveat while conform judged something, a reason when it judged nothing either.
    expect(judgeCandidate(facts({ comparison: null, evidence: null, tails: noTail }), rules).verdict).toBe('ready_with_caveats');
    const nothing = judgeCandidate(facts({ comparison: null, evidence: null, tails: noTail, conform: { candidate: [row('usage_present', 'n/a')], reference: [row('usage_present', 'n/a')] } }), rules);
    expect(nothing.reasons).toEqual([expect.objectContaining({ rule: 'notJudged', message: 'nothing measured: no comparison and no conform check judged' })]);
  });

  it('a conform check n/a for want of evidence (refused by the budget, unanswered) is a named caveat, on both sides too', () => {
    // The rows as src/conform judges them: a request the guard refused, and requests answered 401.
    const refused = { name: 'cache_reported' as const, protocol: 'openai' as const, ...judge('cache_reported', { protocol: 'openai', answers: {}, notSent: { cache_first: 'not sent: a cache pair could cost up to $0.00131' } }) };
    const denied = result({ ok: false, httpStatus: 401, errorType: 'auth', errorMessage: 'invalid key', usageSource: null });
    const unanswered = { name: 'usage_present' as const, protocol: 'openai' as const, ...judge('usage_present', { protocol: 'openai', answers: { stream: denied, whole: denied }, notSent: {} }) };
    expect([refused.status, unanswered.status]).toEqual(['n/a', 'n/a']);
    expect([missingEvidence(refused), missingEvidence(unanswered)]).toEqual([true, true]);
    const v = judgeCandidate(facts({ conform: { candidate: [refused, unanswered], reference: [refused, unanswered] } }), rules);
    expect(v.verdict).toBe('ready_with_caveats');
    expect(v.caveats.map((c) => [c.rule, c.message])).toEqual([
      ['notJudged', 'conform cache_reported not judged'],
      ['notJudged', 'conform usage_present not judged'],
    ]);
    expect(v.caveats[0]!.evidence).toContain('not judged on the reference either');
    // n/a by nature (a real upstream cannot be made to fail mid-stream) is not missing evidence.
    const natural: ConformRow = { name: 'error_in_stream', protocol: 'openai', status: 'n/a', evidence: { requestId: 'req_2', expected: 'x', got: 'the upstream did not fail (only relaymon mock fails on request; a real provider cannot be made to)' } };
    expect(missingEvidence(natural)).toBe(false);
    expect(judgeCandidate(facts({ conform: { candidate: [natural], reference: [natural] } }), rules).verdict).toBe('ready');
  });

  it('a probe check the candidate fails significantly more often is a reason; rarely, or on the reference too, a caveat', () => {
    const checks = (failed: number, judged = 10) => ({ tool_args_json: { judged, failed, detail: failed > 0 ? 'arguments of get_weather are not JSON' : null } });
    const mangled = judgeCandidate(facts({ evidence: { candidate: sideEv({ checks: checks(10) }), reference: sideEv({ checks: checks(0) }) } }), rules);
    expect(mangled.verdict).toBe('not_ready');
    expect(mangled.reasons).toEqual([expect.objectContaining({ rule: 'probeChecks', message: 'probe check tool_args_json fails', size: 10, unit: 'count' })]);
    expect(mangled.reasons[0]!.evidence).toBe('failed on 10 of 10 answers (reference: 0 of 10): arguments of get_weather are not JSON');
    // Judged with conform: none too: the user asked for that probe kind.
    expect(judgeCandidate(facts({ evidence: { candidate: sideEv({ checks: checks(10) }), reference: sideEv({ checks: checks(0) }) } }), { ...rules, require: { ...rules.require, conform: 'none' } }).verdict).toBe('not_ready');
    const once = judgeCandidate(facts({ evidence: { candidate: sideEv({ checks: checks(1) }), reference: sideEv({ checks: checks(0) }) } }), rules);
    expect(once.verdict).toBe('ready_with_caveats');
    expect(once.caveats[0]!.message).toMatch(/^probe check tool_args_json fails, not significant at this -n \(Fisher p=1\.0\)$/);
    const shared = judgeCandidate(facts({ evidence: { candidate: sideEv({ checks: checks(10) }), reference: sideEv({ checks: checks(10) }) } }), rules);
    expect(shared.caveats[0]!.message).toBe('probe check tool_args_json fails, on the reference too');
  });

  it('sideEvidence counts answers, streams, usage and each probe check once per answer', () => {
    const results = [
      result({ target: 'relay', checks: [{ name: 'tool_args_json', ok: false, detail: 'not JSON' }, { name: 'tool_args_json', ok: true, detail: 'ok' }] }),
      result({ target: 'relay', stream: false, ttftMs: null, usageSource: 'estimated', checks: [{ name: 'tool_args_json', ok: true, detail: 'ok' }] }),
      result({ target: 'relay', ok: false, errorType: 'server_error', checks: [] }),
      result({ target: 'relay', ok: false, errorType: 'cancelled' }),
      result({ target: 'direct' }),
    ];
    expect(sideEvidence(results, 'relay')).toEqual({ requests: 3, ok: 2, streamed: 1, withUsage: 1, ttft: 1, latency: 2, checks: { tool_args_json: { judged: 2, failed: 1, detail: 'not JSON' } } });
  });

  it('billing with no usage and TTFT of non-streamed answers are named as not judged, with the right reason', () => {
    const noUsage = side('relay', { usageGapRatio: null, usageCompared: 0, usageRatio: { input: null, output: null }, streams: 0 }, 12);
    const unstreamed = sideEv({ requests: 12, ok: 12, streamed: 0, withUsage: 0, ttft: 0 });
    const v = judgeCandidate(
      facts({ comparison: comparison(noUsage, side('direct', {}, 12)), tails: { ttft: null, latency: tail(0, -0.1) }, evidence: { candidate: unstreamed, reference: sideEv({ requests: 12, ok: 12, streamed: 0, ttft: 0 }) } }),
      rules,
    );
    expect(v.verdict).toBe('ready_with_caveats');
    expect(v.caveats.map((c) => c.message)).toEqual(['billing gap not judged: no usage in 12/12 answers', 'TTFT p95 not measured: non-streamed answers have no TTFT']);
    // Streamed answers that were just too few: said so, with the counts.
    const few = judgeCandidate(facts({ tails: { ttft: null, latency: null }, evidence: { candidate: sideEv({ ok: 6, requests: 6 }), reference: sideEv({ ok: 6, requests: 6 }) } }), rules);
    expect(few.caveats.map((c) => [c.message, c.evidence])).toEqual([
      ['TTFT p95 not judged: too few successful answers', '6 vs 6 on the reference; at least 10 a side'],
      ['latency p95 not judged: too few successful answers', '6 vs 6 on the reference; at least 10 a side'],
    ]);
  });

  it('a model the reference does not serve either is a caveat; a comparison cut short is partial', () => {
    const v = judgeCandidate(facts({ neededModels: ['gpt-4o-mini', 'nonexistent-model-x'] }), rules);
    expect(v.verdict).toBe('ready_with_caveats');
    expect(v.caveats).toEqual([expect.objectContaining({ rule: 'servesModels', message: 'does not serve nonexistent-model-x, nor does the reference', size: 1 })]);
    // The reference's list unreadable: nothing says it lacks the model too, so it stays a reason.
    expect(judgeCandidate(facts({ neededModels: ['nonexistent-model-x'], referenceModels: { listed: null, error: '404' } }), rules).verdict).toBe('not_ready');
    const many = judgeCandidate(facts({ neededModels: Array.from({ length: 2000 }, (_, i) => `m${i}`), referenceModels: { listed: [], error: null } }), rules);
    expect(many.caveats[0]!.message).toBe('does not serve m0, m1, m2, m3, m4 and 1995 more, nor does the reference');
    const cut = judgeCandidate(facts({ comparison: comparison(side('relay', {}, 32), side('direct', {}, 32)), evidence: { candidate: sideEv({ requests: 32, ok: 32 }), reference: sideEv({ requests: 32, ok: 32 }) }, stopped: { by: 'interrupt', planned: 200 } }), rules);
    expect(cut.verdict).toBe('ready_with_caveats');
    expect(cut.caveats).toEqual([expect.objectContaining({ rule: 'notJudged', message: 'comparison interrupted: partial', evidence: '32 of 200 planned requests sent to relay', size: 32 })]);
  });

  it('serves: the id itself or a dated snapshot of it, not another model that shares a prefix', () => {
    expect(serves(['gpt-4o-mini-2024-07-18'], 'gpt-4o-mini')).toBe(true);
    expect(serves(['gpt-4o-mini'], 'gpt-4o')).toBe(false);
    expect(serves(['models/gemini-2.0-flash'], 'gemini-2.0-flash')).toBe(true);
  });

  it('the config\'s defaults are the documented ones, and a bad value names its key', () => {
    expect(evaluateSchema.parse({})).toEqual(DEFAULT_EVALUATE_RULES);
    expect(evaluateSchema.parse({ warn: { ttftP95WithinPct: 50 } }).warn).toEqual({ ttftP95WithinPct: 50, latencyP95WithinPct: 20 });
    expect(() => validateConfig({ evaluate: { require: { errorRatePp: 'one' } } }, 'relaymon.config.yaml')).toThrow(/evaluate\.require\.errorRatePp: expected a percentage/);
    expect(() => validateConfig({ evaluate: { require: { conform: 'some' } } }, 'relaymon.config.yaml')).toThrow(/evaluate\.require\.conform/);
  });
});

describe('tailExcess', () => {
  it('gives the p95 excess with a bootstrap interval that the same seed repeats', () => {
    const ref = Array.from({ length: 30 }, (_, i) => 200 + i);
    const slow = ref.map((v, i) => (i >= 24 ? v * 5 : v));
    const a = tailExcess(slow, ref, 7)!;
    expect(a.excess).toBeGreaterThan(2);
    expect(a.low).toBeGreaterThan(0);
    expect(tailExcess(slow, ref, 7)).toEqual(a);
    const same = tailExcess(ref, ref, 7)!;
    expect(same.excess).toBe(0);
    expect(same.low).toBeLessThanOrEqual(0);
    expect(tailExcess(ref.slice(0, 9), ref, 7)).toBeNull();
  });
});

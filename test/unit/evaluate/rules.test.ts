/**
 * The verdict rules of relaymon evaluate (src/evaluate/rules.ts), on facts
 * built by hand: each require rule makes not_ready with its evidence, each
 * warn rule ready_with_caveats with its size, what the reference does too
 * is a caveat, and the config's values (zod defaults) are the documented ones.
 */
import { describe, expect, it } from 'vitest';
import { judgeCandidate, serves, type CandidateFacts, type EvaluateRules } from '../../../src/evaluate/rules.js';
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
    errors: { a: { requests: cand.requests, errors: cand.errors, rate: rate(cand) }, b: { requests: ref.requests, errors: ref.errors, rate: rate(ref) }, difference: rate(cand) - rate(ref), pValue: 0.5, significant: false },
  };
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
    const bad = side('relay', { streamsWithoutUsage: 14, modelMismatches: 3 }, 30, 3);
    const v = judgeCandidate(facts({ comparison: comparison(bad, side('direct')) }), rules);
    expect(v.reasons.map((r) => r.rule).sort()).toEqual(['errorRatePp', 'modelIdentity', 'streamConformance']);
    expect(v.reasons.find((r) => r.rule === 'errorRatePp')).toMatchObject({ size: 10, unit: 'pp' });
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

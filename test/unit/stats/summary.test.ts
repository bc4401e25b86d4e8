import { describe, expect, it } from 'vitest';
import { EMPTY_TIME_STATS, quantile, summarize, timeStats } from '../../../src/stats/summary.js';
import { makeFailure, makeResult } from './fixtures.js';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('timeStats', () => {
  it('interpolates percentiles linearly between closest ranks (1..100)', () => {
    // Shuffled on purpose: the input order must not matter.
    const s = timeStats([...oneToHundred].reverse());
    expect(s.p50).toBeCloseTo(50.5, 10);
    expect(s.p90).toBeCloseTo(90.1, 10);
    expect(s.p95).toBeCloseTo(95.05, 10);
    expect(s.p99).toBeCloseTo(99.01, 10);
    expect(s.avg).toBe(50.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
  });

  it('a single value is every statistic', () => {
    expect(timeStats([42])).toEqual({ p50: 42, p90: 42, p95: 42, p99: 42, avg: 42, min: 42, max: 42 });
  });

  it('ignores nulls and non-finite values, and is all null without values', () => {
    expect(timeStats([null, 10, null, 30])).toEqual({ p50: 20, p90: 28, p95: 29, p99: 29.8, avg: 20, min: 10, max: 30 });
    expect(timeStats([null, Number.NaN])).toEqual(EMPTY_TIME_STATS);
    expect(timeStats([])).toEqual({ p50: null, p90: null, p95: null, p99: null, avg: null, min: null, max: null });
  });

  it('quantile of two values interpolates and of none is null', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([0, 10], 1)).toBe(10);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('summarize', () => {
  it('an empty run has zeros, nulls and no error rate', () => {
    const s = summarize([]);
    expect(s).toEqual({
      requests: 0,
      errors: 0,
      errorRate: 0,
      errorTypes: {},
      unfinished: 0,
      latencyMs: EMPTY_TIME_STATS,
      latencyScheduledMs: EMPTY_TIME_STATS,
      ttfbMs: EMPTY_TIME_STATS,
      ttftMs: EMPTY_TIME_STATS,
      ttftContentMs: EMPTY_TIME_STATS,
      itlMs: EMPTY_TIME_STATS,
      outputTokensPerSecond: EMPTY_TIME_STATS,
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      usageMissing: 0,
      costUsd: null,
      unpricedRequests: 0,
    });
  });

  it('computes each time field from its own RequestResult field', () => {
    const results = oneToHundred.map((i) =>
      makeResult({ latencyMs: i, ttfbMs: i * 2, ttftMs: i * 3, itlMs: i / 10, outputTokensPerSecond: i + 1000 }),
    );
    const s = summarize(results);
    expect(s.latencyMs.p99).toBeCloseTo(99.01, 10);
    expect(s.ttfbMs.p50).toBeCloseTo(101, 10);
    expect(s.ttfbMs.max).toBe(200);
    expect(s.ttftMs.min).toBe(3);
    expect(s.ttftMs.p90).toBeCloseTo(270.3, 10);
    expect(s.itlMs.avg).toBeCloseTo(5.05, 10);
    expect(s.outputTokensPerSecond.p95).toBeCloseTo(1095.05, 10);
  });

  it('time fields use only the requests that have the value', () => {
    const s = summarize([makeResult({ ttftMs: 100 }), makeFailure('timeout', { latencyMs: 30_000 }), makeResult({ ttftMs: 300 })]);
    expect(s.ttftMs).toEqual({ p50: 200, p90: 280, p95: 290, p99: 298, avg: 200, min: 100, max: 300 });
    // Timings are over successful requests only (issue 11): the timeout counts in errors, not in latency.
    expect(s.latencyMs.max).toBe(500);
    expect(s.latencyMs.min).toBe(500);
    expect(s.itlMs.min).toBe(25);
  });

  it('counts errors by type', () => {
    const s = summarize([
      makeFailure('timeout', { timeoutPhase: 'first_token' }),
      makeResult(),
      makeFailure('timeout'),
      makeFailure('auth', { httpStatus: 401 }),
      makeResult(),
      makeFailure('timeout'),
      makeFailure('rate_limited', { httpStatus: 429 }),
      makeResult(),
    ]);
    expect(s.requests).toBe(8);
    expect(s.errors).toBe(5);
    expect(s.errorRate).toBe(5 / 8);
    expect(s.errorTypes).toEqual({ timeout: 3, auth: 1, rate_limited: 1 });
  });

  it('sums tokens that are known', () => {
    const s = summarize([
      makeResult({ inputTokens: 10, outputTokens: 5 }),
      makeFailure('dns'),
      makeResult({ inputTokens: 7, outputTokens: null }),
    ]);
    expect(s.inputTokens).toBe(17);
    expect(s.outputTokens).toBe(5);
  });

  it('costUsd is null when nothing was priced', () => {
    const s = summarize([makeResult({ costUsd: null }), makeResult({ costUsd: null })]);
    expect(s.costUsd).toBeNull();
    expect(s.unpricedRequests).toBe(2);
  });

  it('costUsd sums the known costs and counts the unpriced ones', () => {
    const s = summarize([makeResult({ costUsd: 0.25 }), makeResult({ costUsd: null }), makeResult({ costUsd: 0.5 })]);
    expect(s.costUsd).toBe(0.75);
    expect(s.unpricedRequests).toBe(1);
  });

  it('a known zero cost is 0, not null', () => {
    const s = summarize([makeResult({ costUsd: 0 })]);
    expect(s.costUsd).toBe(0);
    expect(s.unpricedRequests).toBe(0);
  });
});

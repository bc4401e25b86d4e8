import { describe, expect, it } from 'vitest';
import { queryFromResults } from '../../../src/stats/summary.js';
import {
  METRIC_NAMES,
  VALID_AGGREGATIONS,
  evaluateThresholds,
  parseThreshold,
  type Aggregation,
  type MetricName,
} from '../../../src/stats/thresholds.js';
import { makeFailure, makeResult } from './fixtures.js';

const avg: Aggregation = { kind: 'avg' };
const min: Aggregation = { kind: 'min' };
const max: Aggregation = { kind: 'max' };
const med: Aggregation = { kind: 'med' };
const rate: Aggregation = { kind: 'rate' };
const count: Aggregation = { kind: 'count' };
const sum: Aggregation = { kind: 'sum' };
const value: Aggregation = { kind: 'value' };
const p = (n: number): Aggregation => ({ kind: 'p', p: n });

describe('queryFromResults: time metrics', () => {
  // i = 1..10: every metric gets its own scale so a wrong field mapping shows.
  const results = Array.from({ length: 10 }, (_, k) => {
    const i = k + 1;
    return makeResult({
      latencyMs: i * 100,
      latencyScheduledMs: i * 100 + 7,
      ttfbMs: i,
      ttftMs: i * 10,
      itlMs: i / 2,
      outputTokensPerSecond: 50 + i,
    });
  });
  const q = queryFromResults(results, 10_000);

  it('maps each metric to its field', () => {
    expect(q('latency', max, {})).toBe(1000);
    expect(q('latency_scheduled', max, {})).toBe(1007);
    expect(q('ttfb', max, {})).toBe(10);
    expect(q('ttft', max, {})).toBe(100);
    expect(q('itl', max, {})).toBe(5);
    expect(q('tokens_per_s', max, {})).toBe(60);
  });

  it('answers avg, min, max, med and p(N)', () => {
    expect(q('ttft', avg, {})).toBe(55);
    expect(q('ttft', min, {})).toBe(10);
    expect(q('ttft', med, {})).toBe(55);
    expect(q('ttft', p(90), {})).toBeCloseTo(91, 10);
    expect(q('ttft', p(100), {})).toBe(100);
    expect(q('ttft', p(99.9), {})).toBeCloseTo(99.91, 10);
  });

  it('uses only non-null values and returns null when there are none', () => {
    const q2 = queryFromResults([makeResult({ ttftMs: 40 }), makeFailure('dns'), makeResult({ ttftMs: 80 })], 1000);
    expect(q2('ttft', avg, {})).toBe(60);
    expect(q2('latency', { kind: 'count' }, {})).toBeNull();
    const q3 = queryFromResults([makeFailure('dns'), makeFailure('tls')], 1000);
    expect(q3('ttft', p(95), {})).toBeNull();
    expect(q3('itl', avg, {})).toBeNull();
    // Failures never enter timings (issue 11): a run whose requests all failed has no latency data.
    expect(q3('latency', avg, {})).toBeNull();
    expect(q3('latency_scheduled', p(95), {})).toBeNull();
  });
});

describe('queryFromResults: tag filters', () => {
  const results = [
    makeResult({ target: 'relay', model: 'gpt-4o', probe: 'chat-small', latencyMs: 100 }),
    makeResult({ target: 'relay', model: 'gpt-4o-mini', probe: 'chat-small', latencyMs: 200 }),
    makeResult({ target: 'direct', model: 'gpt-4o', probe: 'chat-large', latencyMs: 400 }),
    makeResult({ target: 'direct', model: 'gpt-4o', probe: null, latencyMs: 800 }),
  ];
  const q = queryFromResults(results, 1000);

  it('filters by target, model and probe, alone and together', () => {
    expect(q('latency', avg, {})).toBe(375);
    expect(q('latency', avg, { target: 'relay' })).toBe(150);
    expect(q('latency', avg, { model: 'gpt-4o' })).toBeCloseTo(1300 / 3, 10);
    expect(q('latency', avg, { probe: 'chat-small' })).toBe(150);
    expect(q('latency', avg, { target: 'direct', model: 'gpt-4o', probe: 'chat-large' })).toBe(400);
    expect(q('requests', count, { target: 'direct' })).toBe(2);
  });

  it('matches the model through aliases; an unmatched filter is no data', () => {
    expect(q('latency', avg, { model: 'openai/gpt-4o-2024-08-06' })).toBeCloseTo(1300 / 3, 10);
    expect(q('latency', avg, { model: 'gpt-4.1' })).toBeNull();
    expect(q('latency', avg, { target: 'nowhere' })).toBeNull();
    expect(q('errors', rate, { target: 'nowhere' })).toBeNull();
    expect(q('requests', count, { target: 'nowhere' })).toBe(0);
  });
});

describe('queryFromResults: counters, requests and cost', () => {
  const results = [
    makeResult({ costUsd: 0.01 }),
    makeResult({ costUsd: 0.03, modelMismatch: true, responseModel: 'gpt-3.5-turbo' }),
    makeFailure('timeout'),
    makeFailure('server_error', { httpStatus: 500 }),
    makeResult({ costUsd: null, model: 'mystery', usageMismatch: true, usageGapTokens: 20, usageGapRatio: 0.95 }),
  ];
  const q = queryFromResults(results, 20_000);

  it('errors: rate is a fraction of requests, count a number', () => {
    expect(q('errors', rate, {})).toBe(2 / 5);
    expect(q('errors', count, {})).toBe(2);
  });

  it('model_mismatch counts flagged responses, rate over responses that named a model', () => {
    expect(q('model_mismatch', count, {})).toBe(1);
    expect(q('model_mismatch', rate, {})).toBe(1 / 3);
  });

  it('usage_mismatch counts flagged responses, rate over the responses whose usage was reconciled', () => {
    expect(q('usage_mismatch', count, {})).toBe(1);
    expect(q('usage_mismatch', rate, {})).toBe(1 / 3);
    expect(q('usage_mismatch', count, { model: 'gpt-4o' })).toBe(0);
  });

  it('usage_mismatch has no data when nothing was reconciled (no usage reported): a threshold on it fails', () => {
    const unreported = queryFromResults([makeResult({ usageSource: 'estimated', usageGapTokens: null, usageGapRatio: null }), makeFailure('timeout')], 1000);
    expect(unreported('usage_mismatch', count, {})).toBeNull();
    expect(unreported('usage_mismatch', rate, {})).toBeNull();
  });

  it('requests: count, and rate per second over the duration', () => {
    expect(q('requests', count, {})).toBe(5);
    expect(q('requests', rate, {})).toBe(0.25);
    expect(queryFromResults(results, 0)('requests', rate, {})).toBeNull();
  });

  it('cost sums the known costs; cost_per_hour divides by the duration in hours', () => {
    expect(q('cost', sum, {})).toBeCloseTo(0.04, 12);
    expect(q('cost_per_hour', value, {})).toBeCloseTo(0.04 * 180, 10);
    expect(q('cost', sum, { model: 'mystery' })).toBeNull();
    expect(q('cost_per_hour', value, { model: 'mystery' })).toBeNull();
    expect(queryFromResults(results, 0)('cost_per_hour', value, {})).toBeNull();
  });

  it('aggregations that do not belong to the metric answer null', () => {
    expect(q('cost', avg, {})).toBeNull();
    expect(q('ttft', rate, {})).toBeNull();
    expect(q('requests', sum, {})).toBeNull();
  });
});

describe('queryFromResults: no requests', () => {
  const q = queryFromResults([], 60_000);
  const pairs: { metric: MetricName; aggregation: Aggregation }[] = METRIC_NAMES.flatMap((metric) =>
    VALID_AGGREGATIONS[metric].map((a) => ({ metric, aggregation: a === 'p' ? p(95) : { kind: a } })),
  );

  it.each(pairs)('$metric $aggregation.kind', ({ metric, aggregation }) => {
    // Counters (requests, cached_input_tokens, usage_missing) count 0 with no data; everything else has none.
    const expected = metric === 'requests' || metric === 'cached_input_tokens' || metric === 'usage_missing' ? 0 : null;
    expect(q(metric, aggregation, {})).toBe(expected);
  });
});

describe('thresholds over results, end to end', () => {
  it('parses, queries and judges', () => {
    const results = [
      ...Array.from({ length: 19 }, (_, i) => makeResult({ ttftMs: 100 + i * 10, target: i % 2 ? 'relay' : 'direct' })),
      makeFailure('overloaded', { target: 'relay', httpStatus: 529 }),
    ];
    const q = queryFromResults(results, 10_000);
    const out = evaluateThresholds(
      [
        parseThreshold('ttft:p(95)<800'),
        parseThreshold('ttft{target:relay}:max<250ms'),
        parseThreshold('errors:rate<1%'),
        parseThreshold('errors{target:direct}:count==0'),
        parseThreshold('requests:rate>=120/m'),
        parseThreshold('usage_mismatch:count<1'),
      ],
      q,
    );
    expect(out).toEqual([
      { expression: 'ttft:p(95)<800', ok: true, value: expect.closeTo(271, 9) },
      { expression: 'ttft{target:relay}:max<250ms', ok: false, value: 270 },
      { expression: 'errors:rate<1%', ok: false, value: 0.05 },
      { expression: 'errors{target:direct}:count==0', ok: true, value: 0 },
      { expression: 'requests:rate>=120/m', ok: true, value: 2 },
      { expression: 'usage_mismatch:count<1', ok: true, value: 0 },
    ]);
  });
});

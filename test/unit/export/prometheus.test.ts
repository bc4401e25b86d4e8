import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../../../src/core/redact.js';
import type { RequestResult } from '../../../src/core/result.js';
import { exportedSeriesNames, METRIC, OTEL_DURATION_BUCKETS, OTEL_TOKEN_BUCKETS, PrometheusExporter } from '../../../src/export/prometheus.js';
import { MAX_MODELS_PER_TARGET, OTHER } from '../../../src/export/prometheus-labels.js';
import { target } from '../../helpers/target.js';
import { result } from './result.js';
import { find, one, parseExposition, type Sample } from './prometheus-text.js';

const SECRET = 'sk-SENTINEL-prometheus-unit-0123456789';
const RELAY = target('relay', 'https://user:hunter2@relay.example:8443/v1');

async function scrape(results: RequestResult[], targets = [RELAY]): Promise<Sample[]> {
  const exp = new PrometheusExporter(targets, { defaultMetrics: false });
  for (const r of results) exp.observe(r);
  return parseExposition(await exp.metrics());
}

const BASE = {
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'openai',
  gen_ai_request_model: 'gpt-4o-mini',
  gen_ai_response_model: 'gpt-4o-mini-2024-07-18',
  server_address: 'relay.example',
  relaymon_target: 'relay',
};

afterEach(() => clearSecrets());

describe('PrometheusExporter: names, labels, buckets', () => {
  it('a streamed success feeds the four OTel histograms with the OTel boundaries and exactly the base labels', async () => {
    const s = await scrape([result()]);
    const durations = find(s, `${METRIC.duration}_bucket`);
    expect(durations.map((d) => d.labels['le'])).toEqual([...OTEL_DURATION_BUCKETS.map(String), '+Inf']);
    for (const d of durations) expect(Object.keys(d.labels).sort()).toEqual([...Object.keys(BASE), 'le'].sort());
    expect(one(s, `${METRIC.duration}_sum`, BASE).value).toBeCloseTo(0.449, 6);
    expect(one(s, `${METRIC.timeToFirstChunk}_sum`, BASE).value).toBeCloseTo(0.199, 6);
    expect(find(s, `${METRIC.timeToFirstChunk}_bucket`).map((d) => d.labels['le'])).toEqual([...OTEL_DURATION_BUCKETS.map(String), '+Inf']);
    // One observation per chunk gap.
    expect(one(s, `${METRIC.timePerOutputChunk}_count`, BASE).value).toBe(2);
    expect(one(s, `${METRIC.timePerOutputChunk}_bucket`, { le: '0.02' }).value).toBe(2);
    expect(one(s, `${METRIC.timePerOutputChunk}_bucket`, { le: '0.01' }).value).toBe(0);
    const tokenBuckets = find(s, `${METRIC.tokenUsage}_bucket`, { gen_ai_token_type: 'input' });
    expect(tokenBuckets.map((d) => d.labels['le'])).toEqual([...OTEL_TOKEN_BUCKETS.map(String), '+Inf']);
    expect(one(s, `${METRIC.tokenUsage}_sum`, { gen_ai_token_type: 'input' }).value).toBe(9);
    expect(one(s, `${METRIC.tokenUsage}_sum`, { gen_ai_token_type: 'output' }).value).toBe(11);
    expect(one(s, METRIC.requests, BASE).labels['error_type']).toBeUndefined();
    expect(one(s, METRIC.cost, BASE).value).toBeCloseTo(0.0001, 10);
  });

  it('error_type appears on failed requests only, from the closed vocabulary, _OTHER when untyped', async () => {
    const s = await scrape([
      result(),
      result({ ok: false, errorType: 'rate_limited', httpStatus: 429, stream: false, ttftMs: null, chunkGapsMs: [], responseModel: null }),
      result({ ok: false, errorType: null, httpStatus: 500, responseModel: null }),
    ]);
    const reqs = find(s, METRIC.requests);
    expect(reqs.map((r) => r.labels['error_type'] ?? '(none)').sort()).toEqual(['(none)', '_OTHER', 'rate_limited']);
    expect(one(s, `${METRIC.duration}_count`, { error_type: 'rate_limited' }).value).toBe(1);
    // A failure without a response model has no gen_ai_response_model label (OTel: recommended, when known).
    expect(one(s, METRIC.requests, { error_type: 'rate_limited' }).labels['gen_ai_response_model']).toBeUndefined();
    for (const name of [METRIC.timeToFirstChunk, METRIC.timePerOutputChunk, METRIC.tokenUsage]) {
      expect(s.filter((x) => x.name.startsWith(name) && 'error_type' in x.labels)).toEqual([]);
    }
  });

  it('non-streamed requests record no chunk timings; failures only the tokens reported or delivered', async () => {
    const s = await scrape([
      // Even if a non-streamed record carried chunk timings, OTel says: streaming calls only.
      result({ stream: false, ttftMs: 150, chunkGapsMs: [20] }),
      result({ ok: false, errorType: 'connection_refused', httpStatus: null, ttftMs: null, chunkGapsMs: [], usageSource: null, inputTokens: null, outputTokens: null, costUsd: null, responseModel: null }),
      result({ ok: false, errorType: 'stream_truncated', usageSource: 'reported', inputTokens: 5, outputTokens: 3, responseModel: null }),
      // A stream that broke part-way: the tokens it delivered were billed (issue 11).
      result({ ok: false, errorType: 'connection_reset', stream: false, usageSource: 'estimated', inputTokens: 7, outputTokens: 4, responseModel: null }),
    ]);
    expect(find(s, `${METRIC.timeToFirstChunk}_count`).reduce((n, x) => n + x.value, 0)).toBe(1);
    expect(find(s, `${METRIC.timePerOutputChunk}_count`).reduce((n, x) => n + x.value, 0)).toBe(2);
    expect(find(s, `${METRIC.tokenUsage}_count`, { gen_ai_token_type: 'input' }).reduce((n, x) => n + x.value, 0)).toBe(3);
    expect(find(s, `${METRIC.tokenUsage}_sum`, { gen_ai_token_type: 'input' }).reduce((n, x) => n + x.value, 0)).toBe(21);
    expect(one(s, METRIC.streamTruncated).value).toBe(1);
    // A refused connection was billed nothing: it is not an unpriced request.
    expect(find(s, METRIC.unpriced).reduce((n, x) => n + x.value, 0)).toBe(0);
  });

  it('a request relaymon cut short is unfinished, not a finished request; the OTel duration still records it', async () => {
    const s = await scrape([result(), result({ ok: false, errorType: 'cancelled', responseModel: null })]);
    expect(find(s, METRIC.requests).reduce((n, x) => n + x.value, 0)).toBe(1);
    expect(find(s, METRIC.requests, { error_type: 'cancelled' })).toEqual([]);
    expect(one(s, METRIC.unfinished).value).toBe(1);
    expect(one(s, `${METRIC.duration}_count`, { error_type: 'cancelled' }).value).toBe(1);
  });

  it('counts cost, mismatches and truncations per series', async () => {
    const s = await scrape([
      result({ costUsd: 0.25 }),
      result({ costUsd: 0.5, modelMismatch: true, responseModel: 'gpt-4o-mini' }),
      result({ costUsd: null, usageMismatch: true }),
    ]);
    expect(find(s, METRIC.cost).reduce((n, x) => n + x.value, 0)).toBeCloseTo(0.75, 10);
    expect(one(s, METRIC.modelMismatch).labels['gen_ai_response_model']).toBe('gpt-4o-mini');
    expect(one(s, METRIC.usageMismatch).value).toBe(1);
    expect(one(s, METRIC.unpriced).value).toBe(1);
  });

  it('provider and server address come from the target: no userinfo, port or path', async () => {
    const anth = target('claude', 'http://[::1]:8787/v1', { protocol: 'anthropic' });
    const s = await scrape([result({ target: 'claude', protocol: 'anthropic' })], [RELAY, anth]);
    const r = one(s, METRIC.requests);
    expect(r.labels['gen_ai_provider_name']).toBe('anthropic');
    expect(r.labels['server_address']).toBe('::1');
    expect(one(s, METRIC.targetState, { relaymon_target: 'relay' }).labels['server_address']).toBe('relay.example');
  });

  it('every series it produces is in exportedSeriesNames', async () => {
    const s = await scrape([result(), result({ ok: false, errorType: 'stream_truncated', modelMismatch: true, usageMismatch: true, costUsd: null })]);
    const names = new Set(exportedSeriesNames());
    expect(s.filter((x) => !names.has(x.name)).map((x) => x.name)).toEqual([]);
  });
});

describe('PrometheusExporter: bounded, secret-free labels', () => {
  it('keeps at most MAX_MODELS_PER_TARGET response models per target, the rest as _OTHER', async () => {
    const many = Array.from({ length: MAX_MODELS_PER_TARGET + 10 }, (_, i) => result({ responseModel: `m-${i}`, requestId: `req_${i}` }));
    const s = await scrape(many);
    const models = new Set(find(s, METRIC.requests).map((x) => x.labels['gen_ai_response_model']));
    expect(models.size).toBe(MAX_MODELS_PER_TARGET + 1);
    expect(models.has(OTHER)).toBe(true);
    expect(one(s, METRIC.requests, { gen_ai_response_model: OTHER }).value).toBe(10);
  });

  it('a relay that echoes a key as its model gets it redacted; request ids never become labels', async () => {
    registerSecret(SECRET);
    const text = await (async () => {
      const exp = new PrometheusExporter([RELAY], { defaultMetrics: false });
      exp.observe(result({ responseModel: `evil-${SECRET}\n"x"`, requestId: 'req_unique_42' }));
      return exp.metrics();
    })();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('req_unique_42');
    expect(text).not.toContain('hunter2');
    const s = parseExposition(text);
    expect(one(s, METRIC.requests).labels['gen_ai_response_model']).toBe('evil-[REDACTED]"x"');
  });

  it('cuts very long values', async () => {
    const s = await scrape([result({ model: 'x'.repeat(500) })]);
    expect(one(s, METRIC.requests).labels['gen_ai_request_model']!.length).toBe(120);
  });
});

import { describe, expect, it } from 'vitest';
import { rateLimitInfo, reportedCostFromHeaders, requestIds, retryAfterMs } from '../../../src/protocol/headers.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, fractional ms included', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, NOW)).toBe(1500);
    expect(retryAfterMs({ 'retry-after-ms': '20.5' }, NOW)).toBe(20.5);
  });

  it('reads retry-after as seconds', () => {
    expect(retryAfterMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': ' 0.25 ' }, NOW)).toBe(250);
    expect(retryAfterMs({ 'retry-after': '0' }, NOW)).toBe(0);
  });

  it('reads retry-after as an HTTP date, relative to now, never negative', () => {
    expect(retryAfterMs({ 'retry-after': 'Wed, 15 Jan 2025 12:00:30 GMT' }, NOW)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 15 Jan 2025 11:59:00 GMT' }, NOW)).toBe(0);
  });

  it('uses the clock when no now is given', () => {
    const future = new Date(Date.now() + 60_000).toUTCString();
    const ms = retryAfterMs({ 'retry-after': future });
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });

  it('falls back to retry-after when retry-after-ms is garbage', () => {
    expect(retryAfterMs({ 'retry-after-ms': 'soon', 'retry-after': '2' }, NOW)).toBe(2000);
  });

  it('is null when absent or unreadable, and never negative', () => {
    expect(retryAfterMs({}, NOW)).toBeNull();
    expect(retryAfterMs({ 'retry-after': '' }, NOW)).toBeNull();
    expect(retryAfterMs({ 'retry-after': 'later' }, NOW)).toBeNull();
    expect(retryAfterMs({ 'retry-after': '12abc' }, NOW)).toBeNull();
    expect(retryAfterMs({ 'retry-after-ms': '-50' }, NOW)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '-5' }, NOW)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(retryAfterMs({ 'retry-after': ['4', '9'] }, NOW)).toBe(4000);
  });
});

describe('rateLimitInfo', () => {
  it('reads OpenAI-style headers', () => {
    expect(
      rateLimitInfo({
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-remaining-requests': '9999',
        'x-ratelimit-limit-tokens': '30000000',
        'x-ratelimit-remaining-tokens': '29999000',
        'x-ratelimit-reset-requests': '6ms',
      }),
    ).toEqual({ requestsRemaining: 9999, requestsLimit: 10000, tokensRemaining: 29999000, tokensLimit: 30000000 });
  });

  it('reads Anthropic headers', () => {
    expect(
      rateLimitInfo({
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-tokens-limit': '80000',
        'anthropic-ratelimit-tokens-remaining': '79000',
      }),
    ).toEqual({ requestsRemaining: 49, requestsLimit: 50, tokensRemaining: 79000, tokensLimit: 80000 });
  });

  it('gives null for absent and non-numeric values', () => {
    expect(rateLimitInfo({})).toEqual({ requestsRemaining: null, requestsLimit: null, tokensRemaining: null, tokensLimit: null });
    expect(
      rateLimitInfo({ 'x-ratelimit-remaining-requests': 'unlimited', 'x-ratelimit-limit-requests': '', 'x-ratelimit-remaining-tokens': '0x10', 'x-ratelimit-limit-tokens': 'Infinity' }),
    ).toEqual({ requestsRemaining: null, requestsLimit: null, tokensRemaining: null, tokensLimit: null });
    expect(rateLimitInfo({ 'x-ratelimit-remaining-tokens': '0' }).tokensRemaining).toBe(0);
  });

  it('prefers the x-ratelimit header and falls back to the anthropic one per field', () => {
    expect(rateLimitInfo({ 'x-ratelimit-remaining-requests': 'n/a', 'anthropic-ratelimit-requests-remaining': '7' }).requestsRemaining).toBe(7);
    expect(rateLimitInfo({ 'x-ratelimit-remaining-requests': '3', 'anthropic-ratelimit-requests-remaining': '7' }).requestsRemaining).toBe(3);
  });
});

describe('requestIds', () => {
  it('collects every id header and picks the first in priority order', () => {
    const ids = requestIds({
      'cf-ray': '8f1c2a-SJC',
      'x-litellm-call-id': 'lite-1',
      'x-request-id': 'req_abc',
      'content-type': 'text/event-stream',
    });
    expect(ids.primary).toBe('req_abc');
    expect(ids.all).toEqual({ 'x-request-id': 'req_abc', 'x-litellm-call-id': 'lite-1', 'cf-ray': '8f1c2a-SJC' });
  });

  it('uses gateway ids when the upstream id is missing', () => {
    expect(requestIds({ 'request-id': 'req_011CS', 'x-new-api-request-id': 'n' }).primary).toBe('req_011CS');
    expect(requestIds({ 'x-oneapi-request-id': 'o1', 'cf-ray': 'r' }).primary).toBe('o1');
    expect(requestIds({ 'apim-request-id': 'a1', 'x-amzn-requestid': 'z1' }).primary).toBe('z1');
    expect(requestIds({ 'openai-request-id': 'oai' }).primary).toBe('oai');
    expect(requestIds({ 'cf-ray': 'only' }).primary).toBe('only');
  });

  it('is empty when there are none, ignores blank values, and caps length', () => {
    expect(requestIds({})).toEqual({ primary: null, all: {} });
    expect(requestIds({ 'x-request-id': '  ', 'request-id': 'r2' })).toEqual({ primary: 'r2', all: { 'request-id': 'r2' } });
    expect(requestIds({ 'x-request-id': 'a'.repeat(1000) }).primary?.length).toBe(200);
    expect(requestIds({ 'x-request-id': ['first', 'second'] }).primary).toBe('first');
  });
});

describe('reportedCostFromHeaders', () => {
  it('reads LiteLLM cost, exponent notation included', () => {
    expect(reportedCostFromHeaders({ 'x-litellm-response-cost': '0.00042' })).toBe(0.00042);
    expect(reportedCostFromHeaders({ 'x-litellm-response-cost': '1.5e-05' })).toBe(0.000015);
    expect(reportedCostFromHeaders({ 'x-litellm-response-cost': '0' })).toBe(0);
  });

  it('is null when absent, unreadable or negative', () => {
    expect(reportedCostFromHeaders({})).toBeNull();
    expect(reportedCostFromHeaders({ 'x-litellm-response-cost': 'None' })).toBeNull();
    expect(reportedCostFromHeaders({ 'x-litellm-response-cost': '-1' })).toBeNull();
  });
});

import type { RateLimitInfo } from '../core/result.js';

/** Response headers as undici gives them: lower-case names, repeated headers as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The first value of a header, trimmed; null when absent or blank. */
export function headerValue(h: ResponseHeaders, name: string): string | null {
  const v = h[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return null;
  const t = first.trim();
  return t === '' ? null : t;
}

/** A plain decimal number, exponent allowed (LiteLLM writes 1.5e-05); no hex, no "Infinity", no trailing garbage. */
function numeric(s: string | null): number | null {
  if (s === null || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * What the server asked us to wait, in ms: `retry-after-ms` (OpenAI, fractional
 * ms) first, then `retry-after` as delta-seconds or an HTTP date. Never negative:
 * a date in the past means "now". `now` is epoch ms, for tests.
 */
export function retryAfterMs(h: ResponseHeaders, now: number = Date.now()): number | null {
  const ms = numeric(headerValue(h, 'retry-after-ms'));
  if (ms !== null) return Math.max(0, ms);
  const ra = headerValue(h, 'retry-after');
  if (ra === null) return null;
  const seconds = numeric(ra);
  if (seconds !== null) return Math.max(0, seconds * 1000);
  // Only a real date: Date.parse would also take "5 minutes" or "1" loosely on some engines.
  if (!/[a-z]/i.test(ra)) return null;
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function firstNumber(h: ResponseHeaders, names: readonly string[]): number | null {
  for (const name of names) {
    const n = numeric(headerValue(h, name));
    if (n !== null) return n;
  }
  return null;
}

/** Rate-limit headroom, from OpenAI-style (also LiteLLM, vLLM gateways) or Anthropic headers. */
export function rateLimitInfo(h: ResponseHeaders): RateLimitInfo {
  return {
    requestsRemaining: firstNumber(h, ['x-ratelimit-remaining-requests', 'anthropic-ratelimit-requests-remaining']),
    requestsLimit: firstNumber(h, ['x-ratelimit-limit-requests', 'anthropic-ratelimit-requests-limit']),
    tokensRemaining: firstNumber(h, ['x-ratelimit-remaining-tokens', 'anthropic-ratelimit-tokens-remaining']),
    tokensLimit: firstNumber(h, ['x-ratelimit-limit-tokens', 'anthropic-ratelimit-tokens-limit']),
  };
}

/**
 * Request-id headers, most specific first: the upstream's own id, then gateway
 * ids (LiteLLM, one-api, new-api), then cloud front doors (AWS, Azure APIM,
 * Cloudflare), which only identify the hop in front of the relay.
 */
export const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-litellm-call-id',
  'x-oneapi-request-id',
  'x-new-api-request-id',
  'openai-request-id',
  'x-amzn-requestid',
  'apim-request-id',
  'cf-ray',
] as const;

/** Ids are for logs and support tickets; a header this long is not an id. */
const MAX_ID_LENGTH = 200;

export function requestIds(h: ResponseHeaders): { primary: string | null; all: Record<string, string> } {
  const all: Record<string, string> = {};
  let primary: string | null = null;
  for (const name of REQUEST_ID_HEADERS) {
    const v = headerValue(h, name);
    if (v === null) continue;
    const id = v.slice(0, MAX_ID_LENGTH);
    all[name] = id;
    primary ??= id;
  }
  return { primary, all };
}

/** What LiteLLM says the request cost, USD. */
export function reportedCostFromHeaders(h: ResponseHeaders): number | null {
  const n = numeric(headerValue(h, 'x-litellm-response-cost'));
  return n !== null && n >= 0 ? n : null;
}

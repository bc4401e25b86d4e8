import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS, type ResolvedTarget } from '../../src/core/target.js';

/** A ResolvedTarget as resolution would make it: no key, default timeouts, overridable field by field. */
export function target(name: string, baseUrl: string, over: Partial<ResolvedTarget> = {}): ResolvedTarget {
  return {
    name,
    baseUrl,
    protocol: 'openai',
    apiKey: null,
    apiKeyHeader: 'authorization',
    headers: {},
    priceMultiplier: 1,
    concurrency: 8,
    timeouts: DEFAULT_TIMEOUTS,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    ...over,
  };
}

import type { Protocol } from './result.js';

export interface Timeouts {
  connectMs: number;
  firstTokenMs: number;
  idleMs: number;
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  firstTokenMs: 60_000,
  idleMs: 60_000,
  totalMs: 300_000,
};

/** Responses larger than this are cut off as `response_too_large`: a relay must not exhaust our memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Billing reconciliation: a reported token count disagrees with relaymon's own
 * when |reported − counted| > tokens + percent % of counted.
 */
export interface UsageTolerance {
  tokens: number;
  percent: number;
}

/** `exact` for counts with the model's own tokenizer, `estimate` for the rest (see tokens/local-count.ts). */
export interface UsageTolerances {
  exact: UsageTolerance;
  estimate: UsageTolerance;
}

/**
 * A few tokens plus a few percent: re-encoding streamed text can merge tokens
 * the model emitted apart, and relays differ by a token or two in framing.
 * Estimates use another family's tokenizer, which can be a third off.
 */
export const DEFAULT_USAGE_TOLERANCES: Readonly<UsageTolerances> = Object.freeze({
  exact: Object.freeze({ tokens: 4, percent: 5 }),
  estimate: Object.freeze({ tokens: 32, percent: 50 }),
});

/**
 * A target ready to send to: config, flags and environment already merged,
 * `${VAR}` expanded, the key loaded. The key and every expanded header value
 * have been registered with core/redact before this object exists.
 */
export interface ResolvedTarget {
  name: string;
  /** Prefix up to and including the version segment, no trailing slash: https://api.openai.com/v1 */
  baseUrl: string;
  protocol: Protocol;
  /** Never printed. Null: send no auth header (a local vLLM box). */
  apiKey: string | null;
  /** Lower-case header name carrying the key. `authorization` means `Bearer <key>`. */
  apiKeyHeader: string;
  headers: Record<string, string>;
  priceMultiplier: number;
  /** Most requests in flight at once (targets.<name>.concurrency, --max-in-flight). */
  concurrency: number;
  /** True when the user set the cap (config or --max-in-flight): a closed loop then keeps to it instead of raising it. */
  concurrencyChosen?: boolean;
  timeouts: Timeouts;
  maxResponseBytes: number;
  /** Config `honesty`; absent means DEFAULT_USAGE_TOLERANCES. */
  usageTolerance?: UsageTolerances;
}

/** Config `honesty` over the defaults, field by field. */
export function resolveTolerances(
  cfg: { usageTolerance?: Partial<UsageTolerance>; estimateTolerance?: Partial<UsageTolerance> } | undefined,
): UsageTolerances {
  const d = DEFAULT_USAGE_TOLERANCES;
  return {
    exact: { tokens: cfg?.usageTolerance?.tokens ?? d.exact.tokens, percent: cfg?.usageTolerance?.percent ?? d.exact.percent },
    estimate: { tokens: cfg?.estimateTolerance?.tokens ?? d.estimate.tokens, percent: cfg?.estimateTolerance?.percent ?? d.estimate.percent },
  };
}

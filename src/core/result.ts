/**
 * The one record. The client produces exactly one RequestResult per request and
 * nothing mutates it afterwards; every consumer (summaries, windows, exporters,
 * the dashboard) reads these. Field names are a public contract (`probe --json`,
 * the request log), see DESIGN.md "The one record".
 */

export const ERROR_TYPES = [
  'connection_refused',
  'dns',
  'tls',
  'connection_reset',
  'timeout',
  'auth',
  'rate_limited',
  'quota_exceeded',
  'bad_request',
  'not_found',
  'server_error',
  'overloaded',
  'bad_response',
  'stream_error',
  'stream_truncated',
  'response_too_large',
  'cancelled',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

export const TIMEOUT_PHASES = ['connect', 'first_token', 'idle', 'total'] as const;
export type TimeoutPhase = (typeof TIMEOUT_PHASES)[number];

export const PROTOCOLS = ['openai', 'anthropic'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type UsageSource = 'reported' | 'estimated';

/** Rate-limit headroom as the relay advertised it on this response (null when absent). */
export interface RateLimitInfo {
  requestsRemaining: number | null;
  requestsLimit: number | null;
  tokensRemaining: number | null;
  tokensLimit: number | null;
}

export interface RequestResult {
  // --- identity ---
  target: string;
  probe: string | null;
  protocol: Protocol;
  /** The model we asked for. */
  model: string;
  /** The model the response says it is, verbatim. */
  responseModel: string | null;
  /** True when responseModel is a different model once aliases are normalised. */
  modelMismatch: boolean;
  systemFingerprint: string | null;
  /**
   * True when the usage the relay reported differs from relaymon's own count
   * beyond the tolerance (billing reconciliation, issue #7); false when they
   * agree or there was nothing to compare.
   */
  usageMismatch: boolean;
  /** The most specific request id the relay gave (x-request-id, request-id, gateway ids, body id). */
  requestId: string | null;
  /** Every id header seen, by lower-case header name. */
  requestIds: Record<string, string>;
  stream: boolean;

  // --- timing: absolute instants from performance.now(), ms ---
  /** Wall-clock time (epoch ms) of the actual send, for logs and humans. */
  startedAt: number;
  scheduledAt: number;
  sentAt: number;
  headersAt: number | null;
  firstTokenAt: number | null;
  firstContentAt: number | null;
  lastTokenAt: number | null;
  endAt: number;

  // --- timing: derived durations, ms (null where not applicable) ---
  /** actual send − scheduled send */
  queueMs: number;
  /** Time to open the TCP/TLS connection when this request opened a new one; null on a reused connection. */
  connectMs: number | null;
  newConnection: boolean;
  /** response headers − send */
  ttfbMs: number | null;
  /** first token on any channel (content, reasoning, tool arguments) − send */
  ttftMs: number | null;
  /** first visible content token − send */
  ttftContentMs: number | null;
  /** end − actual send */
  latencyMs: number;
  /** end − scheduled send (coordinated-omission corrected) */
  latencyScheduledMs: number;
  /** (last token − first token) / (output tokens − 1) */
  itlMs: number | null;
  /** Gaps between successive token-bearing chunks, ms, in arrival order. */
  chunkGapsMs: number[];
  /** Token-bearing chunks received. */
  chunks: number;
  /** output tokens / (end − first token) */
  outputTokensPerSecond: number | null;

  // --- outcome ---
  ok: boolean;
  httpStatus: number | null;
  errorType: ErrorType | null;
  timeoutPhase: TimeoutPhase | null;
  /** Human-readable, secret-free. */
  errorMessage: string | null;
  /** What retry-after / retry-after-ms asked for, ms. */
  retryAfterMs: number | null;
  responseBytes: number;

  // --- usage ---
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  usageSource: UsageSource | null;

  // --- money ---
  /** Computed from the price table; null when the model has no price (never a silent 0). */
  costUsd: number | null;
  /** What the relay itself said it cost (usage.cost, x-litellm-response-cost). */
  reportedCostUsd: number | null;
  rateLimit: RateLimitInfo;
}

/** The fields of `probe --json` "requests", in contract order. */
export const PROBE_JSON_FIELDS = [
  'ok',
  'httpStatus',
  'errorType',
  'timeoutPhase',
  'errorMessage',
  'model',
  'responseModel',
  'modelMismatch',
  'systemFingerprint',
  'stream',
  'ttfbMs',
  'ttftMs',
  'ttftContentMs',
  'latencyMs',
  'itlMs',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'reasoningTokens',
  'usageSource',
  'costUsd',
  'reportedCostUsd',
  'outputTokensPerSecond',
  'requestId',
] as const satisfies readonly (keyof RequestResult)[];

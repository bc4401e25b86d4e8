/**
 * The one record. The client produces exactly one RequestResult per request and
 * nothing mutates it afterwards; every consumer (summaries, windows, exporters,
 * the dashboard) reads these. Field names are a public contract (`probe --json`,
 * the request log), see docs/contracts.md "Request fields"; what each
 * measures: README.md "What is measured, exactly".
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

export const PROTOCOLS = ['openai', 'anthropic', 'openai-responses'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type UsageSource = 'reported' | 'estimated';

/**
 * What a probe asks of the relay beyond plain text (issue #13): `tools` a
 * declared function the model is asked to call, `json` structured output
 * against a JSON schema, `cache` the same long prefix sent twice, `reasoning`
 * a reasoning model's thinking, `long` a prompt of a declared size.
 */
export const PROBE_KINDS = ['text', 'tools', 'json', 'cache', 'reasoning', 'long'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** One thing a non-text probe checked in its answer (`checks` of a RequestResult). */
export interface ProbeCheck {
  /** snake_case, from the fixed list in docs/contracts.md. */
  name: string;
  ok: boolean;
  /** Why it failed, or what was seen; secret-free, one line. */
  detail: string;
}

/**
 * Why the answer ended, normalised across protocols: OpenAI finish_reason,
 * Anthropic stop_reason (end_turn/stop_sequence → stop, max_tokens → length,
 * tool_use → tool_calls, refusal → content_filter), Responses status and
 * incomplete_details.reason (max_output_tokens → length).
 */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'other'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/**
 * How relaymon counted tokens itself: `exact` with the model's own public
 * tokenizer and chat template (OpenAI models, text-only prompts), `estimate`
 * otherwise (no public tokenizer, or parts such as tool calls whose framing
 * is not public). Estimates are reconciled against a wider tolerance.
 */
export type LocalCountKind = 'exact' | 'estimate';
export type RateTokenSource = 'local' | 'relay';

/**
 * Which bound cut relaymon's own count short (the count is then an
 * `estimate`): `word` a word longer than 256 characters, counted in cuts;
 * `size` text beyond the first 524,288 characters, extrapolated at the rate
 * measured on them; `time` the counter ran out of time (its budget per result,
 * or the run's grace period), the rest estimated from the length.
 */
export const LOCAL_COUNT_LIMITS = ['word', 'size', 'time'] as const;
export type LocalCountLimit = (typeof LOCAL_COUNT_LIMITS)[number];

/**
 * How a stream broke the protocol (stream conformance, issue #7):
 * `usage_missing` a finished stream without the usage that was asked for;
 * `out_of_order` events in an order the protocol does not allow (Anthropic's
 * message_start … message_stop, anything after OpenAI's [DONE]);
 * `unterminated` a stream that opened and never sent its terminator;
 * `usage_decreased` a cumulative usage count that went down.
 */
export const STREAM_VIOLATIONS = ['usage_missing', 'out_of_order', 'unterminated', 'usage_decreased'] as const;
export type StreamViolation = (typeof STREAM_VIOLATIONS)[number];

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
  /**
   * (last visible token − first visible token) / (visible output tokens − 1),
   * over the visible answer (content and tool arguments, not reasoning); null
   * with fewer than two visible tokens or when they all arrived at once.
   */
  itlMs: number | null;
  /** Gaps between successive token-bearing chunks, ms, in arrival order. */
  chunkGapsMs: number[];
  /** Token-bearing chunks received. */
  chunks: number;
  /** 1000 × (visible output tokens − 1) / (last visible token − first visible token); null wherever itlMs is null. */
  outputTokensPerSecond: number | null;
  /**
   * Whose count of visible tokens itlMs and outputTokensPerSecond divide by:
   * the relay's (`relay`) unless relaymon's own exact count of the streamed
   * text is beyond the usage tolerance from it, or the relay reported none
   * (`local`), so a relay that bills more tokens than it sent cannot look
   * faster; null where neither applies (not streamed).
   */
  rateTokenSource: RateTokenSource | null;

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

  // --- honesty (issue #7) ---
  /**
   * Prompt tokens as relaymon counts them locally (tokenizer of the model's
   * family plus the chat template's overhead); null when the request failed
   * or the prompt has parts that cannot be counted (images, tool definitions).
   */
  localInputTokens: number | null;
  /**
   * Output tokens as relaymon counts them from the streamed text (content and
   * tool arguments), plus the reasoning: counted from the reasoning text when
   * it was streamed, else the relay's own reasoning count, which cannot be
   * checked; null when the request failed.
   */
  localOutputTokens: number | null;
  localCountKind: LocalCountKind | null;
  /**
   * Which bound cut that count short, making it an `estimate` (see
   * LocalCountLimit); null when it was counted in full or not at all.
   */
  localCountLimit: LocalCountLimit | null;
  /**
   * (reported − local) tokens, input and output together, for a successful
   * response whose usage the relay reported; null when nothing was compared.
   */
  usageGapTokens: number | null;
  /** usageGapTokens / the local count: 0.38 is "+38% billed". */
  usageGapRatio: number | null;
  /** reportedCostUsd − costUsd when both are known. */
  costGapUsd: number | null;
  /**
   * True when systemFingerprint differs from the previous fingerprint the same
   * target returned for the same requested model in this run (in the order
   * responses finished).
   */
  fingerprintChanged: boolean;
  /** What this stream did against its protocol; empty for conforming streams and non-streamed answers. */
  streamViolations: StreamViolation[];

  // --- probe kinds (issue #13) ---
  /** Why the answer ended, as the relay said (normalised); null when it did not say or the request failed before. */
  finishReason: FinishReason | null;
  /**
   * What a probe of a non-text kind checked in the answer (client/checks.ts,
   * names in docs/contracts.md "Probe checks"); [] for text probes, replayed
   * lines and failed requests. A failed check leaves `ok` alone: the relay answered.
   */
  checks: ProbeCheck[];
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
  'rateTokenSource',
  'requestId',
  'usageMismatch',
  'localInputTokens',
  'localOutputTokens',
  'localCountKind',
  'localCountLimit',
  'usageGapTokens',
  'usageGapRatio',
  'costGapUsd',
  'fingerprintChanged',
  'streamViolations',
  'finishReason',
  'checks',
] as const satisfies readonly (keyof RequestResult)[];

import type { RequestResult } from '../../../src/core/result.js';

/**
 * A successful streamed request to target "relay", probe "chat-small", model
 * gpt-4o, with every timing field set; override what a test cares about.
 */
export function makeResult(overrides: Partial<RequestResult> = {}): RequestResult {
  const base: RequestResult = {
    target: 'relay',
    probe: 'chat-small',
    protocol: 'openai',
    model: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    modelMismatch: false,
    usageMismatch: false,
    systemFingerprint: 'fp_test',
    requestId: 'req_test',
    requestIds: { 'x-request-id': 'req_test' },
    stream: true,
    startedAt: 1_700_000_000_000,
    scheduledAt: 1000,
    sentAt: 1000,
    headersAt: 1050,
    firstTokenAt: 1200,
    firstContentAt: 1200,
    lastTokenAt: 1450,
    endAt: 1500,
    queueMs: 0,
    connectMs: null,
    newConnection: false,
    ttfbMs: 50,
    ttftMs: 200,
    ttftContentMs: 200,
    latencyMs: 500,
    latencyScheduledMs: 500,
    itlMs: 25,
    chunkGapsMs: [25, 25],
    chunks: 11,
    outputTokensPerSecond: 40,
    ok: true,
    httpStatus: 200,
    errorType: null,
    timeoutPhase: null,
    errorMessage: null,
    retryAfterMs: null,
    responseBytes: 2048,
    inputTokens: 10,
    outputTokens: 11,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    usageSource: 'reported',
    costUsd: 0.001,
    reportedCostUsd: null,
    rateLimit: { requestsRemaining: null, requestsLimit: null, tokensRemaining: null, tokensLimit: null },
  };
  return { ...base, ...overrides };
}

/** A failed request: no response, no tokens, no cost. */
export function makeFailure(
  errorType: NonNullable<RequestResult['errorType']>,
  overrides: Partial<RequestResult> = {},
): RequestResult {
  return makeResult({
    ok: false,
    httpStatus: null,
    errorType,
    errorMessage: `simulated ${errorType}`,
    responseModel: null,
    headersAt: null,
    firstTokenAt: null,
    firstContentAt: null,
    lastTokenAt: null,
    ttfbMs: null,
    ttftMs: null,
    ttftContentMs: null,
    itlMs: null,
    chunkGapsMs: [],
    chunks: 0,
    outputTokensPerSecond: null,
    inputTokens: null,
    outputTokens: null,
    usageSource: null,
    costUsd: null,
    ...overrides,
  });
}

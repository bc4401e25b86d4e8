/**
 * The RequestResult record as relaymon writes it: whole in the request log's
 * `result`, and its contract fields in `probe --json` (docs/contracts.md
 * "Request fields"). Mirrors the RequestResult interface of
 * src/core/result.ts; test/contracts/types.test.ts fails the typecheck when
 * the two part.
 */
import { z } from 'zod';
import { ERROR_TYPES, FINISH_REASONS, LOCAL_COUNT_LIMITS, STREAM_VIOLATIONS, TIMEOUT_PHASES } from '../../core/result.js';
import { count, protocolSchema } from './common.js';

const ms = () => z.number();
const instant = () => z.number().describe('performance.now() instant, ms (the run\'s own clock; only differences mean anything).');

export const probeCheckSchema = z
  .strictObject({
    name: z.string().describe('snake_case, from the fixed list in docs/contracts.md "Probe checks".'),
    ok: z.boolean(),
    detail: z.string().describe('What was seen, or why it failed; one line, secret-free.'),
  })
  .meta({ id: 'ProbeCheck' });

/** The fields `probe --json` carries, in contract order, with their meaning. */
export const requestFieldsSchema = z.strictObject({
  ok: z.boolean(),
  httpStatus: z.int().nullable().describe('null when no HTTP answer came.'),
  errorType: z.enum(ERROR_TYPES).nullable(),
  timeoutPhase: z.enum(TIMEOUT_PHASES).nullable(),
  errorMessage: z.string().nullable().describe('Human-readable, secret-free.'),
  model: z.string().describe('The model asked for.'),
  responseModel: z.string().nullable().describe('The model the response named, verbatim.'),
  modelMismatch: z.boolean(),
  systemFingerprint: z.string().nullable(),
  stream: z.boolean(),
  ttfbMs: ms().nullable(),
  ttftMs: ms().nullable(),
  ttftContentMs: ms().nullable(),
  latencyMs: ms(),
  itlMs: ms().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  cachedInputTokens: z.number().nullable(),
  reasoningTokens: z.number().nullable(),
  usageSource: z.enum(['reported', 'estimated']).nullable(),
  costUsd: z.number().nullable().describe('null when the model has no price (never a silent 0).'),
  reportedCostUsd: z.number().nullable(),
  outputTokensPerSecond: z.number().nullable(),
  rateTokenSource: z.enum(['local', 'relay']).nullable().describe('Whose count of visible tokens itlMs and outputTokensPerSecond divide by.'),
  requestId: z.string().nullable(),
  usageMismatch: z.boolean(),
  localInputTokens: z.number().nullable(),
  localOutputTokens: z.number().nullable(),
  localCountKind: z.enum(['exact', 'estimate']).nullable(),
  localCountLimit: z.enum(LOCAL_COUNT_LIMITS).nullable().describe('Which bound cut relaymon\'s own count short; null when counted in full or not at all.'),
  usageGapTokens: z.number().nullable(),
  usageGapRatio: z.number().nullable(),
  costGapUsd: z.number().nullable(),
  fingerprintChanged: z.boolean(),
  streamViolations: z.array(z.enum(STREAM_VIOLATIONS)),
  finishReason: z.enum(FINISH_REASONS).nullable().describe('Why the answer ended, normalised across protocols; null when the relay did not say.'),
  checks: z
    .array(probeCheckSchema)
    .describe('What a probe of a non-text kind checked in the answer (docs/contracts.md "Probe checks"); [] for text probes, replayed lines and failed requests.'),
});

export const rateLimitSchema = z
  .strictObject({
    requestsRemaining: z.number().nullable(),
    requestsLimit: z.number().nullable(),
    tokensRemaining: z.number().nullable(),
    tokensLimit: z.number().nullable(),
  })
  .describe('Rate-limit headroom the relay advertised on this response.');

/** The whole record: the contract fields plus identity, raw instants and transport details. */
export const requestResultSchema = requestFieldsSchema
  .extend({
    target: z.string(),
    probe: z.string().nullable(),
    protocol: protocolSchema,
    requestIds: z.record(z.string(), z.string()).describe('Every id header seen, by lower-case header name.'),
    startedAt: z.number().describe('Wall-clock time of the actual send, epoch ms.'),
    scheduledAt: instant(),
    sentAt: instant(),
    headersAt: instant().nullable(),
    firstTokenAt: instant().nullable(),
    firstContentAt: instant().nullable(),
    lastTokenAt: instant().nullable(),
    endAt: instant(),
    queueMs: ms(),
    connectMs: ms().nullable(),
    newConnection: z.boolean(),
    latencyScheduledMs: ms(),
    chunkGapsMs: z.array(ms()),
    chunks: count(),
    retryAfterMs: ms().nullable(),
    responseBytes: count(),
    rateLimit: rateLimitSchema,
  })
  .meta({ id: 'RequestResult' });
export type RequestResultOutput = z.infer<typeof requestResultSchema>;

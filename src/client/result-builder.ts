import type { ErrorType, RateTokenSource, RequestResult, TimeoutPhase, UsageSource } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { rateLimitInfo, reportedCostFromHeaders, requestIds, retryAfterMs } from '../protocol/headers.js';
import { sameModel } from '../pricing/aliases.js';
import type { PriceTable } from '../pricing/table.js';
import { DEFAULT_USAGE_TOLERANCES } from '../core/target.js';
import { outputCount, type LocalOutput, type PromptCount } from '../tokens/local-count.js';
import type { StreamConformance } from '../honesty/conformance.js';
import type { FingerprintTracker } from '../honesty/fingerprint.js';
import { interTokenLatency, outputTokensPerSecond, type ResponseAccumulator } from './accumulate.js';
import type { ConnectionTiming } from './connections.js';
import { honestyFields, promptCount } from './honesty.js';
import { probeChecks } from './checks.js';

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'error'; errorType: ErrorType; timeoutPhase: TimeoutPhase | null; message: string; retryAfterMs?: number | null };

/** Everything the executor observed about one request. */
export interface ResponseFacts {
  target: ResolvedTarget;
  spec: RequestSpec;
  probe: string | null;
  startedAt: number;
  scheduledAt: number;
  sentAt: number;
  headersAt: number | null;
  endAt: number;
  status: number | null;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  /** The response was read as an event stream (a relay may answer a stream request with one JSON body). */
  sse: boolean;
  timing: ConnectionTiming;
  acc: ResponseAccumulator;
  /** The body as sent (adapter.buildBody), for counting the prompt. */
  sentBody: Record<string, unknown>;
  /** Stream conformance, fed while the stream was read; null for a request that did not ask to stream. */
  conformance: StreamConformance | null;
  fingerprints: FingerprintTracker | null;
}

/** relaymon's own counts, made at most once per result and shared by estimation and reconciliation. */
export interface LocalCounts {
  prompt: PromptCount;
  output: LocalOutput;
}

interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  usageSource: UsageSource | null;
}

/**
 * Use the relay's usage when it gave both counts and mark it `reported`;
 * otherwise fill what is missing with local counts and mark it `estimated`.
 * A failed request that neither reported usage nor delivered a token carries
 * no usage; one that broke off part-way is estimated from what it delivered.
 */
function resolveUsage(facts: ResponseFacts, ok: boolean, local: () => LocalCounts): Usage {
  const u = facts.acc.usage;
  if (u.inputTokens !== null && u.outputTokens !== null) {
    return { inputTokens: u.inputTokens, outputTokens: u.outputTokens, cachedInputTokens: u.cachedInputTokens, reasoningTokens: u.reasoningTokens, usageSource: 'reported' };
  }
  // A failure that delivered nothing and reported nothing carries no usage. One
  // that broke off part-way delivered tokens (and they are billed): count them.
  const delivered = facts.acc.contentText.length > 0 || facts.acc.otherText.length > 0;
  if (!ok && !facts.acc.usageSeen && !delivered) {
    return { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null, usageSource: null };
  }
  const counts = local();
  const input = u.inputTokens ?? counts.prompt.tokens;
  const output = u.outputTokens ?? counts.output.visible + counts.output.reasoningText;
  return {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: u.cachedInputTokens,
    reasoningTokens: u.reasoningTokens,
    usageSource: 'estimated',
  };
}

/**
 * Tokens of the visible answer, what ITL and decode speed divide by, and whose
 * count that is. relaymon's own count of the streamed text when it is exact
 * for the model family (a relay that bills more tokens than it sent must not
 * look faster), or when the relay reported no usage; otherwise the relay's:
 * every output token without reasoning, the output minus the reasoning with
 * it (output_tokens of a thinking model include the reasoning). A relay that
 * reasoned without saying how much of its output was reasoning leaves only
 * relaymon's own count of the visible text.
 */
function rateTokens(acc: ResponseAccumulator, usage: Usage, own: LocalOutput): { tokens: number | null; source: RateTokenSource } {
  const counted = { tokens: own.visible, source: 'counted' as const };
  // Exact for the family is what matters here, not tool framing: an inflating relay must not look faster on tool calls either.
  if (own.textExact || usage.usageSource !== 'reported') return counted;
  const reasoned = acc.reasoningText.length > 0 || (usage.reasoningTokens ?? 0) > 0;
  if (!reasoned) return { tokens: usage.outputTokens, source: 'reported' };
  if (usage.outputTokens !== null && usage.reasoningTokens !== null) {
    return { tokens: Math.max(0, usage.outputTokens - usage.reasoningTokens), source: 'reported' };
  }
  return counted;
}

/**
 * sameModel() normalises both names with a handful of regular expressions;
 * a run asks about the same one or two pairs for every result. Bounded, so a
 * relay that answers with a new model name each time cannot grow it.
 */
const sameModelAnswers = new Map<string, Map<string, boolean>>();
function sameModelCached(asked: string, answered: string): boolean {
  let byAnswer = sameModelAnswers.get(asked);
  if (!byAnswer) {
    if (sameModelAnswers.size >= 64) sameModelAnswers.clear();
    byAnswer = new Map();
    sameModelAnswers.set(asked, byAnswer);
  }
  let same = byAnswer.get(answered);
  if (same === undefined) {
    same = sameModel(asked, answered);
    if (byAnswer.size >= 64) byAnswer.clear();
    byAnswer.set(answered, same);
  }
  return same;
}

/** `counted`: the counts the count host made (client/counting.ts); without them they are made here. */
export function buildResult(facts: ResponseFacts, outcome: Outcome, prices: PriceTable, counted: LocalCounts | null = null): RequestResult {
  const { acc, target, spec, sentAt, endAt } = facts;
  const ok = outcome.kind === 'ok';
  const local = (): LocalCounts =>
    (counted ??= { prompt: promptCount(spec, facts.sentBody), output: outputCount(spec.model, acc) });
  const usage = resolveUsage(facts, ok, local);
  const streamed = facts.sse && acc.chunks > 0;
  // In a non-streamed answer every token arrives with the body: TTFT, ITL and
  // decode speed do not apply, and saying so beats reporting the latency twice.
  const firstTokenAt = streamed ? acc.firstTokenAt : null;
  const rate = streamed ? rateTokens(acc, usage, local().output) : null;
  const visibleTokens = rate?.tokens ?? null;
  const ids = requestIds(facts.headers);
  // requestIds() made `all` for this result alone.
  const allIds = ids.all;
  if (acc.id !== null) allIds['body.id'] = acc.id;
  const priceModel = prices.lookup(spec.model) ? spec.model : (acc.responseModel ?? spec.model);
  const costUsd =
    usage.inputTokens === null || usage.outputTokens === null
      ? null
      : // Cache writes as the relay reported them, estimated usage or not: a stream cut before its output count still
        // reported its input (message_start), cache writes included, and cost() never prices more than that input.
        prices.cost(
          priceModel,
          {
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cachedInputTokens: usage.cachedInputTokens,
            reasoningTokens: usage.reasoningTokens,
            cacheWriteInputTokens: acc.usage.cacheWriteInputTokens,
          },
          target.priceMultiplier,
        );
  const reportedCostUsd = acc.usage.costUsd ?? reportedCostFromHeaders(facts.headers);
  const errorType = ok ? null : outcome.errorType;
  const honesty = honestyFields({
    ok,
    target: target.name,
    model: spec.model,
    acc,
    prompt: ok ? local().prompt : null,
    output: ok ? local().output : null,
    usage,
    costUsd,
    reportedCostUsd,
    tolerances: target.usageTolerance ?? DEFAULT_USAGE_TOLERANCES,
    fingerprints: facts.fingerprints,
    conformance: facts.sse && facts.status !== null && facts.status < 300 ? facts.conformance : null,
    errorType,
  });

  return {
    target: target.name,
    probe: facts.probe,
    protocol: target.protocol,
    model: spec.model,
    responseModel: acc.responseModel,
    modelMismatch: acc.responseModel !== null && !sameModelCached(spec.model, acc.responseModel),
    usageMismatch: honesty.usageMismatch,
    systemFingerprint: acc.systemFingerprint,
    requestId: ids.primary ?? acc.id,
    requestIds: allIds,
    stream: spec.stream,

    startedAt: facts.startedAt,
    scheduledAt: facts.scheduledAt,
    sentAt,
    headersAt: facts.headersAt,
    firstTokenAt,
    firstContentAt: streamed ? acc.firstContentAt : null,
    lastTokenAt: streamed ? acc.lastTokenAt : null,
    endAt,

    queueMs: sentAt - facts.scheduledAt,
    connectMs: facts.timing.connectMs,
    newConnection: facts.timing.newConnection,
    ttfbMs: facts.headersAt === null ? null : facts.headersAt - sentAt,
    ttftMs: firstTokenAt === null ? null : firstTokenAt - sentAt,
    ttftContentMs: streamed && acc.firstContentAt !== null ? acc.firstContentAt - sentAt : null,
    latencyMs: endAt - sentAt,
    latencyScheduledMs: endAt - facts.scheduledAt,
    itlMs: streamed ? interTokenLatency(acc.firstVisibleAt, acc.lastVisibleAt, visibleTokens) : null,
    chunkGapsMs: streamed ? acc.chunkGapsMs.slice() : [],
    chunks: acc.chunks,
    outputTokensPerSecond: streamed ? outputTokensPerSecond(acc.firstVisibleAt, acc.lastVisibleAt, visibleTokens) : null,
    rateTokenSource: rate?.source ?? null,

    ok,
    httpStatus: facts.status,
    errorType,
    timeoutPhase: ok ? null : outcome.timeoutPhase,
    errorMessage: ok ? null : outcome.message,
    retryAfterMs: (outcome.kind === 'error' ? outcome.retryAfterMs : null) ?? retryAfterMs(facts.headers),
    responseBytes: facts.bytes,

    // Field by field, not a spread: a spread in the middle of this literal made V8 build the record one
    // property at a time on every result (pure.mjs profile); the order is the same as the spread's.
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cachedInputTokens,
    reasoningTokens: usage.reasoningTokens,
    usageSource: usage.usageSource,

    costUsd,
    reportedCostUsd,
    rateLimit: rateLimitInfo(facts.headers),

    localInputTokens: honesty.localInputTokens,
    localOutputTokens: honesty.localOutputTokens,
    localCountKind: honesty.localCountKind,
    localCountLimit: honesty.localCountLimit,
    usageGapTokens: honesty.usageGapTokens,
    usageGapRatio: honesty.usageGapRatio,
    costGapUsd: honesty.costGapUsd,
    fingerprintChanged: honesty.fingerprintChanged,
    streamViolations: honesty.streamViolations,

    finishReason: acc.finishReason,
    // Only an answer is checked; a failed request's error already says what went wrong (client/checks.ts).
    checks: ok && spec.expect ? probeChecks({ spec, acc, usage, prompt: local().prompt, tolerance: (target.usageTolerance ?? DEFAULT_USAGE_TOLERANCES).exact }) : [],
  };
}

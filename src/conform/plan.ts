/**
 * What `relaymon conform` sends to one target for one protocol: a handful of
 * small requests, each judged by some checks (judge.ts). Only the requests the
 * selected checks need are planned. Pure.
 */
import type { Protocol } from '../core/result.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { probeSpec } from '../traffic/probes.js';
import type { ConformCheckName } from './checks.js';
import { defaultReasoningModel } from './defaults.js';

export { defaultReasoningModel };

export const REQUEST_NAMES = [
  'stream',
  'whole',
  'max_tokens',
  'tools',
  'json',
  'cache_first',
  'cache_second',
  'reasoning',
  'stream_error',
  'bad_request',
] as const;
export type RequestName = (typeof REQUEST_NAMES)[number];

/** The requests each check reads; a check with none of its requests answered is n/a. */
export const CHECK_REQUESTS: Readonly<Record<ConformCheckName, readonly RequestName[]>> = {
  usage_present: ['stream', 'whole'],
  usage_monotonic: ['stream'],
  model_echo: ['stream', 'whole'],
  stream_terminated: ['stream'],
  event_order: ['stream'],
  error_in_stream: ['stream_error'],
  max_tokens_honoured: ['max_tokens'],
  streams_incrementally: ['stream'],
  tool_call_deltas: ['tools'],
  structured_output: ['json'],
  cache_reported: ['cache_first', 'cache_second'],
  reasoning_passthrough: ['reasoning'],
  error_shape: ['bad_request'],
};

/** The request header that makes the honest `relaymon mock` fail a stream mid-way with an in-band error. */
export const CONFORM_FAULT_HEADER = 'x-relaymon-conform';
/** The response header by which the mock says it injected that fault. */
export const MOCK_INJECTED_HEADER = 'x-relaymon-mock-injected';

/** The limit max_tokens_honoured asks for. */
export const MAX_TOKENS_LIMIT = 5;

/**
 * ~24 single-token numbers: long enough for streams_incrementally to see the
 * answer spread over time, short enough to cost next to nothing.
 */
const COUNT_PROMPT = 'Count from 1 to 24, separated by spaces. Reply with the numbers only.';
const COUNT_MAX_TOKENS = 40;

/**
 * The repeated prefix of the cache pair: above every provider's minimum
 * cacheable length (OpenAI 1,024 tokens; Anthropic 1,024 to 4,096 by model).
 */
export const CACHE_PREFIX_TOKENS = 4_300;

export interface PlannedRequest {
  name: RequestName;
  protocol: Protocol;
  /** Sent through the measuring client; absent for bad_request, which goes out as a raw body. */
  spec: RequestSpec | null;
  /** The raw body of bad_request. */
  rawBody: Record<string, unknown> | null;
  /** Extra request headers (the fault header of stream_error). */
  headers: Record<string, string>;
  /** Sent only once this one has finished (the cache pair). */
  after: RequestName | null;
}

export interface PlanInput {
  protocol: Protocol;
  model: string;
  reasoningModel: string;
  checks: readonly ConformCheckName[];
}

/** A body the protocol must refuse: the message list of the wrong type, a negative token limit. */
export function malformedBody(protocol: Protocol, model: string): Record<string, unknown> {
  if (protocol === 'openai' || protocol === 'anthropic') return { model, messages: 'this should be a list of messages', max_tokens: -1 };
  // openai-responses
  return { model, input: 42, max_output_tokens: -1 };
}

function spec(model: string, stream: boolean, content: string, maxTokens: number, extra: Partial<RequestSpec> = {}): RequestSpec {
  return { model, messages: [{ role: 'user', content }], maxTokens, stream, ...extra };
}

/** The requests for one protocol, in sending order, those the selected checks need. */
export function planRequests(input: PlanInput): PlannedRequest[] {
  const { protocol, model } = input;
  const needed = new Set(input.checks.flatMap((c) => CHECK_REQUESTS[c]));
  const req = (name: RequestName, s: RequestSpec | null, more: Partial<PlannedRequest> = {}): PlannedRequest => ({
    name,
    protocol,
    spec: s,
    rawBody: null,
    headers: {},
    after: null,
    ...more,
  });
  // The probe kinds' own requests (traffic/probes.ts): their tool, schema, prefix and reasoning budget, and the
  // `expect` by which the client checks the answer (client/checks.ts). Built only when needed: sizing the cache
  // prefix tokenizes it.
  const cache = needed.has('cache_first') || needed.has('cache_second') ? probeSpec({ model, kind: 'cache', cache: { tokens: CACHE_PREFIX_TOKENS } }) : null;
  const build: Record<RequestName, () => PlannedRequest> = {
    stream: () => req('stream', spec(model, true, COUNT_PROMPT, COUNT_MAX_TOKENS)),
    whole: () => req('whole', spec(model, false, COUNT_PROMPT, COUNT_MAX_TOKENS)),
    max_tokens: () => req('max_tokens', spec(model, true, 'Write a long story about the sea.', MAX_TOKENS_LIMIT)),
    tools: () => req('tools', probeSpec({ model, kind: 'tools' })),
    json: () => req('json', probeSpec({ model, kind: 'json' })),
    cache_first: () => req('cache_first', cache),
    cache_second: () => req('cache_second', cache?.expect?.then ?? cache, { after: 'cache_first' }),
    reasoning: () => req('reasoning', probeSpec({ model: input.reasoningModel, kind: 'reasoning' })),
    stream_error: () => req('stream_error', spec(model, true, COUNT_PROMPT, COUNT_MAX_TOKENS), { headers: { [CONFORM_FAULT_HEADER]: 'stream-error' } }),
    bad_request: () => req('bad_request', null, { rawBody: malformedBody(protocol, model) }),
  };
  return REQUEST_NAMES.filter((n) => needed.has(n)).map((n) => build[n]());
}


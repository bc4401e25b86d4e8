/**
 * Judging: what came back (RequestResult-shaped facts, per planned request)
 * → one status and its evidence per check. Pure; each rule is written out in
 * README.md "Is my relay conformant?".
 *
 * A check judges only its own aspect: when what it needs is missing because
 * of another check's concern (no usage at all, a stream that never ended),
 * it is n/a and its evidence names that check, so one fault fails one check.
 */
import type { FinishReason, ProbeCheck, Protocol, RequestResult } from '../core/result.js';
import type { ConformCheckName, ConformStatus } from './checks.js';
import { CHECK_REQUESTS, MAX_TOKENS_LIMIT, type RequestName } from './plan.js';

/** The fields of a RequestResult the judges read (tests build them by hand). */
export type AnswerFacts = Pick<
  RequestResult,
  | 'ok'
  | 'httpStatus'
  | 'errorType'
  | 'errorMessage'
  | 'requestId'
  | 'model'
  | 'responseModel'
  | 'modelMismatch'
  | 'stream'
  | 'streamViolations'
  | 'outputTokens'
  | 'cachedInputTokens'
  | 'inputTokens'
  | 'reasoningTokens'
  | 'usageSource'
  | 'localOutputTokens'
  | 'localCountKind'
  | 'firstTokenAt'
  | 'firstContentAt'
  | 'lastTokenAt'
  | 'chunkGapsMs'
> & {
  /** What the client checked in a tools/json/cache/reasoning answer (client/checks.ts). */
  checks?: readonly ProbeCheck[];
  /** Why the answer ended, normalised; null when the relay did not say. */
  finishReason?: FinishReason | null;
};

/** A streamed answer to the request that carried the fault header, and whether the mock said it injected the fault. */
export type FaultAnswer = AnswerFacts & { injected: boolean };

/** What came back for the malformed body (sent raw, not through the measuring client). */
export interface RawAnswer {
  /** null: no HTTP answer. */
  status: number | null;
  contentType: string;
  /** The first bytes of the body. */
  bodyHead: string;
  requestId: string | null;
  /** Why there was no answer (network error class and message). */
  networkError: string | null;
}

export interface Observations {
  protocol: Protocol;
  answers: Partial<Record<Exclude<RequestName, 'stream_error' | 'bad_request'>, AnswerFacts>>;
  streamError?: FaultAnswer;
  badRequest?: RawAnswer;
  /** Why a planned request was not sent (the budget, an interrupt). */
  notSent: Partial<Record<RequestName, string>>;
}

export interface Evidence {
  requestId: string | null;
  expected: string;
  got: string;
}

export interface Verdict {
  status: ConformStatus;
  evidence: Evidence;
}

const TERMINATOR: Record<string, string> = { openai: 'data: [DONE]', anthropic: 'message_stop' };
function terminator(p: Protocol): string {
  return TERMINATOR[p] ?? 'response.completed or response.incomplete';
}

const verdict = (status: ConformStatus, requestId: string | null, expected: string, got: string): Verdict => ({ status, evidence: { requestId, expected, got } });

/** A request that got no usable HTTP answer fails whatever check reads it. */
function unanswered(a: AnswerFacts, expected: string): Verdict | null {
  if (a.httpStatus === null) return verdict('fail', a.requestId, expected, `no HTTP answer: ${a.errorType ?? 'error'}: ${a.errorMessage ?? ''}`.trim());
  if (a.httpStatus >= 300) return verdict('fail', a.requestId, expected, `HTTP ${a.httpStatus} ${a.errorType ?? ''}: ${a.errorMessage ?? ''}`.trim());
  if (a.errorType === 'stream_error') return verdict('fail', a.requestId, expected, `an error inside the stream: ${a.errorMessage ?? ''}`.trim());
  return null;
}

const truncated = (a: AnswerFacts): boolean => a.errorType === 'stream_truncated' || a.streamViolations.includes('unterminated');
const hasUsage = (a: AnswerFacts): boolean => a.usageSource === 'reported' && a.outputTokens !== null;

/** The worst of several verdicts (fail, then n/a, then pass); the first of that status. */
function worst(vs: readonly Verdict[]): Verdict {
  for (const status of ['fail', 'n/a', 'pass'] as const) {
    const v = vs.find((x) => x.status === status);
    if (v) return v;
  }
  throw new Error('worst() of no verdicts');
}

function notSentVerdict(obs: Observations, names: readonly RequestName[], expected: string): Verdict {
  const why = names.map((n) => obs.notSent[n]).find((w) => w !== undefined) ?? 'not sent';
  return verdict('n/a', null, expected, why);
}

/** The streamed answers a stream-wide check looks at (stream_error is broken on purpose). */
function streamedAnswers(obs: Observations): [RequestName, AnswerFacts][] {
  return Object.entries(obs.answers).filter((e): e is [RequestName, AnswerFacts] => e[1] !== undefined && e[1].stream);
}

function usagePresent(obs: Observations): Verdict | null {
  const expected = 'usage (input and output tokens) in the stream when asked, and in the whole body';
  const parts: Verdict[] = [];
  for (const name of ['stream', 'whole'] as const) {
    const a = obs.answers[name];
    if (!a) continue;
    const bad = unanswered(a, expected);
    if (bad) parts.push(bad);
    else if (hasUsage(a)) parts.push(verdict('pass', a.requestId, expected, `${name === 'stream' ? 'stream' : 'body'}: ${a.inputTokens ?? '?'} in / ${a.outputTokens} out`));
    else if (name === 'stream' && truncated(a)) parts.push(verdict('n/a', a.requestId, expected, 'the stream ended without its terminator and without usage (see stream_terminated)'));
    else parts.push(verdict('fail', a.requestId, expected, name === 'stream' ? 'a stream without usage although stream_options.include_usage asked for it' : 'a whole body without usage'));
  }
  return parts.length > 0 ? worst(parts) : null;
}

function usageMonotonic(obs: Observations): Verdict | null {
  const expected = 'no cumulative usage count going down within a stream';
  const streams = streamedAnswers(obs);
  if (streams.length === 0) return null;
  const decreased = streams.find(([, a]) => a.streamViolations.includes('usage_decreased'));
  if (decreased) return verdict('fail', decreased[1].requestId, expected, `the ${decreased[0]} stream reported a usage count lower than an earlier one`);
  const withUsage = streams.find(([, a]) => hasUsage(a));
  if (!withUsage) {
    const stream = obs.answers.stream;
    const bad = stream ? unanswered(stream, expected) : null;
    return bad ?? verdict('n/a', stream?.requestId ?? null, expected, 'no stream reported usage (see usage_present)');
  }
  return verdict('pass', withUsage[1].requestId, expected, `usage never went down in ${streams.length} stream${streams.length === 1 ? '' : 's'}`);
}

function modelEcho(obs: Observations): Verdict | null {
  const parts: Verdict[] = [];
  for (const name of ['stream', 'whole'] as const) {
    const a = obs.answers[name];
    if (!a) continue;
    const expected = `the response names "${a.model}" (or an alias of it)`;
    const bad = unanswered(a, expected);
    if (bad) parts.push(bad);
    else if (a.responseModel === null) parts.push(verdict('fail', a.requestId, expected, 'the response named no model'));
    else if (a.modelMismatch) parts.push(verdict('fail', a.requestId, expected, `"${a.responseModel}"`));
    else parts.push(verdict('pass', a.requestId, expected, `"${a.responseModel}"`));
  }
  return parts.length > 0 ? worst(parts) : null;
}

function streamTerminated(obs: Observations): Verdict | null {
  const expected = `every stream ends with ${terminator(obs.protocol)}`;
  const streams = streamedAnswers(obs);
  if (streams.length === 0) return null;
  for (const [name, a] of streams) {
    if (a.httpStatus === null || a.httpStatus >= 300) continue;
    if (truncated(a)) return verdict('fail', a.requestId, expected, `the ${name} stream ended without it`);
  }
  const judged = streams.filter(([, a]) => a.httpStatus !== null && a.httpStatus < 300);
  if (judged.length === 0) return unanswered(streams[0]![1], expected);
  return verdict('pass', judged[0]![1].requestId, expected, `${judged.length} stream${judged.length === 1 ? '' : 's'} ended with it`);
}

function eventOrder(obs: Observations): Verdict | null {
  const expected = obs.protocol === 'anthropic' ? 'message_start, content blocks in order, message_delta, message_stop (pings anywhere)' : "events in the protocol's order, nothing after the terminator";
  const streams = streamedAnswers(obs);
  if (streams.length === 0) return null;
  const bad = streams.find(([, a]) => a.streamViolations.includes('out_of_order'));
  if (bad) return verdict('fail', bad[1].requestId, expected, `the ${bad[0]} stream had events out of order`);
  const judged = streams.filter(([, a]) => a.httpStatus !== null && a.httpStatus < 300);
  if (judged.length === 0) return unanswered(streams[0]![1], expected);
  return verdict('pass', judged[0]![1].requestId, expected, `${judged.length} stream${judged.length === 1 ? '' : 's'} in order`);
}

function errorInStream(obs: Observations): Verdict | null {
  const a = obs.streamError;
  if (!a) return null;
  const expected = 'the in-band error the upstream sent mid-stream reaches the client as an error (stream_error)';
  if (a.errorType === 'stream_error') return verdict('pass', a.requestId, expected, `stream_error: ${a.errorMessage ?? ''}`.trim());
  if (a.injected && a.ok) return verdict('fail', a.requestId, expected, 'the stream ended normally: the error was swallowed');
  if (a.injected) return verdict('fail', a.requestId, expected, `${a.errorType ?? 'an error'} instead: ${a.errorMessage ?? ''}`.trim());
  const bad = unanswered(a, expected);
  if (bad) return bad;
  return verdict('n/a', a.requestId, expected, "the upstream did not fail (only relaymon mock fails on request; a real provider cannot be made to)");
}

function maxTokensHonoured(obs: Observations): Verdict | null {
  const a = obs.answers.max_tokens;
  if (!a) return null;
  const expected = `finish reason length and at most ${MAX_TOKENS_LIMIT} output tokens`;
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const finish = a.finishReason ?? null;
  let tokens: number | null = null;
  let source = '';
  if (hasUsage(a)) {
    tokens = a.outputTokens;
    source = 'reported';
  } else if (a.localCountKind === 'exact' && a.localOutputTokens !== null) {
    tokens = a.localOutputTokens;
    source = 'counted by relaymon; no usage reported';
  }
  const got = `finish reason ${finish ?? 'none'}, ${tokens ?? '?'} output tokens${source ? ` (${source})` : ''}`;
  if (tokens !== null && tokens > MAX_TOKENS_LIMIT) return verdict('fail', a.requestId, expected, got);
  if (finish !== null && finish !== 'length') return verdict('fail', a.requestId, expected, got);
  if (finish === null) {
    return verdict('n/a', a.requestId, expected, truncated(a) ? `${got}: the stream ended without its terminator (see stream_terminated)` : `${got}: the answer gave no finish reason`);
  }
  if (tokens === null) return verdict('n/a', a.requestId, expected, `${got}: no usage reported (see usage_present) and relaymon's own count is an estimate`);
  return verdict('pass', a.requestId, expected, got);
}

/** Token-bearing chunks at least this far apart came in separate reads. */
const SEPARATE_READ_MS = 1;
/** Fewer visible tokens than this say nothing about streaming. */
export const MIN_STREAM_TOKENS = 8;
/** Separate reads an incremental stream shows at least. */
export const MIN_READS = 3;
/** The first-to-last token span must be at least this per token gap: no model streams faster than 1,000 tokens/s. */
export const MIN_MS_PER_TOKEN = 1;

function streamsIncrementally(obs: Observations): Verdict | null {
  const a = obs.answers.stream;
  if (!a) return null;
  const expected = `the answer over ≥ ${MIN_READS} separate reads, first to last token ≥ ${MIN_MS_PER_TOKEN} ms per token`;
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const tokens = hasUsage(a) ? a.outputTokens! : a.localOutputTokens;
  if (tokens === null || tokens < MIN_STREAM_TOKENS || a.firstTokenAt === null || a.lastTokenAt === null) {
    return verdict('n/a', a.requestId, expected, `${tokens ?? 0} output tokens: too short to tell (at least ${MIN_STREAM_TOKENS} needed)`);
  }
  const reads = 1 + a.chunkGapsMs.filter((g) => g >= SEPARATE_READ_MS).length;
  const spanMs = a.lastTokenAt - a.firstTokenAt;
  const got = `${tokens} tokens in ${reads} read${reads === 1 ? '' : 's'}, ${Math.round(spanMs)} ms from first to last token`;
  if (reads < MIN_READS || spanMs < MIN_MS_PER_TOKEN * (tokens - 1)) return verdict('fail', a.requestId, expected, `${got}: buffered`);
  return verdict('pass', a.requestId, expected, got);
}

/** A verdict from the client's own checks of one answer (client/checks.ts), by name prefix. */
function fromProbeChecks(a: AnswerFacts, prefix: string, expected: string, passText: string): Verdict {
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const mine = (a.checks ?? []).filter((c) => c.name.startsWith(prefix));
  if (mine.length === 0) {
    return verdict('n/a', a.requestId, expected, truncated(a) ? 'the stream ended without its terminator (see stream_terminated)' : 'nothing to check in the answer');
  }
  const failed = mine.find((c) => !c.ok);
  if (failed) return verdict('fail', a.requestId, expected, `${failed.name}: ${failed.detail}`);
  return verdict('pass', a.requestId, expected, passText);
}

function toolCallDeltas(obs: Observations): Verdict | null {
  const a = obs.answers.tools;
  if (!a) return null;
  return fromProbeChecks(a, 'tool_', 'a tool call with one stable id and index, arguments JSON that fit the schema', 'tool call assembled: id stable, index consistent, arguments valid');
}

function structuredOutput(obs: Observations): Verdict | null {
  const a = obs.answers.json;
  if (!a) return null;
  return fromProbeChecks(a, 'json_', 'an answer that parses as JSON and validates against the schema', 'JSON that validates against the schema');
}

function cacheReported(obs: Observations): Verdict | null {
  const first = obs.answers.cache_first;
  const second = obs.answers.cache_second;
  if (!second) return first ? (unanswered(first, 'cached input tokens reported') ?? null) : null;
  const expected = 'the second of two requests with the same long prefix reports cached input tokens';
  const bad = (first && unanswered(first, expected)) ?? unanswered(second, expected);
  if (bad) return bad;
  if (!hasUsage(second)) return verdict('n/a', second.requestId, expected, 'no usage reported (see usage_present)');
  const cached = second.cachedInputTokens ?? 0;
  const got = `${cached} cached of ${second.inputTokens ?? '?'} input tokens`;
  return verdict(cached > 0 ? 'pass' : 'fail', second.requestId, expected, got);
}

function reasoningPassthrough(obs: Observations): Verdict | null {
  const a = obs.answers.reasoning;
  if (!a) return null;
  const expected = `reasoning from "${a.model}": reasoning tokens in the usage, or reasoning text streamed`;
  // A refusal of the reasoning request proves nothing about passing reasoning through: the model may not reason there.
  if (a.httpStatus === 400 || a.httpStatus === 404 || a.httpStatus === 422) {
    return verdict('n/a', a.requestId, expected, `HTTP ${a.httpStatus} ${a.errorType ?? ''}: the relay refused the reasoning request (is "${a.model}" a reasoning model there? see --reasoning-model)`);
  }
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const tokens = a.reasoningTokens ?? 0;
  // A token on any channel before the first visible one, in a request without tools, was reasoning.
  const streamedFirst = a.firstTokenAt !== null && (a.firstContentAt === null || a.firstTokenAt < a.firstContentAt);
  if (tokens > 0 || streamedFirst) {
    return verdict('pass', a.requestId, expected, [tokens > 0 ? `${tokens} reasoning tokens` : '', streamedFirst ? 'reasoning text streamed' : ''].filter(Boolean).join(', '));
  }
  return verdict('fail', a.requestId, expected, 'no reasoning tokens reported and no reasoning text');
}

function errorShape(obs: Observations): Verdict | null {
  const r = obs.badRequest;
  if (!r) return null;
  const expected = 'HTTP 4xx with a JSON error body';
  if (r.status === null) return verdict('fail', r.requestId, expected, `no HTTP answer: ${r.networkError ?? 'error'}`);
  const ct = r.contentType.toLowerCase();
  const head = r.bodyHead.trimStart();
  const html = ct.includes('text/html') || /^<(!doctype|html|head|body)/i.test(head);
  const got = `HTTP ${r.status}${ct ? ` ${ct.split(';')[0]}` : ''}`;
  if (r.status < 400) return verdict('fail', r.requestId, expected, `${got}: a malformed request was accepted`);
  if (r.status >= 500) return verdict('fail', r.requestId, expected, `${got}: a server error for the client's mistake`);
  if (html) return verdict('fail', r.requestId, expected, `${got}: an HTML page`);
  let json = false;
  try {
    const parsed: unknown = JSON.parse(r.bodyHead);
    json = typeof parsed === 'object' && parsed !== null;
  } catch {
    json = false;
  }
  return json ? verdict('pass', r.requestId, expected, `${got} with a JSON body`) : verdict('fail', r.requestId, expected, `${got}: the body is not JSON`);
}

const JUDGES: Readonly<Record<ConformCheckName, (obs: Observations) => Verdict | null>> = {
  usage_present: usagePresent,
  usage_monotonic: usageMonotonic,
  model_echo: modelEcho,
  stream_terminated: streamTerminated,
  event_order: eventOrder,
  error_in_stream: errorInStream,
  max_tokens_honoured: maxTokensHonoured,
  streams_incrementally: streamsIncrementally,
  tool_call_deltas: toolCallDeltas,
  structured_output: structuredOutput,
  cache_reported: cacheReported,
  reasoning_passthrough: reasoningPassthrough,
  error_shape: errorShape,
};

/** The verdict of one check: judged from what came back, or n/a with why its requests were not sent. */
export function judge(name: ConformCheckName, obs: Observations, notSentExpected = 'its requests sent'): Verdict {
  return JUDGES[name](obs) ?? notSentVerdict(obs, CHECK_REQUESTS[name], notSentExpected);
}

/**
 * Judging: what came back (RequestResult-shaped facts, per planned request)
 * → one status and its evidence per check. Pure; each rule is written out in
 * docs/contracts.md "conform --json".
 *
 * A check judges only its own aspect: when what it needs is missing because
 * of another check's concern (no usage at all, a stream that never ended),
 * it is n/a and its evidence names that check, so one fault fails one check.
 */
import type { ConformCheckName } from './checks.js';
import { CHECK_REQUESTS, type RequestName } from './plan.js';
import { cutByOwnTimeout, hasUsage, ownTimeoutVerdict, unanswered, truncated, verdict, type AnswerFacts, type Observations, type Verdict } from './facts.js';
import { eventOrder, maxTokensHonoured, modelEcho, streamsIncrementally, streamTerminated, usageMonotonic, usagePresent } from './judge-stream.js';

export { endlessBody } from './facts.js';
export type { AnswerFacts, Evidence, FaultAnswer, Observations, RawAnswer, Verdict } from './facts.js';
export { MIN_MS_PER_TOKEN, MIN_READS, MIN_STREAM_TOKENS } from './judge-stream.js';

function notSentVerdict(obs: Observations, names: readonly RequestName[], expected: string): Verdict {
  const why = names.map((n) => obs.notSent[n]).find((w) => w !== undefined) ?? 'not sent';
  return verdict('n/a', null, expected, why);
}

/**
 * Ends of a 200 stream that are not an error event passed on: the stream cut,
 * stalled or undecodable, or relaymon's own cut. Any other error type on a 200
 * came from an in-band error event (stream_error, or one the protocol
 * classified further: overloaded, rate_limited, server_error …).
 */
const NOT_IN_BAND: ReadonlySet<string> = new Set(['stream_truncated', 'timeout', 'connection_reset', 'bad_response', 'cancelled', 'response_too_large']);

function errorInStream(obs: Observations): Verdict | null {
  const a = obs.streamError;
  if (!a) return null;
  const expected = 'the error the upstream sent mid-stream reaches the client as an in-band error event';
  const inBand = !a.ok && a.httpStatus !== null && a.httpStatus < 300 && a.errorType !== null && !NOT_IN_BAND.has(a.errorType);
  if (inBand) return verdict('pass', a.requestId, expected, `${a.errorType}: ${a.errorMessage ?? ''}`.trim());
  // relaymon's own timeout cut the stream before the error came: nothing to judge (a fault it did see came first).
  if (cutByOwnTimeout(a)) return ownTimeoutVerdict(a, expected);
  if (a.injected && a.ok) return verdict('fail', a.requestId, expected, 'the stream ended normally: the error was swallowed');
  if (a.injected) return verdict('fail', a.requestId, expected, `${a.errorType ?? 'an error'} instead: ${a.errorMessage ?? ''}`.trim());
  const bad = unanswered(a, expected);
  if (bad) return bad;
  return verdict('n/a', a.requestId, expected, 'the upstream did not fail (only relaymon mock fails on request; a real provider cannot be made to)');
}

function fromProbeChecks(a: AnswerFacts, prefix: string, expected: string, passText: string): Verdict {
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const mine = a.checks.filter((c) => c.name.startsWith(prefix));
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
  // The client's own check saw the reasoning text itself, whenever it arrived (client/checks.ts).
  const seen = a.checks.find((c) => c.name === 'reasoning_reported');
  if (seen?.ok === true) return verdict('pass', a.requestId, expected, seen.detail);
  const tokens = a.reasoningTokens ?? 0;
  // A token on any channel before the first visible one, in a request without tools, was reasoning.
  const streamedFirst = a.firstTokenAt !== null && (a.firstContentAt === null || a.firstTokenAt < a.firstContentAt);
  if (tokens > 0 || streamedFirst) {
    return verdict('pass', a.requestId, expected, [tokens > 0 ? `${tokens} reasoning tokens` : '', streamedFirst ? 'reasoning text streamed' : ''].filter(Boolean).join(', '));
  }
  // Without usage the reasoning count cannot be seen; usage_present or stream_terminated already says why.
  if (truncated(a)) return verdict('n/a', a.requestId, expected, 'no reasoning text, and the stream ended without its terminator (see stream_terminated)');
  if (!hasUsage(a)) return verdict('n/a', a.requestId, expected, 'no reasoning text, and no usage to count reasoning tokens in (see usage_present)');
  return verdict('fail', a.requestId, expected, 'no reasoning tokens reported and no reasoning text');
}

function errorShape(obs: Observations): Verdict | null {
  const r = obs.badRequest;
  if (!r) return null;
  const expected = 'HTTP 4xx with a JSON error body';
  // As for the measured requests (facts.ts cutByOwnTimeout): relaymon's cut is no evidence of the relay's error shape.
  if (r.ownTimeout === true) return verdict('n/a', r.requestId, expected, `request failed: relaymon's own timeout cut it: ${r.networkError ?? 'timeout'}; judged nothing`);
  if (r.status === null) return verdict('fail', r.requestId, expected, r.networkError?.startsWith('no ') ? r.networkError : `no HTTP answer: ${r.networkError ?? 'error'}`);
  if (r.networkError !== null) return verdict('fail', r.requestId, expected, r.networkError);
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

/**
 * What the conform judges read and return: the facts of each answer (a
 * RequestResult's fields), the observations of one protocol, a verdict with
 * its evidence, and the helpers every judge shares. Pure.
 */
import type { Protocol, RequestResult } from '../core/result.js';
import type { ConformStatus } from './checks.js';
import type { RequestName } from './plan.js';

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
  | 'chunks'
  | 'finishReason'
  | 'checks'
> & {
  /** The response's content-type, when run/conform saw the headers (a stream request answered with no event stream). */
  contentType?: string | null;
  /** The longest stall of relaymon's own event loop while this answer streamed, ms (run/conform measures it for the judged stream). */
  loopStallMs?: number;
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
  /** relaymon's own timeout cut the exchange (networkError says which limit): evidence of nothing. */
  ownTimeout?: boolean;
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
export function terminator(p: Protocol): string {
  return TERMINATOR[p] ?? 'response.completed or response.incomplete';
}

export const verdict = (status: ConformStatus, requestId: string | null, expected: string, got: string): Verdict => ({ status, evidence: { requestId, expected, got } });

/** undici's own wording of its timeouts, said plainly. */
export function plainError(errorType: string | null, message: string | null): string {
  const m = message ?? '';
  if (/UND_ERR_HEADERS_TIMEOUT|Headers Timeout/i.test(m)) return 'no response headers within the timeout';
  if (/UND_ERR_BODY_TIMEOUT|Body Timeout/i.test(m)) return 'the body stalled past the timeout';
  if (m.startsWith('no response headers within')) return m;
  return `${errorType ?? 'error'}${m ? `: ${m}` : ''}`;
}

/**
 * relaymon's own timers (connect, first token, idle, total: client/execute.ts)
 * cut the request: what came before the cut is no evidence either way (a stream
 * cut by --timeout did not "end without its terminator", relaymon ended it).
 */
export const cutByOwnTimeout = (a: AnswerFacts): boolean => a.errorType === 'timeout';

/**
 * "request failed: relaymon's own timeout cut it after HTTP 200: total timeout
 * after 1500 ms; judged nothing". The "request failed: …; judged nothing" frame
 * is the contract's (docs/contracts.md "conform --json"; evaluate's
 * missingEvidence reads it); inside it, whether the relay had answered.
 */
export function ownTimeoutVerdict(a: AnswerFacts, expected: string): Verdict {
  const when = a.httpStatus === null ? 'before any HTTP answer' : `after HTTP ${a.httpStatus}`;
  const why = plainError(null, a.errorMessage).replace(/^error(: )?/, '');
  return verdict('n/a', a.requestId, expected, `request failed: relaymon's own timeout cut it ${when}${why ? `: ${why}` : ''}; judged nothing`);
}

/** The evidence of an error answer whose body did not end within the limit: "HTTP 400 and a body that …" (the report says "got" before it). */
export const endlessBody = (status: number, limit: string): string => `HTTP ${status} and a body that did not end within ${limit}`;

/**
 * A request that failed (an HTTP error, no HTTP answer) or that relaymon's own
 * timeout cut says nothing about the check that reads it: n/a. An answer that
 * could not be read as the protocol (bad_response) or an error inside the
 * stream is the relay's fault: fail.
 */
export function unanswered(a: AnswerFacts, expected: string): Verdict | null {
  if (cutByOwnTimeout(a)) return ownTimeoutVerdict(a, expected);
  if (a.httpStatus === null) return verdict('n/a', a.requestId, expected, `request failed: no HTTP answer: ${plainError(a.errorType, a.errorMessage)}; judged nothing`);
  if (a.httpStatus >= 300) return verdict('n/a', a.requestId, expected, `request failed: HTTP ${a.httpStatus} ${plainError(a.errorType, a.errorMessage)}; judged nothing`);
  if (a.errorType === 'bad_response') return verdict('fail', a.requestId, expected, `an answer that is not the protocol's: ${a.errorMessage ?? 'unreadable'}`);
  if (a.errorType === 'stream_error') return verdict('fail', a.requestId, expected, `an error inside the stream: ${a.errorMessage ?? ''}`.trim());
  return null;
}

/** "the stream" for the request named stream, "the tools stream" for the others. */
export const streamName = (name: string): string => (name === 'stream' ? 'the stream' : `the ${name} stream`);

/** A stream request answered with something that is not an event stream (text/html, one JSON body): its content-type. */
export function notEventStream(a: AnswerFacts): string | null {
  if (!a.stream || a.httpStatus === null || a.httpStatus >= 300) return null;
  const ct = (a.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (a.contentType !== undefined && a.contentType !== null && ct !== 'text/event-stream') return ct || 'no content-type';
  if (a.contentType === undefined && a.chunks === 0 && a.firstTokenAt === null && a.errorType === 'bad_response') return 'an unreadable body';
  return null;
}

// A stream relaymon's own timeout cut is not truncated by the relay (cutByOwnTimeout).
export const truncated = (a: AnswerFacts): boolean => !cutByOwnTimeout(a) && (a.errorType === 'stream_truncated' || a.streamViolations.includes('unterminated'));
export const hasUsage = (a: AnswerFacts): boolean => a.usageSource === 'reported' && a.outputTokens !== null;

/** The worst of several verdicts (fail, then n/a, then pass); the first of that status. */
export function worst(vs: readonly Verdict[]): Verdict {
  for (const status of ['fail', 'n/a', 'pass'] as const) {
    const v = vs.find((x) => x.status === status);
    if (v) return v;
  }
  throw new Error('worst() of no verdicts');
}

/** The streamed answers a stream-wide check looks at (stream_error is broken on purpose). */
export function streamedAnswers(obs: Observations): [RequestName, AnswerFacts][] {
  return Object.entries(obs.answers).filter((e): e is [RequestName, AnswerFacts] => e[1] !== undefined && e[1].stream);
}


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
  | 'finishReason'
  | 'checks'
>;

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
export function terminator(p: Protocol): string {
  return TERMINATOR[p] ?? 'response.completed or response.incomplete';
}

export const verdict = (status: ConformStatus, requestId: string | null, expected: string, got: string): Verdict => ({ status, evidence: { requestId, expected, got } });

/** A request that got no usable HTTP answer fails whatever check reads it. */
export function unanswered(a: AnswerFacts, expected: string): Verdict | null {
  if (a.httpStatus === null) return verdict('fail', a.requestId, expected, `no HTTP answer: ${a.errorType ?? 'error'}: ${a.errorMessage ?? ''}`.trim());
  if (a.httpStatus >= 300) return verdict('fail', a.requestId, expected, `HTTP ${a.httpStatus} ${a.errorType ?? ''}: ${a.errorMessage ?? ''}`.trim());
  if (a.errorType === 'stream_error') return verdict('fail', a.requestId, expected, `an error inside the stream: ${a.errorMessage ?? ''}`.trim());
  return null;
}

export const truncated = (a: AnswerFacts): boolean => a.errorType === 'stream_truncated' || a.streamViolations.includes('unterminated');
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


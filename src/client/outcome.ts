/**
 * What a finished response amounts to, once its bytes are in: the outcome of
 * a stream from what its events said, of a whole body from its status and
 * JSON. Pure: execute.ts does the I/O and the clock, this reads what it got.
 */
import type { ProtocolAdapter } from '../protocol/adapter.js';
import { classifyHttpError, looksLikeHtml } from '../protocol/http-errors.js';
import type { ResponseAccumulator } from './accumulate.js';
import type { Outcome } from './result-builder.js';
import { GracePeriodOver } from '../core/stop.js';

/** Errors that end a request while its connection is being opened (DNS, TCP, TLS, the connect timer). */
export function opensConnection(outcome: Extract<Outcome, { kind: 'error' }>): boolean {
  return outcome.errorType === 'connection_refused' || outcome.errorType === 'dns' || outcome.errorType === 'tls' || outcome.timeoutPhase === 'connect';
}

export function streamOutcome(acc: ResponseAccumulator): Outcome {
  if (acc.error) return { kind: 'error', errorType: acc.error.errorType, message: acc.error.message, timeoutPhase: null };
  if (!acc.done) {
    return { kind: 'error', errorType: 'stream_truncated', timeoutPhase: null, message: 'stream ended without its terminator' };
  }
  // A terminator with nothing before it (`data: [DONE]` alone, a bare
  // message_stop) is a relay that answered nothing, not an empty answer: a
  // real one says at least why it ended. Read as ok it would pass latency
  // thresholds with the relay's fastest-ever "answers".
  if (acc.firstTokenAt === null && acc.toolCalls.length === 0 && acc.finishReason === null) {
    return { kind: 'error', errorType: 'bad_response', timeoutPhase: null, message: 'stream ended with its terminator and no answer before it (no token, tool call or finish reason)' };
  }
  return { kind: 'ok' };
}

export function wholeBodyOutcome(
  adapter: ProtocolAdapter,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  acc: ResponseAccumulator,
  at: number,
  streamRequested: boolean,
): Outcome {
  if (status >= 400) {
    const c = classifyHttpError(status, headers, text);
    return { kind: 'error', errorType: c.errorType, message: c.message, timeoutPhase: null, retryAfterMs: c.retryAfterMs };
  }
  if (status >= 300) {
    const location = headers['location'];
    return { kind: 'error', errorType: 'bad_response', timeoutPhase: null, message: `HTTP ${status} redirect${location ? ` to ${String(location)}` : ''}: check baseUrl` };
  }
  const contentType = String(headers['content-type'] ?? '');
  if (looksLikeHtml(contentType, text.slice(0, 512))) {
    return { kind: 'error', errorType: 'bad_response', timeoutPhase: null, message: `HTTP ${status} with an HTML page instead of JSON` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'error', errorType: 'bad_response', timeoutPhase: null, message: `HTTP ${status} with a body that is not JSON${streamRequested ? ' or SSE' : ''}` };
  }
  const err = acc.apply(adapter.decodeBody(json), at);
  if (err) return { kind: 'error', errorType: err.errorType, message: err.message, timeoutPhase: null };
  return { kind: 'ok' };
}

/** Where a request stood when the run's signal cut it (performance.now() instants). */
export interface StopFacts {
  now: number;
  sentAt: number;
  /** The last instant bytes arrived (the send, before any). */
  lastByteAt: number;
  firstTokenAt: number | null;
  /** It got a connection (its headers were written). */
  connected: boolean;
  target: string;
}

/** What a request cut by the run's abort signal amounts to: cancelled, unless the relay had failed it already. */
export function stoppedOutcome(reason: unknown, f: StopFacts): Extract<Outcome, { kind: 'error' }> {
  // The relay's failure, not our cut (core/stop.ts says when): a stream that went silent for the whole grace
  // period, or a first token that had not come after longer than any answer this target gave.
  if (reason instanceof GracePeriodOver) {
    const silentMs = f.now - f.lastByteAt;
    const waitedMs = f.now - f.sentAt;
    if (f.firstTokenAt !== null && silentMs >= reason.graceMs) {
      return { kind: 'error', errorType: 'timeout', timeoutPhase: 'idle', message: `stream stalled: no data for ${Math.round(silentMs)} ms when the run stopped` };
    }
    // Never got a connection through the whole grace period (every request in flight at its end was sent
    // before the stop that started it; no waited-time test, which a timer firing a ms early would fail):
    // the connect timer, as long as the grace by default, lost the race by a tick. It is the relay's
    // failure whatever its answers took.
    if (!f.connected) {
      return { kind: 'error', errorType: 'timeout', timeoutPhase: 'connect', message: `no connection after ${Math.round(waitedMs)} ms when the run stopped` };
    }
    if (f.firstTokenAt === null && reason.outwaitedEveryAnswer(f.target, waitedMs)) {
      const message = `no first token after ${Math.round(waitedMs)} ms when the run stopped, longer than any answer this target gave in the run`;
      return { kind: 'error', errorType: 'timeout', timeoutPhase: 'first_token', message };
    }
  }
  return { kind: 'error', errorType: 'cancelled', timeoutPhase: null, message: 'the run stopped before its answer ended' };
}

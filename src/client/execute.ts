import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { ResolvedTarget } from '../core/target.js';
import type { ErrorType, RequestResult, TimeoutPhase } from '../core/result.js';
import type { RequestSpec, WireEvent } from '../protocol/adapter.js';
import { adapterFor } from '../protocol/index.js';
import { createSseFramer, decodeFramed, type SseFramer } from '../protocol/sse.js';
import { looksLikeHtml, notFoundHint } from '../protocol/http-errors.js';
import { classifyNetworkError } from '../protocol/network-errors.js';
import { cancelSendHeaders, expectSendHeaders, type ConnectionTiming } from './connections.js';
import { builtBody, chatUrl, requestHeaders } from './request-cache.js';
import { onAbort } from '../core/abort-fanout.js';
import { ResponseAccumulator } from './accumulate.js';
import { bodyDecoder, type BodyDecoder } from './decode.js';
import type { Outcome, ResponseFacts } from './result-builder.js';
import { opensConnection, stoppedOutcome, streamOutcome, wholeBodyOutcome } from './outcome.js';
import { ResultPublisher } from './counting.js';
import type { PriceTable } from '../pricing/table.js';
import { StreamConformance } from '../honesty/conformance.js';
import type { FingerprintTracker } from '../honesty/fingerprint.js';
import { tokenCounter } from '../tokens/counter.js';

export interface ExecuteOptions {
  /** performance.now() instant the request was meant to go out (open-loop schedule). Defaults to now. */
  scheduledAt?: number;
  probe?: string | null;
  signal?: AbortSignal;
  /** Remembers each target × model's last system_fingerprint, to flag changes (RelayClient keeps one per client). */
  fingerprints?: FingerprintTracker;
  /** Publishes results in completion order once counted (RelayClient keeps one per client). */
  publisher?: ResultPublisher;
  /** Extra request headers, after the target's own (`relaymon conform` sends its fault header). */
  headers?: Record<string, string>;
  /** Sees the response headers as they arrive (`relaymon conform` reads the mock's fault acknowledgement). */
  onResponseHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  /**
   * Called once with the instant the request really left (the result's sentAt: its headers written, or its
   * connect started), as it leaves; a request that never left reports its dispatch instant when it settles.
   * The engine measures send lateness with it, so that a send held up anywhere on its way out shows.
   */
  onSent?: (sentAt: number) => void;
  /** false: the model's count tables are not loaded before the answer (RelayClient's countAfterAnswer). */
  warmCount?: boolean;
}

/**
 * A microtask without queueMicrotask's cost: Node wraps each callback queued that way in an
 * AsyncResource and a bound function (~0.3 µs more than a reaction on a settled promise); a request
 * queues one or two. Same queue, same order.
 */
const RESOLVED = Promise.resolve();

/** Error bodies are read for their message only; more than this is noise. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

type Phase = 'connecting' | 'waiting' | 'streaming';

/**
 * Sends one request and resolves one RequestResult, whatever the relay or
 * the network does; never retries. The one exception is relaymon's own bug:
 * undici refusing an argument relaymon gave it is thrown as an
 * OwnArgumentError (protocol/network-errors.ts), never booked as the
 * relay's. Uses undici's handler API directly so that every instant is taken
 * in the callback where the bytes arrive, not after stream plumbing.
 */
export function executeRequest(
  dispatcher: Dispatcher,
  target: ResolvedTarget,
  spec: RequestSpec,
  prices: PriceTable,
  options: ExecuteOptions = {},
): Promise<RequestResult> {
  const adapter = adapterFor(target.protocol);
  const { sentBody, body } = builtBody(adapter, spec);
  // Every result is reconciled against a local token count, made in the
  // count host on the main thread (client/counting.ts, tokens/count-host.ts). A
  // model of another encoding has its tables loaded there now, off this thread.
  if (options.warmCount !== false) void tokenCounter().warm(spec.model);
  const url = chatUrl(target, adapter);
  const headers = requestHeaders(target, adapter, spec.stream, options.headers);

  return new Promise<RequestResult>((resolve) => {
    const acc = new ResponseAccumulator();
    const conformance = spec.stream ? new StreamConformance(target.protocol) : null;
    let startedAt = Date.now();
    const dispatchedAt = performance.now();
    // Moved to the instant undici really sends (connections.ts): a wait for a connection is queueMs, never TTFB.
    let sentAt = dispatchedAt;
    const scheduledAt = options.scheduledAt ?? dispatchedAt;
    let phase: Phase = 'connecting';
    let settled = false;
    let controller: Dispatcher.DispatchController | null = null;
    let timing: ConnectionTiming = { newConnection: false, connectMs: null, sendAt: null, reads: null };
    // When the bytes being parsed now arrived: the socket's read stamp (connections.ts), once this request
    // has been written on it (an older stamp is another answer's), else now.
    const arrivedAt = (): number => {
      const now = performance.now();
      const at = timing.reads?.at ?? -Infinity;
      return at >= sentAt && at <= now ? at : now;
    };
    let status: number | null = null;
    let responseHeaders: Record<string, string | string[] | undefined> = {};
    let headersAt: number | null = null;
    // True while undici is still parsing the socket read that carried the headers: body bytes parsed in that
    // same read arrived with the headers, at headersAt, not when the header callbacks were done with them.
    let headersRead = false;
    let bytes = 0;
    // The last instant bytes arrived (the send, before any): a stream silent for the whole grace period was stalled.
    let lastByteAt = sentAt;
    let isSse = spec.stream;
    let sniffed = false;
    const bodyChunks: Buffer[] = [];
    let firstTokenTimer: NodeJS.Timeout | null = null;
    // A gzip/deflate/br body is decoded before it is read; its bytes keep the instant they arrived (rawAt).
    let unzip: BodyDecoder | null = null;
    let rawAt = sentAt;
    let decodedBytes = 0;
    let idleTimer: NodeJS.Timeout | null = null;

    // Made on the first event-stream bytes: a JSON answer never needs them.
    let framer: SseFramer | null = null;
    const newFramer = (): SseFramer => {
      const decoder = adapter.newStreamDecoder();
      return createSseFramer((ev) => {
        if (settled) return;
        const events: WireEvent[] = decodeFramed(decoder, ev);
        conformance?.event(ev, events);
        if (events.length === 0) return;
        const err = acc.apply(events, chunkAt);
        if (acc.firstTokenAt !== null) clearFirstTokenTimer();
        if (err) finish({ kind: 'error', errorType: err.errorType, message: err.message, timeoutPhase: null }, performance.now(), true);
      });
    };
    // The arrival instant of the bytes being framed right now; events framed from them share it.
    let chunkAt = sentAt;

    const clearFirstTokenTimer = (): void => {
      if (firstTokenTimer) clearTimeout(firstTokenTimer);
      firstTokenTimer = null;
    };
    // Set while the read that carried the headers is parsed and the idle clock is to start: started when undici
    // is done with that read, unless the answer ended in it (most whole answers do), which then needs no timer.
    let idleWanted = false;
    const armIdle = (): void => {
      // refresh() restarts the same timer from now: what clearing it and setting a new one did, without a new timer.
      if (idleTimer) idleTimer.refresh();
      else if (headersRead) idleWanted = true;
      else idleTimer = setTimeout(() => timeout('idle', target.timeouts.idleMs), target.timeouts.idleMs);
    };
    const totalFrom = (start: number, now: number): NodeJS.Timeout =>
      setTimeout(() => timeout('total', target.timeouts.totalMs), Math.max(0, start + target.timeouts.totalMs - now));
    // A whole answer's first-token timer runs until its headers, and until then it fires before the total one
    // unless the total is the shorter: its total timer is started after the headers' read then (from the send,
    // so at the same deadline), and not at all when the answer ended in that read, as most do. One timer fewer
    // per request (a setTimeout and a clearTimeout, ~0.4 µs).
    let totalTimer: NodeJS.Timeout | null =
      spec.stream || target.timeouts.firstTokenMs > target.timeouts.totalMs ? totalFrom(dispatchedAt, dispatchedAt) : null;
    firstTokenTimer = setTimeout(() => timeout('first_token', target.timeouts.firstTokenMs), target.timeouts.firstTokenMs);
    // The phase timeouts are the relay's: they run from the instant the request really left, like latencyMs,
    // so a wait inside relaymon neither eats into them nor shows as a relay timeout.
    const rearmFromSend = (): void => {
      if (settled) return;
      const now = performance.now();
      // The send is the instant just taken: timers count whole ms from the loop's clock, so restarting them from
      // now is the same deadline, without two new timers.
      if (now - sentAt < 0.5) {
        totalTimer?.refresh();
        firstTokenTimer?.refresh();
        return;
      }
      if (totalTimer) {
        clearTimeout(totalTimer);
        totalTimer = totalFrom(sentAt, now);
      }
      if (firstTokenTimer) {
        clearTimeout(firstTokenTimer);
        firstTokenTimer = setTimeout(() => timeout('first_token', target.timeouts.firstTokenMs), Math.max(0, sentAt + target.timeouts.firstTokenMs - now));
      }
    };

    function timeout(which: TimeoutPhase, ms: number): void {
      const label = { connect: 'connect', first_token: 'first token', idle: 'idle gap', total: 'total' }[which];
      finish({ kind: 'error', errorType: 'timeout', timeoutPhase: which, message: `${label} timeout after ${ms} ms` }, performance.now(), true);
    }

    const onAbortSignal = (): void => {
      const now = performance.now();
      const stop = { now, sentAt, lastByteAt, firstTokenAt: acc.firstTokenAt, connected: timing.sendAt !== null, target: target.name };
      finish(stoppedOutcome(options.signal?.reason, stop), now, true);
    };
    let sentReported = options.onSent === undefined;
    const reportSent = (): void => {
      if (sentReported) return;
      sentReported = true;
      options.onSent?.(sentAt);
    };
    let offAbort: (() => void) | null = null;
    if (options.signal) {
      if (options.signal.aborted) queueMicrotask(onAbortSignal);
      else offAbort = onAbort(options.signal, onAbortSignal);
    }

    function finish(outcome: Outcome, endAt: number, abort: boolean): void {
      if (settled) return;
      settled = true;
      reportSent();
      if (totalTimer) clearTimeout(totalTimer);
      clearFirstTokenTimer();
      if (idleTimer) clearTimeout(idleTimer);
      offAbort?.();
      if (abort && controller && !controller.aborted) controller.abort(new Error('relaymon: request ended early'));
      if (phase === 'connecting') cancelSendHeaders();
      // A request that failed opening its connection did try a new one: read as
      // "reused, no connect time" it would hide a connect problem behind the pool.
      if (timing.sendAt === null && outcome.kind === 'error' && opensConnection(outcome)) timing = { ...timing, newConnection: true, connectMs: null };
      unzip?.destroy();
      const facts: ResponseFacts = {
        target,
        spec,
        probe: options.probe ?? null,
        startedAt,
        scheduledAt,
        sentAt,
        headersAt,
        endAt,
        status,
        headers: responseHeaders,
        bytes,
        sse: isSse,
        timing,
        acc,
        sentBody,
        conformance,
        fingerprints: options.fingerprints ?? null,
      };
      resolve((options.publisher ?? new ResultPublisher()).publish(facts, outcome, prices, options.signal));
    }

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctl) {
        controller = ctl;
        if (settled) {
          // Timed out or cancelled while waiting for a connection.
          ctl.abort(new Error('relaymon: request ended early'));
          return;
        }
        expectSendHeaders((t) => {
          timing = t;
          if (t.sendAt !== null && t.sendAt > sentAt) {
            startedAt += t.sendAt - sentAt;
            sentAt = t.sendAt;
            lastByteAt = Math.max(lastByteAt, sentAt);
            // After undici has written the request: this callback runs between the send instant and the write.
            // A send within a ms of the dispatch keeps the timers set at the dispatch: they count whole ms from
            // the loop's clock, which moves by less than that in between (usually not at all: the same loop turn,
            // or undici's setImmediate check of an idle socket), so restarting them moved no deadline by a whole
            // ms, at two timer re-inserts per request (node:internal/timers `active`, bench/client-loop.mjs profile).
            if (t.sendAt - dispatchedAt >= 1) void RESOLVED.then(rearmFromSend);
          }
          // Also after the write (the lateness it reports is sentAt's, taken already).
          if (!sentReported) void RESOLVED.then(reportSent);
        });
      },
      onResponseStart(_ctl, statusCode, hdrs) {
        if (settled) return;
        headersAt = arrivedAt();
        headersRead = true;
        // undici parses a read and calls back synchronously: the first microtask runs after that read is parsed.
        void RESOLVED.then(() => {
          headersRead = false;
          if (settled) return;
          if (totalTimer === null) totalTimer = totalFrom(sentAt, performance.now());
          if (idleWanted) armIdle();
        });
        phase = 'waiting';
        status = statusCode;
        responseHeaders = hdrs as Record<string, string | string[] | undefined>;
        options.onResponseHeaders?.(responseHeaders);
        const ct = String(responseHeaders['content-type'] ?? '').toLowerCase();
        // A relay that ignores stream:true and answers JSON is read as a whole body.
        if (statusCode >= 300 || ct.includes('application/json')) isSse = false;
        if (!spec.stream || statusCode >= 300) clearFirstTokenTimer();
        if (!isSse) armIdle();
        unzip = bodyDecoder(
          responseHeaders['content-encoding'],
          (decoded) => {
            // The decoded size is what gets parsed: a small gzip body can inflate without bound.
            decodedBytes += decoded.length;
            if (decodedBytes > target.maxResponseBytes) {
              finish({ kind: 'error', errorType: 'response_too_large', timeoutPhase: null, message: `decoded response exceeded ${target.maxResponseBytes} bytes` }, performance.now(), true);
            } else consume(decoded, rawAt);
          },
          // An error status is classified by its status whatever its body (which may be cut at MAX_ERROR_BODY_BYTES).
          (message) =>
            statusCode >= 300
              ? complete(performance.now())
              : finish({ kind: 'error', errorType: 'bad_response', timeoutPhase: null, message: `HTTP ${statusCode}: ${message}` }, performance.now(), true),
        );
      },
      onResponseData(_ctl, chunk) {
        if (settled) return;
        const at = headersRead && headersAt !== null ? headersAt : arrivedAt();
        lastByteAt = at;
        bytes += chunk.length;
        phase = 'streaming';
        const limit = status !== null && status >= 300 ? MAX_ERROR_BODY_BYTES : target.maxResponseBytes;
        if (bytes > limit) {
          if (status !== null && status >= 300) return; // keep what we have of an error body
          finish({ kind: 'error', errorType: 'response_too_large', timeoutPhase: null, message: `response exceeded ${target.maxResponseBytes} bytes` }, at, true);
          return;
        }
        if (unzip) {
          rawAt = at;
          unzip.push(chunk);
          if (!isSse) armIdle();
          return;
        }
        consume(chunk, at);
      },
      onResponseEnd() {
        if (settled) return;
        const at = arrivedAt();
        if (unzip) unzip.end(() => complete(at));
        else complete(at);
      },
      onResponseError(_ctl, err) {
        if (settled) return;
        const c = classifyNetworkError(err);
        finish({ kind: 'error', errorType: c.errorType, timeoutPhase: c.timeoutPhase, message: c.message }, performance.now(), false);
      },
    };

    /** Bytes of the body as the protocol readers see them (decoded when the body was encoded). */
    function consume(chunk: Buffer, at: number): void {
      if (settled) return;
      if (!sniffed) {
        sniffed = true;
        if (isSse && looksLikeHtml(String(responseHeaders['content-type'] ?? ''), chunk.subarray(0, 512).toString('utf8'))) {
          isSse = false;
        }
      }
      if (!isSse) {
        armIdle();
        bodyChunks.push(chunk);
        return;
      }
      chunkAt = at;
      (framer ??= newFramer()).push(chunk);
      // The idle clock starts with the first token; before it, the first-token timeout governs.
      if (!settled && acc.firstTokenAt !== null) armIdle();
    }

    function complete(at: number): void {
      if (settled) return;
      if (isSse) {
        (framer ??= newFramer()).end();
        if (settled) return;
        finish(streamOutcome(acc), at, false);
        return;
      }
      const whole = bodyChunks.length === 1 ? bodyChunks[0]! : Buffer.concat(bodyChunks);
      const outcome = wholeBodyOutcome(adapter, status ?? 0, responseHeaders, whole.toString('utf8'), acc, at, spec.stream);
      if (outcome.kind === 'error' && outcome.errorType === 'not_found') outcome.message += notFoundHint(target.baseUrl);
      finish(outcome, at, false);
    }

    try {
      dispatcher.dispatch(
        { origin: url.origin, path: url.path, method: 'POST', headers, body },
        handler,
      );
    } catch (err) {
      const c = classifyNetworkError(err);
      finish({ kind: 'error', errorType: c.errorType, timeoutPhase: c.timeoutPhase, message: c.message }, performance.now(), false);
    }
  });
}

export type { ErrorType };

/**
 * The I/O of `relaymon conform` for one target × protocol: the planned
 * requests through the measuring client (src/client), the malformed body as
 * a raw request, the spend guard before each send. What came back goes to
 * the pure judges (src/conform/judge.ts) as Observations.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import { formatLimit, undiciTimeoutMs } from '../core/units.js';
import { RelayClient } from '../client/index.js';
import { endpointUrl } from '../client/connections.js';
import { adapterFor, classifyNetworkError, requestIds } from '../protocol/index.js';
import { headerValue } from '../protocol/headers.js';
import { SpendGuard } from '../traffic/budget.js';
import { VERSION } from '../version.js';
import { MOCK_INJECTED_HEADER, type PlannedRequest, type RequestName } from '../conform/plan.js';
import { endlessBody, type AnswerFacts, type Observations, type RawAnswer } from '../conform/judge.js';

/** What the whole suite shares while it sends: why it stopped, and what answered. */
export interface SendState {
  /** Set once sending must stop (the budget, an interrupt): every later request is n/a with this reason. */
  stopped: string | null;
  sent: number;
  answered: number;
  /** Requests the spend guard refused (each priced on its own: a cheaper one after a refused one still goes). */
  refused: number;
  /** Why the last refused request was refused. */
  refusedWhy: string | null;
  signal: AbortSignal;
}

/** Read through a call: the state changes while a request is in flight, which narrowing cannot see. */
function stopReason(state: SendState): string {
  return state.stopped ?? 'not finished';
}

/** How finely relaymon's own event-loop delay is sampled during the judged stream, ms. */
const LOOP_RESOLUTION_MS = 2;

/**
 * relaymon's own event-loop stalls while a stream is read: a timer that
 * should fire every LOOP_RESOLUTION_MS records each late firing as a stall
 * [start, end] on the clock the client stamps its reads with.
 */
class LoopStalls {
  private readonly stalls: [number, number][] = [];
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    if (now - this.last > 2 * LOOP_RESOLUTION_MS) this.stalls.push([this.last, now]);
    this.last = now;
  }, LOOP_RESOLUTION_MS);

  stop(): void {
    clearInterval(this.timer);
    const now = performance.now();
    if (now - this.last > 2 * LOOP_RESOLUTION_MS) this.stalls.push([this.last, now]);
  }

  /** The longest stall that ended at or after the first token and began before the last one: the reads it may have merged. */
  during(first: number | null, last: number | null): number {
    if (first === null || last === null) return 0;
    const slack = 2 * LOOP_RESOLUTION_MS;
    return this.stalls.filter(([s, e]) => e >= first - slack && s <= last + slack).reduce((m, [s, e]) => Math.max(m, e - s), 0);
  }
}

/** Error bodies are read for their shape only. */
const MAX_RAW_BODY_CHARS = 4096;

async function sendRaw(target: ResolvedTarget, body: Record<string, unknown>, signal: AbortSignal): Promise<RawAnswer> {
  const adapter = adapterFor(target.protocol);
  const url = endpointUrl(target.baseUrl, adapter.chatPath);
  const headers = {
    ...adapter.headers(target.apiKey, target.apiKeyHeader),
    ...target.headers,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': `relaymon/${VERSION}`,
  };
  // The whole exchange, headers and body, within the target's first-token and total timeouts: an endless answer ends here.
  const limitMs = Math.min(target.timeouts.totalMs, target.timeouts.firstTokenMs);
  const agent = new Agent({ connectTimeout: undiciTimeoutMs(target.timeouts.connectMs), headersTimeout: undiciTimeoutMs(limitMs), bodyTimeout: undiciTimeoutMs(limitMs) });
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(), limitMs);
  const limit = formatLimit(limitMs);
  let status: number | null = null;
  try {
    const res = await request(url, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: agent, signal: AbortSignal.any([signal, timer.signal]) });
    status = res.statusCode;
    const h = res.headers as Record<string, string | string[] | undefined>;
    let text = '';
    let endless = false;
    try {
      for await (const chunk of res.body) {
        text += Buffer.from(chunk as Uint8Array).toString('utf8');
        if (text.length > MAX_RAW_BODY_CHARS) break;
      }
    } catch (err) {
      if (!timer.signal.aborted) throw err;
      endless = true;
    } finally {
      res.body.destroy();
    }
    return {
      status: res.statusCode,
      contentType: headerValue(h, 'content-type') ?? '',
      bodyHead: text.slice(0, MAX_RAW_BODY_CHARS),
      requestId: requestIds(h).primary,
      networkError: endless ? endlessBody(res.statusCode, limit) : null,
      ownTimeout: endless,
    };
  } catch (err) {
    if (timer.signal.aborted && !signal.aborted) {
      return { status, contentType: '', bodyHead: '', requestId: null, networkError: status === null ? `no answer within ${limit}` : endlessBody(status, limit), ownTimeout: true };
    }
    const c = classifyNetworkError(err);
    // undici's headers/body timeouts are relaymon's limit too (the same one, in whole ms): a cut, not the relay's error.
    const own = c.errorType === 'timeout' && c.timeoutPhase !== 'connect';
    const plain = /UND_ERR_HEADERS_TIMEOUT|Headers Timeout/i.test(c.message) ? `no response headers within ${limit}` : `${c.errorType}: ${c.message}`;
    return { status: null, contentType: '', bodyHead: '', requestId: null, networkError: plain, ownTimeout: own };
  } finally {
    clearTimeout(t);
    await agent.close().catch(() => undefined);
  }
}

/**
 * Sends one protocol's plan: requests without a predecessor at once (the
 * client's pool caps them), each dependent after the one it follows.
 */
export async function sendPlan(
  client: RelayClient,
  target: ResolvedTarget,
  planned: readonly PlannedRequest[],
  guard: SpendGuard,
  state: SendState,
): Promise<Observations> {
  const obs: Observations = { protocol: target.protocol, answers: {}, notSent: {} };
  const skip = (name: RequestName, why: string): void => {
    obs.notSent[name] = why;
  };

  const sendOne = async (r: PlannedRequest): Promise<void> => {
    if (state.stopped !== null) return skip(r.name, state.stopped);
    if (r.rawBody !== null) {
      state.sent++;
      const raw = await sendRaw(target, r.rawBody, state.signal);
      if (raw.status !== null) state.answered++;
      else if (state.signal.aborted) return skip(r.name, state.stopped ?? 'not finished');
      obs.badRequest = raw;
      return;
    }
    if (r.spec === null) return;
    const admission = guard.admit(target, r.spec);
    if (!admission.ok) {
      state.refused++;
      state.refusedWhy = admission.reason;
      return skip(r.name, `not sent: ${admission.reason}`);
    }
    let injected = false;
    let contentType: string | null = null;
    state.sent++;
    // The judged stream's timing is only the relay's if relaymon's own loop kept up: its longest stall goes to the judge.
    const loop = r.name === 'stream' ? new LoopStalls() : null;
    // execute() never rejects: every outcome is a RequestResult.
    const result: RequestResult = await client.execute(target, r.spec, {
      probe: `conform:${r.name}`,
      signal: state.signal,
      headers: r.headers,
      onResponseHeaders: (h) => {
        injected = headerValue(h, MOCK_INJECTED_HEADER) === 'stream-error';
        contentType = headerValue(h, 'content-type') ?? '';
      },
    });
    loop?.stop();
    guard.settle(admission.reservedUsd, result);
    if (result.httpStatus !== null) state.answered++;
    if (result.errorType === 'cancelled') return skip(r.name, stopReason(state).replace(/^not sent/, 'not finished'));
    // undici's "Headers Timeout Error (UND_ERR_HEADERS_TIMEOUT)", said plainly with the timeout it hit (the client's headers timeout is the total one).
    const errorMessage = /UND_ERR_HEADERS_TIMEOUT|Headers Timeout/i.test(result.errorMessage ?? '') ? `no response headers within ${formatLimit(target.timeouts.totalMs)}` : result.errorMessage;
    const facts: AnswerFacts = { ...result, errorMessage, contentType, ...(loop ? { loopStallMs: loop.during(result.firstTokenAt, result.lastTokenAt) } : {}) };
    if (r.name === 'stream_error') obs.streamError = { ...facts, injected };
    else if (r.name !== 'bad_request') obs.answers[r.name] = facts;
  };

  // The stream whose timing streams_incrementally judges goes alone, first: the other answers arriving and being
  // counted in this process at the same time would only blur when its chunks were read.
  const alone = planned.find((r) => r.name === 'stream');
  if (alone) await sendOne(alone);
  const roots = planned.filter((r) => r.after === null && r !== alone);
  await Promise.all(
    roots.map(async (root) => {
      await sendOne(root);
      for (const next of planned.filter((r) => r.after === root.name)) await sendOne(next);
    }),
  );
  return obs;
}

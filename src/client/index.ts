import type { Dispatcher } from 'undici';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestResult } from '../core/result.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { adapterFor } from '../protocol/index.js';
import { classifyHttpError, notFoundHint } from '../protocol/http-errors.js';
import { classifyNetworkError } from '../protocol/network-errors.js';
import type { PriceTable } from '../pricing/table.js';
import { RelaymonError, EXIT } from '../core/errors.js';
import { undiciTimeoutMs } from '../core/units.js';
import { VERSION } from '../version.js';
import { closeSpares, createDispatcher, endpointUrl, warmConnections } from './connections.js';
import { undiciIndex } from './undici-parts.js';
import { executeRequest, type ExecuteOptions } from './execute.js';
import { builtBody, chatUrl, requestHeaders } from './request-cache.js';
import { rehearse } from './rehearse.js';
import { FingerprintTracker } from '../honesty/fingerprint.js';
import { ResultPublisher } from './counting.js';
import { tokenCounter } from '../tokens/counter.js';
import { assertCanSend } from '../core/can-send.js';

/**
 * The measuring client: one keep-alive pool per target, one RequestResult per
 * request. Everything that sends traffic goes through here, so this is the one
 * place that decides what goes on the wire.
 */
export class RelayClient {
  private readonly dispatchers = new Map<string, Dispatcher>();
  /** One per client, so a fingerprint change is judged against this run's earlier responses. */
  private readonly fingerprints = new FingerprintTracker();
  /** Results leave in the order their responses ended, each once counted (client/counting.ts). */
  private readonly publisher = new ResultPublisher();

  /**
   * countAfterAnswer (a probe): the count tables load on the first result's
   * count, not before the first send: prepare() returns at once and no send
   * or rehearsal asks for them ahead. A result still waits for its count.
   */
  private readonly countAfterAnswer: boolean;

  constructor(
    private readonly prices: PriceTable,
    opts: { countAfterAnswer?: boolean } = {},
  ) {
    assertCanSend();
    this.countAfterAnswer = opts.countAfterAnswer === true;
    // The price database (src/pricing/builtin.ts) loads on the first lookup, which must not be a result's:
    // loading it while requests are in flight stalls their timings.
    prices.warm();
  }

  /**
   * Asks the count host (tokens/counter.ts, tokens/count-host.ts) to load the
   * tables of `models` and waits until it has (o200k_base at least, the encoding of every
   * estimate): called once before traffic, so that neither starting it nor
   * loading competes with the first requests' timings. Bounded by the
   * counter's timeout; counting still works (estimated) if it fails.
   */
  async prepare(models: readonly string[] = []): Promise<void> {
    if (this.countAfterAnswer) return;
    await Promise.all(['gpt-4o', ...models].map((m) => tokenCounter().warm(m)));
  }

  private dispatcherFor(target: ResolvedTarget): Dispatcher {
    let d = this.dispatchers.get(target.name);
    if (!d) {
      d = createDispatcher(target);
      this.dispatchers.set(target.name, d);
    }
    return d;
  }

  /** Opens up to `connections` connections to `target` before its first send, waiting at most `waitMs` (connections.ts warmConnections: no HTTP request). */
  warm(target: ResolvedTarget, connections: number, waitMs: number): Promise<void> {
    return warmConnections(this.dispatcherFor(target), target, connections, waitMs);
  }

  /** Runs the send path once against a local stand-in, never the relay (rehearse.ts), so the run's first request is not the first to run it. */
  rehearse(target: ResolvedTarget, spec: RequestSpec, waitMs: number): Promise<void> {
    return rehearse(target, spec, this.prices, waitMs, !this.countAfterAnswer);
  }

  /**
   * Builds what a request of `spec` to `target` sends (its body, URL and headers: request-cache.ts) without
   * sending it, so that the run's first request to the target does not build them on its instant; a dry run
   * (engine/dry-run.ts) cannot, as its targets are stand-ins.
   */
  preload(target: ResolvedTarget, spec: RequestSpec): void {
    const adapter = adapterFor(target.protocol);
    builtBody(adapter, spec);
    chatUrl(target, adapter);
    requestHeaders(target, adapter, spec.stream);
  }

  execute(target: ResolvedTarget, spec: RequestSpec, options?: ExecuteOptions): Promise<RequestResult> {
    return executeRequest(this.dispatcherFor(target), target, spec, this.prices, {
      fingerprints: this.fingerprints,
      publisher: this.publisher,
      ...(this.countAfterAnswer ? { warmCount: false } : {}),
      ...options,
    });
  }

  /** GET {baseUrl}/models → ids. Failures are RelaymonErrors with a classified, secret-free message. */
  async listModels(target: ResolvedTarget): Promise<string[]> {
    const adapter = adapterFor(target.protocol);
    const headers = {
      ...adapter.headers(target.apiKey, target.apiKeyHeader),
      ...target.headers,
      accept: 'application/json',
      'user-agent': `relaymon/${VERSION}`,
    };
    delete (headers as Record<string, string>)['content-type'];
    let statusCode: number;
    let text: string;
    let resHeaders: Record<string, string | string[] | undefined>;
    // The same timeouts as any request of the target (execute.ts): the connect one is its pool's, the answer's
    // headers are its first byte (timeouts.firstToken), a silent body its idle gap, and the whole GET its total.
    // A relay that never answers GET /models would otherwise hold `relaymon models` and evaluate's first phase.
    const { connectMs, firstTokenMs, idleMs, totalMs } = target.timeouts;
    const total = new AbortController();
    const totalTimer = setTimeout(() => total.abort(new ModelsTotalTimeout()), totalMs);
    try {
      const url = endpointUrl(target.baseUrl, adapter.modelsPath);
      // undici's request() over this target's pool: its dispatchers are undici's parts, which have only dispatch() (undici-parts.ts).
      const res = await undiciIndex().request(url, {
        dispatcher: this.dispatcherFor(target),
        method: 'GET',
        headers,
        headersTimeout: undiciTimeoutMs(firstTokenMs),
        bodyTimeout: undiciTimeoutMs(idleMs),
        signal: total.signal,
      });
      statusCode = res.statusCode;
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      if (total.signal.aborted) throw new RelaymonError(`${target.name}: timeout: GET /models: total timeout after ${totalMs} ms`, EXIT.unreachable);
      const c = classifyNetworkError(err);
      const ms = { connect: connectMs, first_token: firstTokenMs, idle: idleMs, total: totalMs };
      const label = { connect: 'connect', first_token: 'first byte', idle: 'idle gap', total: 'total' };
      // In the wording of a request's timeouts (execute.ts), not undici's ("Headers Timeout Error").
      const message = c.errorType === 'timeout' && c.timeoutPhase !== null ? `GET /models: ${label[c.timeoutPhase]} timeout after ${ms[c.timeoutPhase]} ms` : c.message;
      throw new RelaymonError(`${target.name}: ${c.errorType}: ${message}`, EXIT.unreachable);
    } finally {
      clearTimeout(totalTimer);
    }
    if (statusCode >= 400) {
      const c = classifyHttpError(statusCode, resHeaders, text);
      const hint = c.errorType === 'not_found' ? notFoundHint(target.baseUrl) : '';
      throw new RelaymonError(`${target.name}: ${c.errorType}: ${c.message}${hint}`, EXIT.failed);
    }
    try {
      return adapter.parseModelList(JSON.parse(text));
    } catch {
      throw new RelaymonError(`${target.name}: bad_response: GET /models did not return a model list`, EXIT.failed);
    }
  }

  /**
   * force: drop whatever undici still holds (a connect the run's grace period
   * already gave up on) instead of waiting for it; a graceful close would
   * wait out the connect timeout and end the run that much late.
   */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    for (const d of this.dispatchers.values()) closeSpares(d);
    await Promise.all([...this.dispatchers.values()].map((d) => (opts.force ? d.destroy() : d.close())));
    this.dispatchers.clear();
  }
}

/** The reason GET /models is aborted with when its total timeout passes. */
class ModelsTotalTimeout extends Error {
  constructor() {
    super('total timeout');
    this.name = 'ModelsTotalTimeout';
  }
}

export { executeRequest };
export type { ExecuteOptions };

import * as diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { buildConnector, Client, envHttpProxyAgent, Pool } from './undici-parts.js';
import type { ResolvedTarget } from '../core/target.js';
import { undiciTimeoutMs } from '../core/units.js';
import { connectStartOf, openedByWarmUp, Spares } from './spares.js';
import { handOver } from './hand-over.js';

/**
 * Connection timing without patching undici: its diagnostics channels tell when a
 * connect starts and ends and which socket a request's headers are written to.
 * A request "opened" a connection when it is the first written to that socket.
 *
 * Correlating a request with its socket: undici calls the handler's
 * onRequestStart and then publishes `undici:client:sendHeaders` synchronously in
 * the same call (client-h1 writeH1), so the handler parks its context in
 * `pending` and the subscriber claims it. No other code runs in between.
 */
export interface ConnectionTiming {
  newConnection: boolean;
  connectMs: number | null;
  /**
   * The instant this request really left relaymon: when the connection it
   * opened started connecting (connect time is part of what a client feels),
   * else when its headers were written. Null when that is unknown.
   */
  sendAt: number | null;
  /** When the latest bytes on the request's socket arrived (ReadStamp); null when the socket is unknown. */
  reads: ReadStamp | null;
}

/**
 * The instant the latest bytes on a socket were there to read: stamped by a
 * 'readable' listener placed before undici's, so before undici parses them
 * (llhttp, building the header object, its handler chain), which every
 * callback of a response runs after. Taking an answer's instants here
 * rather than in the callbacks leaves undici's own work out of TTFB and TTFT,
 * as a client reading the socket itself would (bench/reference-client.mjs).
 */
export interface ReadStamp {
  at: number;
}
const readStamps = new WeakMap<Socket, ReadStamp>();

function stampReads(socket: Socket): void {
  if (readStamps.has(socket)) return;
  const stamp: ReadStamp = { at: -Infinity };
  readStamps.set(socket, stamp);
  // undici has added its own listeners when it publishes 'connected' (dispatcher/client.js connect).
  socket.prependListener('readable', () => {
    stamp.at = performance.now();
  });
}

interface SocketInfo {
  connectStart: number | null;
  connectEnd: number;
  requests: number;
}

const connectStarts = new WeakMap<object, number>();
const sockets = new WeakMap<Socket, SocketInfo>();
let pending: ((timing: ConnectionTiming) => void) | null = null;
let subscribed = false;

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  diagnostics.subscribe('undici:client:beforeConnect', (msg: unknown) => {
    const { connector } = msg as { connector: object };
    connectStarts.set(connector, performance.now());
  });
  diagnostics.subscribe('undici:client:connected', (msg: unknown) => {
    const { connector, socket } = msg as { connector: object; socket: Socket };
    stampReads(socket);
    // Opened by a warm-up before the run (spares.ts): the request that takes it did not open it, so
    // it reads as reused. A warmable pool's connector is one function for all its clients, so
    // connectStarts (by connector) cannot tell its connects apart: it timed each socket itself.
    if (openedByWarmUp(socket)) return;
    const connectStart = connectStartOf(socket) ?? connectStarts.get(connector) ?? null;
    sockets.set(socket, { connectStart, connectEnd: performance.now(), requests: 0 });
  });
  diagnostics.subscribe('undici:client:sendHeaders', (msg: unknown) => {
    const claim = pending;
    pending = null;
    if (!claim) return;
    const headersAt = performance.now();
    const { socket } = msg as { socket: Socket };
    const info = sockets.get(socket);
    const reads = readStamps.get(socket) ?? null;
    if (!info) {
      claim({ newConnection: false, connectMs: null, sendAt: headersAt, reads });
      return;
    }
    info.requests += 1;
    const isNew = info.requests === 1;
    claim({
      newConnection: isNew,
      connectMs: isNew && info.connectStart !== null ? info.connectEnd - info.connectStart : null,
      sendAt: isNew && info.connectStart !== null ? info.connectStart : headersAt,
      reads,
    });
  });
}

/** Called from a handler's onRequestStart; the callback receives this request's connection timing. */
export function expectSendHeaders(onTiming: (timing: ConnectionTiming) => void): void {
  pending = onTiming;
}

/** Called when a request is abandoned between onRequestStart and the headers write. */
export function cancelSendHeaders(): void {
  pending = null;
}

/**
 * One keep-alive pool per target, honouring HTTP(S)_PROXY / NO_PROXY. Extra CAs
 * come from NODE_EXTRA_CA_CERTS, which Node itself adds to the default store
 * that undici's TLS connector uses. The pool holds as many connections as the
 * target's cap (the engine never puts more in flight), so no request waits
 * inside undici behind another; should one still wait, its send instant is
 * taken when it really leaves (ConnectionTiming.sendAt) and the wait is queueMs.
 */
export function createDispatcher(target: ResolvedTarget): Dispatcher {
  subscribe();
  const connect = { timeout: undiciTimeoutMs(target.timeouts.connectMs) };
  // Through a proxy undici tunnels each connection itself; those pools are not warmed (spares.ts).
  const spares = proxied() ? null : new Spares(buildConnector(connect));
  const connections = Math.max(1, target.concurrency);
  // relaymon runs its own first-token, idle and total timers, by phase.
  const options = { connect: spares ? spares.connector : connect, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 };
  if (!spares) return new (envHttpProxyAgent())({ ...options, connections });
  // No proxy: every request of a target goes to its baseUrl's origin, so its pool is made here, as undici's
  // Agent makes one per origin (a Client for one connection). EnvHttpProxyAgent without a proxy sends all to
  // such an Agent, but first parses each request's origin into a URL and reads NO_PROXY from process.env, and
  // the Agent looks the origin's pool up: ~2% of the client's busy time per request (bench/client-loop.mjs
  // profile), and the pool made at the first send, on its instant.
  const origin = new URL(target.baseUrl).origin;
  const dispatcher: Dispatcher = connections === 1 ? new Client(origin, options) : new Pool(origin, { ...options, connections });
  sparesOf.set(dispatcher, spares);
  return dispatcher;
}

const sparesOf = new WeakMap<Dispatcher, Spares>();

/** Any of the proxy variables EnvHttpProxyAgent reads (NO_PROXY only exempts hosts from one). */
export function proxied(): boolean {
  const env = process.env;
  return Boolean(env.http_proxy || env.HTTP_PROXY || env.https_proxy || env.HTTPS_PROXY);
}

/**
 * Opens up to `count` connections of `dispatcher` (made by createDispatcher
 * for `target`) before the run's first send, waiting at most `waitMs`
 * (spares.ts: TCP/TLS only, never an HTTP request), and hands one to the
 * pool (hand-over.ts). A pool through a proxy is left cold.
 */
export async function warmConnections(dispatcher: Dispatcher, target: ResolvedTarget, count: number, waitMs: number): Promise<void> {
  const spares = sparesOf.get(dispatcher);
  if (!spares) return;
  const origin = new URL(new URL(target.baseUrl).origin);
  await spares.warm(origin, Math.min(count, Math.max(1, target.concurrency)), waitMs);
  await handOver(dispatcher, spares, origin);
}

/** Closes the warm connections no request took (the pool itself is closed by its owner). */
export function closeSpares(dispatcher: Dispatcher): void {
  sparesOf.get(dispatcher)?.close();
}

/**
 * baseUrl + endpoint path, keeping any query string where it belongs: Azure
 * and some gateways need `?api-version=…` on every call.
 */
export function endpointUrl(baseUrl: string, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  return url;
}

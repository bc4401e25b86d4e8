import { createServer, type Server, type Socket } from 'node:net';
import { Agent } from './undici-parts.js';
import type { ResolvedTarget } from '../core/target.js';
import { undiciTimeoutMs } from '../core/units.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { PriceTable } from '../pricing/table.js';
import { FingerprintTracker } from '../honesty/fingerprint.js';
import { ResultPublisher } from './counting.js';
import { executeRequest } from './execute.js';
import { closeSpares as closeSparesOf, createDispatcher, proxied, warmConnections } from './connections.js';

/** What the stand-in answers every request: a client error, so nothing about it can look like a relay's answer. */
const ANSWER = 'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}';

/**
 * A rehearsal of the send path before a run's first instant, against a
 * stand-in server on 127.0.0.1 inside this thread: never the relay.
 *
 * The first request of a process runs code nothing has run yet: V8 compiles
 * each function of the client, undici and the protocol adapter on its first
 * call, and undici compiles its HTTP parser (WebAssembly) on its first
 * connection. Measured in a busy engine worker, that first send took 10–50 ms
 * from its instant to its headers being written where the next ones took
 * ~1.5 ms, and a warm connection alone did not change it. Sending one request of the same protocol and the same shape
 * (`spec`) through the same functions beforehand leaves the run's first
 * request no different from the next.
 *
 * It uses its own pool, fingerprint tracker and result queue, so nothing of
 * it reaches the run: no result, no fingerprint, no connection, no spend.
 * The target's key is replaced, so no secret is written even to loopback.
 */
export async function rehearse(target: ResolvedTarget, spec: RequestSpec, prices: PriceTable, waitMs: number, warmCount = true): Promise<void> {
  const server = await standIn();
  const stand = standInTarget(target, (server.address() as { port: number }).port, waitMs);
  // A pool made as the run's are, its connection warmed the same way, so that their code has run too; behind a
  // proxy the run's pool would send this to the proxy, so a plain pool stands in.
  const dispatcher = proxied() ? new Agent({ connections: 1, connect: { timeout: undiciTimeoutMs(waitMs) }, headersTimeout: 0, bodyTimeout: 0 }) : createDispatcher(stand);
  try {
    await warmConnections(dispatcher, stand, 1, waitMs);
    await executeRequest(dispatcher, stand, spec, prices, {
      fingerprints: new FingerprintTracker(),
      publisher: new ResultPublisher(),
      signal: AbortSignal.timeout(waitMs),
      warmCount,
    });
  } finally {
    closeSparesOf(dispatcher);
    await dispatcher.destroy().catch(() => undefined);
    await closeStandIn(server);
  }
}

/**
 * `target` pointed at a stand-in on 127.0.0.1:`port`, every phase timeout
 * `waitMs`. Its key is replaced and its extra headers and query string dropped
 * (a key can be written into a baseUrl's query), so no secret is written even
 * to loopback; its pool size is the run's, so the stand-in's pool is of the
 * same kind (connections.ts: a Client for one, else a Pool).
 */
export function standInTarget(target: ResolvedTarget, port: number, waitMs: number): ResolvedTarget {
  const base = new URL(target.baseUrl);
  return {
    ...target,
    baseUrl: `http://127.0.0.1:${port}${base.pathname}`,
    apiKey: target.apiKey === null ? null : 'rehearsal',
    headers: {},
    timeouts: { ...target.timeouts, connectMs: waitMs, firstTokenMs: waitMs, idleMs: waitMs, totalMs: waitMs },
  };
}

/** The connections each stand-in has open: closing it drops them (closeStandIn). */
const openSockets = new WeakMap<Server, Set<Socket>>();

/**
 * A server on 127.0.0.1 that answers each request once its headers and body are in (a client error), then closes.
 * It reads the headers and then only counts the body's bytes: a replay's first line may be a body of many MB,
 * and it runs on the thread that sends and stamps time (the engine worker), so what it does per byte is
 * what that thread loses.
 */
export function standIn(): Promise<Server> {
  const open = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = '';
    // Body bytes still to come, once the headers are in.
    let left: number | null = null;
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      if (left === null) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEAD_BYTES) socket.destroy();
          return;
        }
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head.slice(0, end));
        left = Number(length?.[1] ?? 0) - (head.length - end - 4);
        head = '';
      } else left -= chunk.length;
      if (left > 0) return;
      answered = true;
      socket.end(ANSWER);
    });
  });
  openSockets.set(server, open);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** A request's headers are far smaller than this; a stand-in sent more without their end drops the connection. */
const MAX_HEAD_BYTES = 1024 * 1024;

/**
 * Closes a stand-in, dropping the connections it still has: a request it is still reading (a dry run left
 * behind at its bound, with a large body) must not go on costing the thread once the run has started.
 */
export function closeStandIn(server: Server): Promise<void> {
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

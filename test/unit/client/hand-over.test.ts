/**
 * The warm-up hands one warm connection to the pool (client/hand-over.ts):
 * the relay receives no byte from it, and the first request goes out on that
 * very connection through a client that is already connected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { closeSpares, createDispatcher, warmConnections } from '../../../src/client/connections.js';
import { Spares } from '../../../src/client/spares.js';
import { handOver } from '../../../src/client/hand-over.js';
import { buildConnector } from '../../../src/client/undici-parts.js';
import { target } from '../../helpers/target.js';

interface Relay {
  url: string;
  origin: URL;
  /** Bytes each connection sent the relay, in the order connections came. */
  received: Buffer[];
  server: Server;
}

const open: { relay: Relay; sockets: Set<Socket>; dispatcher: Dispatcher | null }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    if (o.dispatcher) {
      closeSpares(o.dispatcher);
      await o.dispatcher.destroy();
    }
    for (const s of o.sockets) s.destroy();
    await new Promise<void>((resolve) => o.relay.server.close(() => resolve()));
  }
});

/** A raw HTTP/1.1 relay on node:net: it records every byte and answers each request with a 2-byte body. */
async function startRelay(): Promise<{ relay: Relay; entry: (typeof open)[number] }> {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    const i = received.push(Buffer.alloc(0)) - 1;
    socket.on('data', (chunk: Buffer) => {
      received[i] = Buffer.concat([received[i]!, chunk]);
      if (received[i]!.includes('\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const relay = { url, origin: new URL(new URL(url).origin), received, server };
  const entry = { relay, sockets, dispatcher: null as Dispatcher | null };
  open.push(entry);
  return { relay, entry };
}

/** One GET through the dispatcher (undici's `request()` comes with its index, which the client does not load). */
function get(dispatcher: Dispatcher, origin: URL, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    dispatcher.dispatch(
      { origin: origin.origin, path, method: 'GET' },
      {
        onRequestStart: () => {},
        onResponseData: (_c, chunk: Buffer) => void chunks.push(chunk),
        onResponseEnd: () => resolve(Buffer.concat(chunks).toString()),
        onResponseError: (_c, err: Error) => reject(err),
      },
    );
  });
}

const until = async (ok: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('handing a warm connection to the pool (client/hand-over.ts)', () => {
  for (const concurrency of [1, 4]) {
    it(`sends the relay nothing, and the first request goes out on that connection (${concurrency === 1 ? 'a single client' : 'a pool'})`, async () => {
      const { relay, entry } = await startRelay();
      const t = target('relay', relay.url, { concurrency });
      const dispatcher = createDispatcher(t);
      entry.dispatcher = dispatcher;
      await warmConnections(dispatcher, t, 2, 5_000);
      const warmed = Math.min(2, concurrency);
      await until(() => relay.received.length === warmed, 'the warm connections to arrive');
      // The pool has a client on a connected socket, and nothing pending or running: the request was dropped unwritten.
      const stats = (dispatcher as unknown as { stats: { connected: number | boolean; pending: number; running: number } }).stats;
      expect(Number(stats.connected)).toBe(1);
      expect(stats.pending).toBe(0);
      expect(stats.running).toBe(0);
      // Whatever the hand-over would have sent has had the time to arrive: this answer comes over the same loopback after it.
      expect(await get(dispatcher, relay.origin, '/v1/models')).toBe('ok');
      expect(relay.received).toHaveLength(warmed); // no connection of its own
      const used = relay.received.filter((b) => b.length > 0);
      expect(used).toHaveLength(1);
      expect(used[0]!.toString('latin1')).toMatch(/^GET \/v1\/models HTTP\/1\.1\r\n/); // and nothing before it on that socket
    });
  }

  it('never opens a connection of its own: with nothing parked, or when the parked one is gone by the time undici asks', async () => {
    const { relay, entry } = await startRelay();
    const t = target('relay', relay.url, { concurrency: 2 });
    const dispatcher = createDispatcher(t);
    entry.dispatcher = dispatcher;
    const spares = new Spares(buildConnector({}));
    await handOver(dispatcher, spares, relay.origin); // nothing parked: nothing to do
    let result: unknown[] = [];
    await spares.onlyParked(
      () =>
        new Promise<void>((resolve) =>
          spares.connector({ host: relay.origin.host, hostname: '127.0.0.1', protocol: 'http:', port: relay.origin.port, localAddress: null }, (...r) => {
            result = r;
            resolve();
          }),
        ),
    );
    expect(result[0]).toBeInstanceOf(Error);
    expect(relay.received).toHaveLength(0);
    // Outside a hand-over the connector opens connections as before.
    await new Promise<void>((resolve) =>
      spares.connector({ host: relay.origin.host, hostname: '127.0.0.1', protocol: 'http:', port: relay.origin.port, localAddress: null }, (err, socket) => {
        expect(err).toBeNull();
        socket?.destroy();
        resolve();
      }),
    );
    await until(() => relay.received.length === 1, 'the connection opened outside a hand-over');
    spares.close();
  });
});

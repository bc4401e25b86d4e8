/**
 * An answer's instants are taken when its bytes were there to read on the
 * socket, not after undici has parsed them (client/connections.ts ReadStamp):
 * undici's own work (llhttp, the header object, its handler chain) is the
 * client's, and a client reading the socket itself would not count it in TTFB
 * or TTFT (bench/reference-client.mjs). To make that work long enough to see,
 * a listener that holds the thread for HOLD_MS is put between relaymon's
 * stamp and undici's parser on the socket's 'readable' event.
 */
import * as diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayClient } from '../../src/client/index.js';
import { PriceTable } from '../../src/pricing/table.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { SMALL_SPEC, target } from '../helpers/engine.js';

const HOLD_MS = 5;

let server: HostileServer | null = null;
const held = new WeakSet<Socket>();
const holdAfterStamp = (msg: unknown): void => {
  const { socket } = msg as { socket: Socket };
  if (held.has(socket)) return;
  held.add(socket);
  // relaymon's stamp is the first 'readable' listener (prepended when the socket connected), undici's parser the next.
  const [stamp, ...rest] = socket.rawListeners('readable') as ((...a: unknown[]) => void)[];
  socket.removeAllListeners('readable');
  socket.on('readable', stamp!);
  socket.on('readable', () => {
    const until = performance.now() + HOLD_MS;
    while (performance.now() < until);
  });
  for (const l of rest) socket.on('readable', l);
};

afterEach(async () => {
  diagnostics.unsubscribe('undici:client:sendHeaders', holdAfterStamp);
  await server?.close();
  server = null;
});

describe("an answer's instants", () => {
  it('are when its bytes arrived, before undici parsed them', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      // Headers, the first token and the end in one write: one read, one stamp.
      res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
    });
    const client = new RelayClient(PriceTable.builtIn());
    const t = target('r', server.url, { concurrency: 1 });
    try {
      await client.execute(t, SMALL_SPEC); // the pool and its connection exist; the stamp listener is in place
      diagnostics.subscribe('undici:client:sendHeaders', holdAfterStamp);
      let headersSeenAt = 0;
      const r = await client.execute(t, SMALL_SPEC, { onResponseHeaders: () => (headersSeenAt = performance.now()) });
      expect(r.ok).toBe(true);
      expect(r.headersAt).not.toBeNull();
      // undici handed the headers over HOLD_MS after the bytes were readable; the instant is the bytes'.
      expect(headersSeenAt - r.headersAt!).toBeGreaterThanOrEqual(HOLD_MS - 0.1);
      expect(r.firstTokenAt).toBe(r.headersAt);
      expect(r.headersAt!).toBeGreaterThan(r.sentAt!);
    } finally {
      await client.close();
    }
  });
});

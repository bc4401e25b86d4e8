/**
 * The idle clock of a whole (non-streamed) answer starts with its headers'
 * read (client/execute.ts starts the timer once undici is done with that
 * read, and not at all when the answer ended in it): a body that stops
 * part-way after arriving with its headers still times out `idle`, at its
 * idle timeout and not at the total one; one that ends in that read has no
 * idle timer left behind.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayClient } from '../../src/client/index.js';
import { PriceTable } from '../../src/pricing/table.js';
import { tokenCounter } from '../../src/tokens/counter.js';
import { OPENAI_COMPLETION_OK } from '../helpers/sse.js';
import { target } from '../helpers/engine.js';
import type { RequestSpec } from '../../src/protocol/adapter.js';

const IDLE_MS = 300;
const TOTAL_MS = 8_000;
let server: Server;
let url: string;
const open: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const whole = JSON.stringify(OPENAI_COMPLETION_OK);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(whole.length) });
      if (req.url?.includes('/stall/')) {
        // Headers and the first half in one write (one read on the client's side), then nothing.
        res.write(whole.slice(0, whole.length >> 1));
        open.push(res);
      } else res.end(whole);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  tokenCounter().release();
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const spec: RequestSpec = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 4, stream: false };

describe('the idle timeout of a whole answer', () => {
  it('a body that stops after arriving with its headers times out idle, at the idle timeout', async () => {
    const client = new RelayClient(PriceTable.builtIn());
    const t = target('m', `${url}/stall/v1`, { timeouts: { connectMs: 5_000, firstTokenMs: TOTAL_MS, idleMs: IDLE_MS, totalMs: TOTAL_MS } });
    const r = await client.execute(t, spec);
    await client.close({ force: true });
    expect(r).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'idle', httpStatus: 200 });
    // From the bytes' arrival: not before the idle timeout (timers may fire ~1 ms early), long before the total one.
    expect(r.endAt - r.headersAt!).toBeGreaterThanOrEqual(IDLE_MS - 2);
    expect(r.latencyMs).toBeLessThan(TOTAL_MS / 2);
  });

  it('a body that ends with its headers is an answer', async () => {
    const client = new RelayClient(PriceTable.builtIn());
    const t = target('m', `${url}/v1`, { timeouts: { connectMs: 5_000, firstTokenMs: TOTAL_MS, idleMs: IDLE_MS, totalMs: TOTAL_MS } });
    const r = await client.execute(t, spec);
    await client.close();
    expect(r).toMatchObject({ ok: true, httpStatus: 200, outputTokens: 1 });
  });
});

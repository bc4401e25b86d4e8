/**
 * The first-token and total timeouts of a whole (non-streamed) answer. Its
 * first-token timer runs until the headers, and its total timer is started
 * only after the headers' read when the first-token one would fire first
 * (client/execute.ts): a body that keeps trickling in after its headers still
 * times out `total` at the total timeout, from the send; headers that never
 * come time out `first_token`, or `total` when that is the shorter.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayClient } from '../../src/client/index.js';
import { PriceTable } from '../../src/pricing/table.js';
import { tokenCounter } from '../../src/tokens/counter.js';
import { OPENAI_COMPLETION_OK } from '../helpers/sse.js';
import { target } from '../helpers/target.js';
import type { RequestSpec } from '../../src/protocol/adapter.js';

/** Far above the trickle's gaps: only the total or first-token timeout can end these requests. */
const IDLE_MS = 5_000;
const SHORT_MS = 400;
const LONG_MS = 8_000;
let server: Server;
let url: string;
const open: ServerResponse[] = [];
const trickles: NodeJS.Timeout[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('/silent/')) {
        open.push(res); // no headers, ever
        return;
      }
      const whole = JSON.stringify(OPENAI_COMPLETION_OK);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(whole.length) });
      // Headers and the first half in one write, then one character every 20 ms: never idle, never done
      // before the total timeout.
      let at = whole.length >> 1;
      res.write(whole.slice(0, at));
      open.push(res);
      const trickle = setInterval(() => {
        if (at < whole.length - 1 && !res.destroyed) res.write(whole[at++]);
      }, 20);
      trickles.push(trickle);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  tokenCounter().release();
  for (const t of trickles) clearInterval(t);
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const spec: RequestSpec = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 4, stream: false };

async function run(path: string, firstTokenMs: number, totalMs: number) {
  const client = new RelayClient(PriceTable.builtIn());
  const t = target('m', `${url}/${path}/v1`, { timeouts: { connectMs: 5_000, firstTokenMs, idleMs: IDLE_MS, totalMs } });
  const r = await client.execute(t, spec);
  await client.close({ force: true });
  return r;
}

describe('the timeouts of a whole answer', () => {
  it('a body still trickling in at the total timeout times out total, from the send', async () => {
    // A first-token timeout no longer than the total one: the total timer is the one started after the headers.
    const r = await run('trickle', SHORT_MS, SHORT_MS);
    expect(r).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'total', httpStatus: 200 });
    expect(r.headersAt).not.toBeNull();
    // Timers may fire ~1 ms early; long before the first-token or idle timeouts.
    expect(r.latencyMs).toBeGreaterThanOrEqual(SHORT_MS - 2);
    expect(r.latencyMs).toBeLessThan(IDLE_MS);
  });

  it('the same with a first-token timeout longer than the total one', async () => {
    const r = await run('trickle', LONG_MS, SHORT_MS);
    expect(r).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'total', httpStatus: 200 });
    expect(r.latencyMs).toBeGreaterThanOrEqual(SHORT_MS - 2);
    expect(r.latencyMs).toBeLessThan(IDLE_MS);
  });

  it('headers that never come time out first_token when that is the shorter', async () => {
    const r = await run('silent', SHORT_MS, LONG_MS);
    expect(r).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'first_token', httpStatus: null });
    expect(r.latencyMs).toBeGreaterThanOrEqual(SHORT_MS - 2);
    expect(r.latencyMs).toBeLessThan(LONG_MS / 2);
  });

  it('headers that never come time out total when that is the shorter', async () => {
    const r = await run('silent', LONG_MS, SHORT_MS);
    expect(r).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'total', httpStatus: null });
    expect(r.latencyMs).toBeGreaterThanOrEqual(SHORT_MS - 2);
    expect(r.latencyMs).toBeLessThan(LONG_MS / 2);
  });
});

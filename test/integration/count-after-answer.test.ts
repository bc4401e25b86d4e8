/**
 * A probe's client (RelayClient countAfterAnswer) does not load the count
 * tables before its first send: prepare() returns at once, and neither the
 * rehearsal nor the send asks for them, so the first request never waits
 * for them (or shares the CPU with their loading). The result still waits for
 * its count: an exact count, as before. Other commands' clients load them
 * ahead (the contrast case).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayClient } from '../../src/client/index.js';
import { PriceTable } from '../../src/pricing/table.js';
import { tokenCounter } from '../../src/tokens/counter.js';
import { SMALL_SPEC, target } from '../helpers/engine.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

/** Whether counting had started when each request arrived at the relay. */
const countingAtArrival: boolean[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      countingAtArrival.push(tokenCounter().running);
      res.writeHead(200, SSE_HEADERS);
      res.write(sse(openaiChunk({ role: 'assistant', content: 'OK' })));
      res.write(sse(openaiUsageChunk(10, 1)));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  tokenCounter().release();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a probe counts after the answer', () => {
  it('nothing loads the tables before the first send; the result waits for its exact count', async () => {
    tokenCounter().release();
    const t = target('m', url);
    const client = new RelayClient(PriceTable.builtIn(), { countAfterAnswer: true });
    await client.prepare();
    await client.rehearse(t, SMALL_SPEC, 2000);
    expect(tokenCounter().running).toBe(false);
    const result = await client.execute(t, SMALL_SPEC);
    await client.close();
    expect(result.httpStatus).toBe(200);
    expect(countingAtArrival).toEqual([false]);
    expect(result.localCountKind).toBe('exact');
    expect(result.localOutputTokens).toBe(1);
    expect(result.localInputTokens).toBeGreaterThan(0);
  });

  it("other commands' clients load them before their first send", async () => {
    tokenCounter().release();
    countingAtArrival.length = 0;
    const t = target('m', url);
    const client = new RelayClient(PriceTable.builtIn());
    await client.prepare();
    const result = await client.execute(t, SMALL_SPEC);
    await client.close();
    expect(countingAtArrival).toEqual([true]);
    expect(result.localCountKind).toBe('exact');
  });
});

/**
 * Time a request spends waiting for a connection inside the client is its
 * queueMs, never its TTFB/TTFT/latency (issue 11, item 0): the send instant is
 * taken when undici really sends it. The engine keeps its pool as large as its
 * cap; this drives the client directly with a pool of one to force a wait.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RelayClient } from '../../src/client/index.js';
import { PriceTable } from '../../src/pricing/table.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { SMALL_SPEC, target } from '../helpers/engine.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('a wait for a connection inside the client', () => {
  it('is queueMs; TTFB and TTFT are the server\'s', async () => {
    const firstByteMs: number[] = [];
    server = await startHostile(async (_req, res) => {
      const arrival = performance.now();
      await new Promise((r) => setTimeout(r, 300));
      res.writeHead(200, SSE_HEADERS);
      res.write(sse(openaiChunk({ content: 'OK' })));
      firstByteMs.push(performance.now() - arrival);
      res.end(sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
    });
    const client = new RelayClient(PriceTable.builtIn());
    try {
      const t = target('one', server.url, { concurrency: 1 });
      const at = performance.now();
      const [a, b] = await Promise.all([client.execute(t, SMALL_SPEC, { scheduledAt: at }), client.execute(t, SMALL_SPEC, { scheduledAt: at })]);
      expect(a.ok && b.ok).toBe(true);
      const [first, second] = a.sentAt <= b.sentAt ? [a, b] : [b, a];
      // The second waited for the one connection while the first was answered (~300 ms).
      expect(second.queueMs).toBeGreaterThanOrEqual(250);
      expect(second.sentAt).toBeGreaterThanOrEqual(first.endAt - 1);
      // ...and that wait is not in its timings: they are the server's 300 ms plus loopback.
      for (const r of [first, second]) {
        expect(r.ttftMs!).toBeGreaterThanOrEqual(295);
        expect(r.ttftMs!).toBeLessThan(Math.max(...firstByteMs) + 150);
        expect(r.latencyMs).toBeLessThan(550);
      }
      expect(second.newConnection).toBe(false);
    } finally {
      await client.close();
    }
  });
});

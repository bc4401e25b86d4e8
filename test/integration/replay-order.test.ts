/**
 * Issue 11 item 11: relaymon's own request log is written in completion
 * order, so its `t` goes backwards; replayed at original timing each line
 * still goes out at its recorded offset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

let server: HostileServer;
/** Arrival instant (ms, this process's clock) of each line, by its marker. */
const arrivals = new Map<string, number>();
const dir = mkdtempSync(join(tmpdir(), 'relaymon-replay-order-'));

beforeAll(async () => {
  server = await startHostile((_req, res, body) => {
    const messages = (body as { messages: { content: string }[] }).messages;
    arrivals.set(messages[0]!.content, performance.now());
    res.writeHead(200, SSE_HEADERS);
    res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
  });
});
afterAll(() => server.close());

describe('replaying relaymon\'s own log at original timing', () => {
  it('sends each line at its recorded offset even though the log is in completion order', async () => {
    // Completion order: the request sent at 600 ms finished before the one sent at 300 ms.
    const offsets = [0, 600, 300, 1200, 900];
    const log = join(dir, 'own.log');
    writeFileSync(
      log,
      offsets
        .map((t) => JSON.stringify({ v: 1, t, target: 'relay', protocol: 'openai', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `L${t}` }], max_tokens: 4, stream: true } }))
        .join('\n') + '\n',
    );
    const res = await runCli(['replay', log, '--base-url', server.url, '--json'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(arrivals.size).toBe(offsets.length);
    const at = (t: number): number => arrivals.get(`L${t}`)! - arrivals.get('L0')!;
    // In order of offset, each near its offset (slack for a loaded machine delaying the first arrival)
    // and well before the next line's: in file order the 300 ms line went out with the 600 ms one,
    // the 900 ms line with the 1200 ms one.
    const sorted = [...offsets].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      expect(at(sorted[i]!)).toBeGreaterThan(at(sorted[i - 1]!));
      expect(at(sorted[i]!)).toBeGreaterThanOrEqual(sorted[i]! - 150);
    }
    expect(at(300)).toBeLessThan(550);
    expect(at(900)).toBeLessThan(1150);
  });
});

/**
 * A short answer seen before is not counted again (client/counting.ts): its
 * count, made in full, is the same for the same model and text, so a result
 * whose prompt and answer were both counted already needs no count job. The
 * counts in the results stay what counting gives; a new text, or another
 * model, is counted; a long answer always is.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RelayClient } from '../../src/client/index.js';
import { OUTPUT_CACHE_MAX_CHARS } from '../../src/client/counting.js';
import { PriceTable } from '../../src/pricing/table.js';
import { tokenCounter } from '../../src/tokens/counter.js';
import { target } from '../helpers/engine.js';
import type { RequestSpec } from '../../src/protocol/adapter.js';

/** The answer's text comes from the request's last message: `say:<text>`. */
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { model: string; messages: { content: string }[] };
      const text = parsed.messages.at(-1)!.content.replace(/^say:/, '');
      res.writeHead(200, { 'content-type': 'application/json' });
      // No usage: the result's tokens are relaymon's own counts, so a wrong cached count would show.
      res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', model: parsed.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterEach(() => vi.restoreAllMocks());

afterAll(async () => {
  tokenCounter().release();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const spec = (model: string, text: string): RequestSpec => ({ model, messages: [{ role: 'user', content: `say:${text}` }], maxTokens: 16, stream: false });

describe("a short answer's count is made once", () => {
  it('the same spec answered the same short text asks the counter once; the counts are the same', async () => {
    const client = new RelayClient(PriceTable.builtIn());
    await client.prepare(['gpt-4o-mini', 'gpt-4']);
    const t = target('m', url);
    const count = vi.spyOn(tokenCounter(), 'count');
    const s = spec('gpt-4o-mini', 'Hello there, friend');
    const first = await client.execute(t, s);
    const again = [await client.execute(t, s), await client.execute(t, s)];
    expect(count).toHaveBeenCalledTimes(1);
    for (const r of [first, ...again]) {
      expect(r.ok).toBe(true);
      expect(r.usageSource).toBe('estimated');
      expect(r.localCountKind).toBe('exact');
      expect(r.localOutputTokens).toBe(first.localOutputTokens);
      expect(r.localInputTokens).toBe(first.localInputTokens);
      expect(r.outputTokens).toBe(first.outputTokens);
    }
    expect(first.localOutputTokens).toBe(4);

    // The same text from another spec: its prompt is counted, its answer is not counted again.
    const other = await client.execute(t, spec('gpt-4o-mini', 'Hello there, friend'));
    expect(count).toHaveBeenCalledTimes(2);
    expect(count.mock.calls[1]![0].output).toBeNull();
    expect(other.localOutputTokens).toBe(4);

    // Another model (another encoding) counts the same text itself.
    const cl100k = spec('gpt-4', 'Hello there, friend');
    await client.execute(t, cl100k);
    await client.execute(t, cl100k);
    expect(count).toHaveBeenCalledTimes(3);
    expect(count.mock.calls[2]![0].output).not.toBeNull();
    await client.close();
  });

  it('a long answer is counted every time', async () => {
    const client = new RelayClient(PriceTable.builtIn());
    await client.prepare(['gpt-4o-mini']);
    const t = target('m', url);
    const count = vi.spyOn(tokenCounter(), 'count');
    const s = spec('gpt-4o-mini', 'word '.repeat(OUTPUT_CACHE_MAX_CHARS / 5 + 1));
    const a = await client.execute(t, s);
    const b = await client.execute(t, s);
    expect(count).toHaveBeenCalledTimes(2);
    expect(count.mock.calls[1]![0].output).not.toBeNull();
    expect(b.localOutputTokens).toBe(a.localOutputTokens);
    await client.close();
  });
});

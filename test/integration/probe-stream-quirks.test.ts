import { afterEach, describe, expect, it } from 'vitest';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { probeJson } from '../helpers/probe.js';

/**
 * Real relays are sloppy. Each test is a hand-written server doing one sloppy
 * thing over real loopback HTTP, and the real CLI measuring it.
 */
let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const TOKEN_DELAY_MS = 300;

describe('OpenAI streams', () => {
  it('a role-only first delta sent at once is not the first token', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [
        sse(openaiChunk({ role: 'assistant', content: '' })),
        { waitMs: TOKEN_DELAY_MS },
        // Two deltas that are two tokens however they are counted: ITL divides by relaymon's own count of
        // the answer (rateTokenSource counted), and "O" + "K" would re-encode as the one token "OK".
        sse(openaiChunk({ content: 'Hello' })),
        { waitMs: 20 },
        sse(openaiChunk({ content: ' world' })),
        sse(openaiChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })),
        sse(openaiUsageChunk(12, 2)),
        'data: [DONE]\n\n',
      ]);
      res.end();
    });
    const { json, code } = await probeJson(server.url);
    expect(code).toBe(0);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    // Honest tolerance for a noisy 2-core machine: never early, at most 100 ms late.
    expect(r.ttftMs!).toBeGreaterThanOrEqual(TOKEN_DELAY_MS - 1);
    expect(r.ttftMs!).toBeLessThan(TOKEN_DELAY_MS + 100);
    expect(r.ttfbMs!).toBeLessThan(r.ttftMs! - 200);
    expect(r.ttftContentMs).toBe(r.ttftMs);
    expect(r.usageSource).toBe('reported');
    expect(r.inputTokens).toBe(12);
    expect(r.outputTokens).toBe(2);
    expect(r.systemFingerprint).toBe('fp_test');
    expect(r.responseModel).toBe('gpt-4o-mini-2024-07-18');
    // A dated snapshot of the model asked for is the same model.
    expect(r.modelMismatch).toBe(false);
    // ITL = (last − first) / (tokens − 1) with 2 tokens 20 ms apart.
    expect(r.rateTokenSource).toBe('counted');
    // One gap: a first read a few ms late (a fresh process's first stream) shortens it by as much.
    expect(r.itlMs!).toBeGreaterThanOrEqual(14);
    expect(r.itlMs!).toBeLessThan(120);
    // The request asked for usage in the stream.
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body['stream']).toBe(true);
    expect(body['stream_options']).toEqual({ include_usage: true });
  });

  it('reasoning_content counts for TTFT; the first visible content token is reported too', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [
        sse(openaiChunk({ role: 'assistant', content: null })),
        { waitMs: 150 },
        sse(openaiChunk({ reasoning_content: 'thinking' })),
        { waitMs: 250 },
        sse(openaiChunk({ content: 'OK' })),
        sse(openaiUsageChunk(10, 30, {}), undefined),
        'data: [DONE]\n\n',
      ]);
      res.end();
    });
    const { json } = await probeJson(server.url);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.ttftMs!).toBeGreaterThanOrEqual(149);
    expect(r.ttftMs!).toBeLessThan(150 + 100);
    expect(r.ttftContentMs!).toBeGreaterThanOrEqual(399);
    expect(r.ttftContentMs!).toBeLessThan(400 + 100);
  });

  it('usage on the finish_reason chunk, cached and reasoning tokens', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [
        sse(openaiChunk({ content: 'Hi' })),
        sse(
          openaiChunk(
            {},
            {
              choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
              usage: {
                prompt_tokens: 100,
                completion_tokens: 40,
                prompt_tokens_details: { cached_tokens: 64 },
                completion_tokens_details: { reasoning_tokens: 30 },
              },
            },
          ),
        ),
        'data: [DONE]\n\n',
      ]);
      res.end();
    });
    const { json } = await probeJson(server.url, ['--model', 'gpt-4o']);
    const r = json.requests[0]!;
    expect(r.usageSource).toBe('reported');
    expect([r.inputTokens, r.outputTokens, r.cachedInputTokens, r.reasoningTokens]).toEqual([100, 40, 64, 30]);
    // gpt-4o list price: $2.50/M input, $1.25/M cached input, $10/M output.
    const expected = (36 * 2.5 + 64 * 1.25 + 40 * 10) / 1e6;
    expect(r.costUsd!).toBeCloseTo(expected, 12);
  });

  it('no usage at all: tokens are estimated and marked so', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ content: 'Hello there, friend' })), 'data: [DONE]\n\n']);
      res.end();
    });
    const { json } = await probeJson(server.url);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.usageSource).toBe('estimated');
    expect(r.outputTokens!).toBeGreaterThan(0);
    expect(r.inputTokens!).toBeGreaterThan(0);
  });

  it('SSE served as text/plain with CRLF, comments, and bytes split inside multi-byte characters', async () => {
    const text = 'Xin chào 世界 🚀';
    const wire = Buffer.from(
      ': keep-alive\r\n\r\n' +
        sse(openaiChunk({ role: 'assistant', content: '' }), undefined, '\r\n') +
        sse(openaiChunk({ content: text }), undefined, '\r\n') +
        ': still here\r\n\r\n' +
        sse(openaiUsageChunk(5, 9), undefined, '\r\n') +
        'data: [DONE]\r\n\r\n',
      'utf8',
    );
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      // One byte at a time, so every multi-byte character is split across writes.
      for (let i = 0; i < wire.length; i += 1) {
        res.write(wire.subarray(i, i + 1));
        if (i % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const { json, code } = await probeJson(server.url);
    expect(code).toBe(0);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.outputTokens).toBe(9);
    expect(r.ttftMs).not.toBeNull();
  });

  it('a JSON answer to a streaming request is read as a whole body', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-x',
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 8, completion_tokens: 1 },
        }),
      );
    });
    const { json } = await probeJson(server.url);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.outputTokens).toBe(1);
    expect(r.ttftMs).toBeNull();
  });
});

describe('Anthropic streams', () => {
  it('usage from message_start and cumulative message_delta output_tokens; pings ignored', async () => {
    server = await startHostile(async (req, res) => {
      expect(req.headers['x-api-key']).toBeDefined();
      expect(req.headers['anthropic-version']).toBe('2023-06-01');
      expect(req.headers['authorization']).toBeUndefined();
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [
        sse({ type: 'message_start', message: { id: 'msg_1', model: 'claude-haiku-4-5-20251001', usage: { input_tokens: 20, output_tokens: 1 } } }, 'message_start'),
        sse({ type: 'ping' }, 'ping'),
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        { waitMs: 200 },
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }, 'content_block_delta'),
        sse({ type: 'message_delta', delta: {}, usage: { output_tokens: 5 } }, 'message_delta'),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }, 'content_block_delta'),
        sse({ type: 'message_delta', delta: {}, usage: { output_tokens: 12 } }, 'message_delta'),
        sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
        sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20 } }, 'message_delta'),
        sse({ type: 'message_stop' }, 'message_stop'),
      ]);
      res.end();
    });
    const { json, code } = await probeJson(server.url, ['--protocol', 'anthropic', '--model', 'claude-haiku-4.5']);
    expect(code).toBe(0);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.inputTokens).toBe(20);
    expect(r.outputTokens).toBe(20); // assigned, not 5 + 12 + 20
    expect(r.usageSource).toBe('reported');
    expect(r.modelMismatch).toBe(false);
    expect(r.requestId).toBe('msg_1');
    expect(r.ttftMs!).toBeGreaterThanOrEqual(199);
    // claude-haiku-4.5: $1/M input, $5/M output
    expect(r.costUsd!).toBeCloseTo((20 * 1 + 20 * 5) / 1e6, 12);
    expect(server.requests[0]!.path).toBe('/v1/messages');
  });
});

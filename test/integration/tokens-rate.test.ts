/**
 * Issue 11 item 11: rates and tokens counted right, against hand-written
 * relays over loopback (the mock has no reasoning knobs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

interface ProbeJson {
  requests: {
    ok: boolean;
    errorType: string | null;
    ttftMs: number | null;
    ttftContentMs: number | null;
    itlMs: number | null;
    outputTokens: number | null;
    usageSource: string | null;
    costUsd: number | null;
    outputTokensPerSecond: number | null;
    rateTokenSource: string | null;
  }[];
  summary: { outputTokens: number; costUsd: number | null; ttftContentMs: { p50: number | null } };
}

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function probe(handler: (res: ServerResponse) => Promise<void> | void): Promise<ProbeJson> {
  server = await startHostile(async (_req, res) => handler(res));
  const res = await runCli(['probe', '--base-url', server.url, '--model', 'gpt-4o', '--json'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
  expectNoSecret(res);
  return JSON.parse(res.stdout) as ProbeJson;
}

const role = sse(openaiChunk({ role: 'assistant', content: '' }));
const done = 'data: [DONE]\n\n';

describe('tokens per second and ITL', () => {
  it('a one-token answer has no decode speed (null), not thousands of tokens per second', async () => {
    const json = await probe(async (res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [role, { waitMs: 30 }, sse(openaiChunk({ content: 'OK' })), { waitMs: 30 }, sse(openaiUsageChunk(9, 1)), done]);
      res.end();
    });
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.outputTokens).toBe(1);
    expect(r.itlMs).toBeNull();
    expect(r.outputTokensPerSecond).toBeNull();
  });

  it('a buffered answer (every token in one write) has no decode speed, not ~70,000/s', async () => {
    const json = await probe(async (res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [role, { waitMs: 50 }]);
      // The whole answer at once, then a pause before the end: the old formula divided by that pause.
      const body = Array.from({ length: 40 }, (_, i) => sse(openaiChunk({ content: `w${i} ` }))).join('');
      await writeSlowly(res, [body, { waitMs: 5 }, sse(openaiUsageChunk(9, 40)), done]);
      res.end();
    });
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.outputTokens).toBe(40);
    expect(r.outputTokensPerSecond).toBeNull();
    expect(r.itlMs).toBeNull();
  });

  it('a steady stream reads 1000 × (visible − 1) / span: ~50/s for 20 ms gaps', async () => {
    const json = await probe(async (res) => {
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [role];
      for (let i = 0; i < 11; i++) parts.push(sse(openaiChunk({ content: ' hello' })), { waitMs: 20 });
      await writeSlowly(res, [...parts, sse(openaiUsageChunk(9, 11)), done]);
      res.end();
    });
    const r = json.requests[0]!;
    // 20 ms gaps, with room for a loaded machine stamping one arrival late (which shortens or stretches the span).
    expect(r.itlMs!).toBeGreaterThanOrEqual(10);
    expect(r.itlMs!).toBeLessThan(80);
    // Exactly the reciprocal: tokens/s = 1000 × (visible − 1) / span, ITL = span / (visible − 1).
    expect(r.outputTokensPerSecond!).toBeCloseTo(1000 / r.itlMs!, 9);
  });

  it('on a reasoning stream ITL and tokens/s cover the visible answer only; ttftContentMs is the first visible token', async () => {
    const json = await probe(async (res) => {
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [role];
      // 5 reasoning deltas 20 ms apart, a 600 ms pause, then 6 answer tokens 20 ms apart.
      for (let i = 0; i < 5; i++) parts.push(sse(openaiChunk({ reasoning_content: `r${i}` })), { waitMs: 20 });
      parts.push({ waitMs: 600 });
      // ' hello' is one token, as a real delta is: relaymon's own count of the answer agrees with the relay's 6.
      for (let i = 0; i < 6; i++) parts.push(sse(openaiChunk({ content: ' hello' })), { waitMs: 20 });
      parts.push(sse(openaiUsageChunk(9, 11, { completion_tokens_details: { reasoning_tokens: 5 } })), done);
      await writeSlowly(res, parts);
      res.end();
    });
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    // True ITL of the answer: 20 ms. Over the reasoning and the pause (the old way) it read ~78 ms.
    expect(r.itlMs!).toBeGreaterThanOrEqual(10);
    expect(r.itlMs!).toBeLessThan(60);
    expect(r.outputTokensPerSecond!).toBeCloseTo(1000 / r.itlMs!, 9);
    expect(r.ttftContentMs! - r.ttftMs!).toBeGreaterThanOrEqual(550);
    expect(json.summary.ttftContentMs.p50).toBe(r.ttftContentMs);
  });
});

describe('a relay that bills more tokens than it streams', () => {
  const MOCK = ['--ttft', '30', '--itl', '20', '--tokens', '16', '--no-jitter'];

  async function probeMock(mockArgs: string[], probeArgs: string[], env: Record<string, string>): Promise<ProbeJson['requests']> {
    const mock = await startMockProcess([...MOCK, ...mockArgs]);
    try {
      const res = await runCli(['probe', '--base-url', mock.url, '-n', '3', '--json', ...probeArgs], { env });
      expectNoSecret(res);
      return (JSON.parse(res.stdout) as ProbeJson).requests;
    } finally {
      await mock.stop();
    }
  }

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it('cannot look faster: ITL and tokens/s divide by relaymon\'s own exact count (counted), as for the honest mock', async () => {
    const openai = { OPENAI_API_KEY: SENTINEL_KEY };
    const honest = await probeMock([], ['--model', 'gpt-4o'], openai);
    // 16 tokens 20 ms apart, billed as 48.
    const inflated = await probeMock(['--inflate-usage', '3'], ['--model', 'gpt-4o'], openai);
    for (const r of [...honest, ...inflated]) {
      expect(r.ok).toBe(true);
      expect(r.rateTokenSource).toBe('counted');
    }
    // 20 ms gaps, with room for a loaded machine stamping the first arrival late (which shortens the span); dividing
    // by the billed 48 read 20 × 15 / 47 ≈ 6.4 ms.
    for (const set of [honest, inflated]) {
      expect(median(set.map((r) => r.itlMs!))).toBeGreaterThanOrEqual(12);
      expect(median(set.map((r) => r.itlMs!))).toBeLessThan(60);
    }
    expect(honest.map((r) => r.outputTokens)).toEqual([16, 16, 16]);
    expect(inflated.map((r) => r.outputTokens)).toEqual([48, 48, 48]);
    // Dividing by the billed 48 read ~157 tok/s for a true 50: three times the honest mock's. Now they agree.
    const ratio = median(inflated.map((r) => r.outputTokensPerSecond!)) / median(honest.map((r) => r.outputTokensPerSecond!));
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });

  it('tool calls too: their framing makes the count an estimate, but the arguments are counted exactly, so rates divide by it', async () => {
    const openai = { OPENAI_API_KEY: SENTINEL_KEY };
    const honest = await probeMock([], ['--model', 'gpt-4o', '--kind', 'tools'], openai);
    const inflated = await probeMock(['--inflate-usage', '3'], ['--model', 'gpt-4o', '--kind', 'tools'], openai);
    for (const r of [...honest, ...inflated]) expect([r.ok, r.rateTokenSource]).toEqual([true, 'counted']);
    // The relay's own figure read ~3× faster here before (178 tok/s against a true ~55).
    const ratio = median(inflated.map((r) => r.outputTokensPerSecond!)) / median(honest.map((r) => r.outputTokensPerSecond!));
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });

  it('the same over the Responses API: the inflating relay is not faster than the honest one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-rate-'));
    const run = async (mockArgs: string[]): Promise<ProbeJson['requests']> => {
      const mock = await startMockProcess([...MOCK, ...mockArgs]);
      try {
        const config = join(dir, `${mockArgs.length}.yaml`);
        writeFileSync(config, `targets:\n  r:\n    baseUrl: ${mock.url}\n    protocol: openai-responses\n    apiKeyEnv: OPENAI_API_KEY\n`);
        const res = await runCli(['probe', '--config', config, '--model', 'gpt-4o', '-n', '3', '--json'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
        expectNoSecret(res);
        return (JSON.parse(res.stdout) as ProbeJson).requests;
      } finally {
        await mock.stop();
      }
    };
    const honest = await run([]);
    const inflated = await run(['--inflate-usage', '3']);
    for (const r of [...honest, ...inflated]) expect([r.ok, r.rateTokenSource]).toEqual([true, 'counted']);
    expect(inflated.map((r) => r.outputTokens)).toEqual([48, 48, 48]);
    const ratio = median(inflated.map((r) => r.outputTokensPerSecond!)) / median(honest.map((r) => r.outputTokensPerSecond!));
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });

  it('a model family without a public tokenizer divides by the relay\'s figure (reported)', async () => {
    const rs = await probeMock([], ['--protocol', 'anthropic', '--model', 'claude-sonnet-4-5'], { ANTHROPIC_API_KEY: SENTINEL_KEY });
    for (const r of rs) {
      expect(r.ok).toBe(true);
      expect(r.rateTokenSource).toBe('reported');
      expect(r.outputTokens).toBe(16);
      expect(r.itlMs!).toBeGreaterThan(0);
    }
  });

  it('a stream without usage divides by relaymon\'s own count (counted), even for a family it can only estimate', async () => {
    const rs = await probeMock(['--drop-usage', '1'], ['--protocol', 'anthropic', '--model', 'claude-sonnet-4-5'], { ANTHROPIC_API_KEY: SENTINEL_KEY });
    for (const r of rs) {
      expect(r.ok).toBe(true);
      expect(r.usageSource).toBe('estimated');
      expect(r.rateTokenSource).toBe('counted');
      expect(r.itlMs).not.toBeNull();
    }
  });

  it('a non-streamed answer has no rate and no rate token source', async () => {
    const rs = await probeMock(['--inflate-usage', '3'], ['--model', 'gpt-4o', '--no-stream'], { OPENAI_API_KEY: SENTINEL_KEY });
    for (const r of rs) {
      expect(r.ok).toBe(true);
      expect(r.rateTokenSource).toBeNull();
      expect(r.outputTokensPerSecond).toBeNull();
    }
  });
});

describe('a stream that fails part-way', () => {
  it('counts the tokens it delivered and their cost', async () => {
    const json = await probe(async (res) => {
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [role];
      for (let i = 0; i < 8; i++) parts.push(sse(openaiChunk({ content: ' hello' })), { waitMs: 5 });
      await writeSlowly(res, parts);
      res.end(); // no [DONE], no usage: truncated
    });
    const r = json.requests[0]!;
    expect(r.ok).toBe(false);
    expect(r.errorType).toBe('stream_truncated');
    expect(r.usageSource).toBe('estimated');
    expect(r.outputTokens).toBe(8);
    expect(r.costUsd!).toBeGreaterThan(0);
    expect(json.summary.outputTokens).toBe(8);
    expect(json.summary.costUsd).toBe(r.costUsd);
  });
});

describe('an Anthropic stream that fails part-way', () => {
  it('counts the tokens it delivered, not message_start\'s placeholder output_tokens', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      const ev = (type: string, data: Record<string, unknown>): string => sse({ type, ...data }, type);
      const parts: (string | { waitMs: number })[] = [
        ev('message_start', { message: { id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 9, output_tokens: 1 } } }),
        ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ];
      for (let i = 0; i < 12; i++) parts.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' hello' } }), { waitMs: 5 });
      await writeSlowly(res, parts);
      res.end(); // no message_delta (the real output count), no message_stop: truncated
    });
    const cli = await runCli(['probe', '--base-url', server.url, '--protocol', 'anthropic', '--model', 'claude-sonnet-4-5', '--json'], {
      env: { ANTHROPIC_API_KEY: SENTINEL_KEY },
    });
    expectNoSecret(cli);
    const r = (JSON.parse(cli.stdout) as ProbeJson).requests[0]!;
    expect(r.errorType).toBe('stream_truncated');
    // Before: outputTokens 1 'reported' (the placeholder), so ITL and cost of 12 delivered tokens were lost.
    expect(r.usageSource).toBe('estimated');
    expect(r.outputTokens).toBe(12);
    expect(r.itlMs).not.toBeNull();
    expect(r.costUsd!).toBeGreaterThan(0);
  });
});

describe('Anthropic cache writes', () => {
  it('are priced at the cache-write rate (cache_creation_input_token_cost), not the plain input rate', async () => {
    const prices = join(mkdtempSync(join(tmpdir(), 'relaymon-prices-')), 'prices.json');
    writeFileSync(
      prices,
      JSON.stringify({
        'test-claude': { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, cache_read_input_token_cost: 3e-7, cache_creation_input_token_cost: 3.75e-6 },
      }),
    );
    const ev = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    server = await startHostile((_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(
        ev('message_start', {
          message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'test-claude', content: [], usage: { input_tokens: 25, cache_creation_input_tokens: 1000, cache_read_input_tokens: 2000, output_tokens: 1 } },
        }) +
          ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
          ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'OK' } }) +
          ev('content_block_stop', { index: 0 }) +
          ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20 } }) +
          ev('message_stop', {}),
      );
    });
    const res = await runCli(['probe', '--base-url', server.url, '--protocol', 'anthropic', '--model', 'test-claude', '--prices', prices, '--json'], {
      env: { ANTHROPIC_API_KEY: SENTINEL_KEY },
    });
    expectNoSecret(res);
    const r = (JSON.parse(res.stdout) as ProbeJson).requests[0]!;
    expect(r.ok).toBe(true);
    // 25 × 3e-6 + 2000 × 3e-7 + 1000 × 3.75e-6 + 20 × 1.5e-5 (at the plain input rate the writes would cost $0.003, not $0.00375).
    expect(r.costUsd!).toBeCloseTo(0.000075 + 0.0006 + 0.00375 + 0.0003, 12);
  });
});

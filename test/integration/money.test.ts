/**
 * Money that knows caching and reasoning (issue #13 item 3), over loopback
 * against hand-written relays, for all three protocols: cached input at the
 * cache-read price, Anthropic cache writes at the cache-write price,
 * reasoning at the output price (the built-in database has no reasoning
 * price of its own); a relay that bills cached tokens at full price shows a
 * cost gap; reasoning the relay reports but streams only a summary of is
 * reconciled, not flagged, and reasoning it invents is.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PriceTable } from '../../src/pricing/table.js';
import { countRequestPrompt } from '../../src/tokens/local-count.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile, type HostileHandler, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

interface Req {
  ok: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  usageSource: string | null;
  costUsd: number | null;
  reportedCostUsd: number | null;
  costGapUsd: number | null;
  localOutputTokens: number | null;
  usageGapTokens: number | null;
  usageMismatch: boolean;
  rateTokenSource: string | null;
  itlMs: number | null;
}

const env = { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY };
const dir = mkdtempSync(join(tmpdir(), 'relaymon-money-'));
const prices = PriceTable.builtIn();

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** One probe of a hand-written relay through `protocol`, with a config file so every protocol is reachable. */
async function probe(protocol: string, model: string, handler: HostileHandler, extra: string[] = []): Promise<Req> {
  server = await startHostile(handler);
  const config = join(dir, `${protocol}-${Math.random().toString(36).slice(2)}.yaml`);
  const keyEnv = protocol === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  writeFileSync(config, `targets:\n  relay:\n    baseUrl: ${server.url}\n    protocol: ${protocol}\n    apiKeyEnv: ${keyEnv}\n`);
  const res = await runCli(['probe', '--config', config, '--model', model, '--json', ...extra], { env });
  expectNoSecret(res);
  expect(res.code).toBe(0);
  return (JSON.parse(res.stdout) as { requests: Req[] }).requests[0]!;
}

/** o4-mini's figures from the built-in table, USD per token. */
function o4mini() {
  const p = prices.lookup('o4-mini')!.price;
  return { input: p.input_cost_per_token, output: p.output_cost_per_token, cacheRead: p.cache_read_input_token_cost!, reasoning: p.output_cost_per_reasoning_token ?? p.output_cost_per_token };
}

// 6,000 prompt tokens of which 4,096 cached; 1,500 output of which 1,200 reasoning.
const BIG = { input: 6000, cached: 4096, output: 1500, reasoning: 1200 };

function byHandO4mini(): { fair: number; fullPrice: number } {
  const p = o4mini();
  const fair = (BIG.input - BIG.cached) * p.input + BIG.cached * p.cacheRead + (BIG.output - BIG.reasoning) * p.output + BIG.reasoning * p.reasoning;
  // What a relay charges that bills the cached tokens as if they were not.
  const fullPrice = BIG.input * p.input + (BIG.output - BIG.reasoning) * p.output + BIG.reasoning * p.reasoning;
  return { fair, fullPrice };
}

const responsesEvent = (type: string, rest: Record<string, unknown> = {}): string => sse({ type, ...rest }, type);

describe('cached and reasoning tokens are priced at their own rates, whatever the protocol', () => {
  it('Chat Completions, streamed: a relay that charges cached tokens at full price shows the cost gap', async () => {
    const { fair, fullPrice } = byHandO4mini();
    const r = await probe('openai', 'o4-mini', (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(
        sse(openaiChunk({ role: 'assistant', content: '' })) +
          sse(openaiChunk({ content: 'OK' })) +
          sse(
            openaiUsageChunk(BIG.input, BIG.output, {
              prompt_tokens_details: { cached_tokens: BIG.cached },
              completion_tokens_details: { reasoning_tokens: BIG.reasoning },
              cost: fullPrice,
            }),
          ) +
          'data: [DONE]\n\n',
      );
    });
    expect(r).toMatchObject({ ok: true, usageSource: 'reported', cachedInputTokens: BIG.cached, reasoningTokens: BIG.reasoning });
    expect(r.costUsd!).toBeCloseTo(fair, 12);
    expect(r.reportedCostUsd!).toBeCloseTo(fullPrice, 12);
    // The gap is exactly the cache discount the relay kept: cached × (input − cache read).
    expect(r.costGapUsd!).toBeCloseTo(BIG.cached * (o4mini().input - o4mini().cacheRead), 12);
    expect(r.costGapUsd!).toBeGreaterThan(0);
  });

  it.each([['streamed', []], ['non-streamed', ['--no-stream']]])('Responses API, %s: the same usage is priced the same; a relay that charges fairly has no gap', async (_how, extra) => {
    const { fair } = byHandO4mini();
    const usage = {
      input_tokens: BIG.input,
      input_tokens_details: { cached_tokens: BIG.cached },
      output_tokens: BIG.output,
      output_tokens_details: { reasoning_tokens: BIG.reasoning },
      total_tokens: BIG.input + BIG.output,
    };
    const response = { id: 'resp_1', object: 'response', model: 'o4-mini-2025-04-16' };
    const r = await probe(
      'openai-responses',
      'o4-mini',
      (_req, res, body) => {
        const stream = (body as { stream?: unknown }).stream === true;
        // The relay's own price, as LiteLLM-based relays send it.
        const headers = { 'x-litellm-response-cost': String(fair) };
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify({ ...response, status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'OK' }] }], usage, incomplete_details: null }));
          return;
        }
        res.writeHead(200, { ...SSE_HEADERS, ...headers });
        res.end(
          responsesEvent('response.created', { response: { ...response, status: 'in_progress', output: [] } }) +
            responsesEvent('response.output_item.added', { output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } }) +
            responsesEvent('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } }) +
            responsesEvent('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'OK' }) +
            responsesEvent('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: 'OK' }) +
            responsesEvent('response.output_item.done', { output_index: 0, item: { id: 'msg_1', type: 'message' } }) +
            responsesEvent('response.completed', { response: { ...response, status: 'completed', output: [], usage } }),
        );
      },
      extra as string[],
    );
    expect(r).toMatchObject({ ok: true, usageSource: 'reported', inputTokens: BIG.input, cachedInputTokens: BIG.cached, outputTokens: BIG.output, reasoningTokens: BIG.reasoning });
    expect(r.costUsd!).toBeCloseTo(fair, 12);
    expect(r.costGapUsd!).toBeCloseTo(0, 12);
  });

  it('Anthropic, non-streamed with thinking: cache reads, cache writes and thinking each at their price', async () => {
    const p = prices.lookup('claude-sonnet-4-5')!.price;
    // Anthropic's input_tokens leave the cache out; relaymon's inputTokens put it back in (300 + 2,500 + 1,200).
    const r = await probe('anthropic', 'claude-sonnet-4-5', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [
            { type: 'thinking', thinking: 'The user wants OK.', signature: 'sig' },
            { type: 'text', text: 'OK' },
          ],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 300, cache_read_input_tokens: 2500, cache_creation_input_tokens: 1200, output_tokens: 900 },
        }),
      );
    }, ['--no-stream']);
    expect(r).toMatchObject({ ok: true, usageSource: 'reported', inputTokens: 4000, cachedInputTokens: 2500, outputTokens: 900 });
    // Thinking is output to Anthropic and to the price table (no reasoning price): all 900 at the output price.
    const byHand = 300 * p.input_cost_per_token + 2500 * p.cache_read_input_token_cost! + 1200 * p.cache_creation_input_token_cost! + 900 * p.output_cost_per_token;
    expect(byHand).toBeCloseTo(0.0009 + 0.00075 + 0.0045 + 0.0135, 12);
    expect(r.costUsd!).toBeCloseTo(byHand, 12);
  });
});

describe('reasoning against relaymon\'s own count', () => {
  const VISIBLE = 6; // ' hello' is one token
  const SUMMARY = ['The user', ' wants a greeting.'];

  /** A Responses stream with a reasoning summary and `VISIBLE` answer tokens; the relay claims `reasoning` reasoning tokens and `extra` more output. */
  function reasoningRelay(reasoning: number, extra: number): HostileHandler {
    return (_req, res, body) => {
      const model = (body as { model: string }).model;
      const input = countRequestPrompt(model, body as Record<string, unknown>).tokens;
      const response = { id: 'resp_2', object: 'response', model };
      let out =
        responsesEvent('response.created', { response: { ...response, status: 'in_progress', output: [] } }) +
        responsesEvent('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } });
      for (const delta of SUMMARY) out += responsesEvent('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta });
      out +=
        responsesEvent('response.output_item.done', { output_index: 0, item: { id: 'rs_1', type: 'reasoning' } }) +
        responsesEvent('response.output_item.added', { output_index: 1, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } });
      res.writeHead(200, SSE_HEADERS);
      res.write(out);
      let i = 0;
      const tick = setInterval(() => {
        res.write(responsesEvent('response.output_text.delta', { item_id: 'msg_1', output_index: 1, content_index: 0, delta: ' hello' }));
        if (++i < VISIBLE) return;
        clearInterval(tick);
        const usage = {
          input_tokens: input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: VISIBLE + reasoning + extra,
          output_tokens_details: { reasoning_tokens: reasoning },
          total_tokens: input + VISIBLE + reasoning + extra,
        };
        res.end(
          responsesEvent('response.output_item.done', { output_index: 1, item: { id: 'msg_1', type: 'message' } }) +
            responsesEvent('response.completed', { response: { ...response, status: 'completed', output: [], usage } }),
        );
      }, 10);
    };
  }

  it('hidden reasoning the relay reports (only a summary streamed) is accounted for, not flagged', async () => {
    const r = await probe('openai-responses', 'o4-mini', reasoningRelay(300, 0));
    expect(r).toMatchObject({ ok: true, reasoningTokens: 300, outputTokens: VISIBLE + 300, localOutputTokens: VISIBLE + 300, usageGapTokens: 0, usageMismatch: false });
    // Rates divide by the 6 visible tokens relaymon counted, not by 306.
    expect(r.rateTokenSource).toBe('counted');
    expect(r.itlMs!).toBeGreaterThan(5);
  });

  it('visible tokens the relay bills but never sent are a mismatch, with the reasoning still accounted for', async () => {
    const r = await probe('openai-responses', 'o4-mini', reasoningRelay(300, 30));
    expect(r).toMatchObject({ ok: true, outputTokens: VISIBLE + 330, localOutputTokens: VISIBLE + 300, usageGapTokens: 30, usageMismatch: true });
  });
});

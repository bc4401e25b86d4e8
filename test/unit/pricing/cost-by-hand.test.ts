/**
 * Issue #13 "must show": the cost of a request with cached, cache-write and
 * reasoning tokens matches a hand computation from the price table's own
 * figures. The figures are read from the table here (the built-in database,
 * then a LiteLLM file that prices reasoning apart) and the sum is written out
 * term by term, in USD per million tokens so each line can be checked on paper.
 */
import { describe, expect, it } from 'vitest';
import { PriceTable, type ModelPrice } from '../../../src/pricing/table.js';

const builtIn = PriceTable.builtIn();

function priceOf(table: PriceTable, model: string): ModelPrice {
  const m = table.lookup(model);
  if (!m) throw new Error(`${model} has no price`);
  return m.price;
}

/** USD per token → USD per million tokens, the unit price lists are written in. */
const perM = (usdPerToken: number): number => usdPerToken * 1e6;

describe('cost with cached, cache-write and reasoning tokens, by hand', () => {
  it('Anthropic (claude-sonnet-4-5, built-in table): 4,000 input of which 2,500 cache reads and 1,200 cache writes; 900 output of which 600 thinking', () => {
    const p = priceOf(builtIn, 'claude-sonnet-4-5');
    // The database's list prices, read from the table: $3 in, $15 out, $0.30 cache read, $3.75 cache write (5-minute) per million.
    expect([perM(p.input_cost_per_token), perM(p.output_cost_per_token)]).toEqual([3, 15]);
    expect(perM(p.cache_read_input_token_cost!)).toBeCloseTo(0.3, 9);
    expect(perM(p.cache_creation_input_token_cost!)).toBeCloseTo(3.75, 9);
    // The database has no separate reasoning price: thinking is billed as output.
    expect(p.output_cost_per_reasoning_token).toBeUndefined();

    // inputTokens includes the cache reads and writes (the Anthropic adapter adds them to input_tokens).
    const usage = { inputTokens: 4000, cachedInputTokens: 2500, cacheWriteInputTokens: 1200, outputTokens: 900, reasoningTokens: 600 };
    const byHand =
      ((4000 - 2500 - 1200) * perM(p.input_cost_per_token) + // 300 uncached input tokens × $3/M   = $0.000900
        2500 * perM(p.cache_read_input_token_cost!) + //        2,500 cache reads × $0.30/M         = $0.000750
        1200 * perM(p.cache_creation_input_token_cost!) + //    1,200 cache writes × $3.75/M        = $0.004500
        (900 - 600) * perM(p.output_cost_per_token) + //        300 visible output × $15/M          = $0.004500
        600 * perM(p.output_cost_per_token)) / //               600 thinking at the output price    = $0.009000
      1e6;
    expect(byHand).toBeCloseTo(0.00090 + 0.00075 + 0.0045 + 0.0045 + 0.009, 12);
    expect(builtIn.cost('claude-sonnet-4-5', usage)).toBeCloseTo(byHand, 12);
    // The target's priceMultiplier scales the whole of it.
    expect(builtIn.cost('claude-sonnet-4-5', usage, 0.3)).toBeCloseTo(byHand * 0.3, 12);
    // At the plain input price the same request would cost more: the cache rates are really used.
    const plain = builtIn.cost('claude-sonnet-4-5', { ...usage, cachedInputTokens: 0, cacheWriteInputTokens: 0 })!;
    expect(plain - byHand).toBeCloseTo((2500 * (3 - 0.3) - 1200 * (3.75 - 3)) / 1e6, 12);
  });

  it('OpenAI (o4-mini, built-in table): 6,000 input of which 4,096 cached; 1,500 output of which 1,200 reasoning', () => {
    const p = priceOf(builtIn, 'o4-mini');
    expect(perM(p.input_cost_per_token)).toBeCloseTo(1.1, 9);
    expect(perM(p.output_cost_per_token)).toBeCloseTo(4.4, 9);
    expect(perM(p.cache_read_input_token_cost!)).toBeCloseTo(0.275, 9);
    // OpenAI writes no cache entries at a price of their own.
    expect(p.cache_creation_input_token_cost).toBeUndefined();

    // As the Chat Completions and Responses adapters report it: input_tokens / prompt_tokens include the cached ones.
    const usage = { inputTokens: 6000, cachedInputTokens: 4096, outputTokens: 1500, reasoningTokens: 1200 };
    const byHand =
      ((6000 - 4096) * perM(p.input_cost_per_token) + //  1,904 × $1.10/M  = $0.0020944
        4096 * perM(p.cache_read_input_token_cost!) + //  4,096 × $0.275/M = $0.0011264
        (1500 - 1200) * perM(p.output_cost_per_token) + //  300 × $4.40/M  = $0.0013200
        1200 * perM(p.output_cost_per_token)) / //        1,200 × $4.40/M  = $0.0052800
      1e6;
    expect(byHand).toBeCloseTo(0.0020944 + 0.0011264 + 0.00132 + 0.00528, 12);
    expect(builtIn.cost('o4-mini', usage)).toBeCloseTo(byHand, 12);
  });

  it('a price file that prices reasoning apart (output_cost_per_reasoning_token) is used for the reasoning tokens', () => {
    const table = builtIn.withLiteLLM(
      {
        'thinker-1': {
          input_cost_per_token: 2e-6,
          output_cost_per_token: 8e-6,
          cache_read_input_token_cost: 5e-7,
          cache_creation_input_token_cost: 2.5e-6,
          output_cost_per_reasoning_token: 1.2e-5,
        },
      },
      'prices.json',
    );
    const p = priceOf(table, 'thinker-1');
    const usage = { inputTokens: 1000, cachedInputTokens: 600, cacheWriteInputTokens: 100, outputTokens: 500, reasoningTokens: 400 };
    const byHand =
      ((1000 - 600 - 100) * perM(p.input_cost_per_token) + //  300 × $2/M    = $0.00060
        600 * perM(p.cache_read_input_token_cost!) + //         600 × $0.50/M = $0.00030
        100 * perM(p.cache_creation_input_token_cost!) + //     100 × $2.50/M = $0.00025
        (500 - 400) * perM(p.output_cost_per_token) + //        100 × $8/M    = $0.00080
        400 * perM(p.output_cost_per_reasoning_token!)) / //    400 × $12/M   = $0.00480
      1e6;
    expect(byHand).toBeCloseTo(0.0006 + 0.0003 + 0.00025 + 0.0008 + 0.0048, 12);
    expect(table.cost('thinker-1', usage)).toBeCloseTo(byHand, 12);
  });

  it('a cacheable request\'s worst case takes its input at the cache-write price, so the budget guard never undercounts it', () => {
    const p = priceOf(builtIn, 'claude-sonnet-4-5');
    const plain = builtIn.worstCaseCost('claude-sonnet-4-5', 2000, 100)!;
    expect(plain).toBeCloseTo((2000 * perM(p.input_cost_per_token) + 100 * perM(p.output_cost_per_token)) / 1e6, 12);
    const cacheable = builtIn.worstCaseCost('claude-sonnet-4-5', 2000, 100, 1, { cacheWrite: true })!;
    expect(cacheable).toBeCloseTo((2000 * perM(p.cache_creation_input_token_cost!) + 100 * perM(p.output_cost_per_token)) / 1e6, 12);
    // A model whose cache writes cost nothing extra keeps its input price.
    expect(builtIn.worstCaseCost('o4-mini', 2000, 100, 1, { cacheWrite: true })).toBeCloseTo(builtIn.worstCaseCost('o4-mini', 2000, 100)!, 12);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { PriceTable, type TokenUsage } from '../../../src/pricing/table.js';

const table = PriceTable.builtIn();

function usage(u: Partial<TokenUsage>): TokenUsage {
  return { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null, ...u };
}

describe('PriceTable.builtIn lookups through aliases', () => {
  it.each([
    // [name asked for, key expected, input USD/token, output USD/token]
    ['gpt-4o', 'gpt-4o', 2.5e-6, 1e-5],
    ['openai/gpt-4o-2024-08-06', 'gpt-4o', 2.5e-6, 1e-5],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini', 1.5e-7, 6e-7],
    ['gpt-4-1', 'gpt-4.1', 2e-6, 8e-6],
    ['openai/gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini', 4e-7, 1.6e-6],
    ['GPT-5-2025-08-07', 'gpt-5', 1.25e-6, 1e-5],
    ['gpt-5-mini', 'gpt-5-mini', 2.5e-7, 2e-6],
    ['o4-mini-2025-04-16', 'o4-mini', 1.1e-6, 4.4e-6],
    ['anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5', 3e-6, 1.5e-5],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 3e-6, 1.5e-5],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5', 3e-6, 1.5e-5],
    ['claude-opus-4.1', 'claude-opus-4-1', 1.5e-5, 7.5e-5],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1', 1.5e-5, 7.5e-5],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4-5', 1e-6, 5e-6],
    // The price database's own matching: it lists these as claude-sonnet-4-0 / claude-opus-4-0.
    ['claude-sonnet-4-20250514', 'claude-sonnet-4-0', 3e-6, 1.5e-5],
    ['claude-opus-4-20250514', 'claude-opus-4-0', 1.5e-5, 7.5e-5],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash', 3e-7, 2.5e-6],
    ['google/gemini-2.5-pro', 'gemini-2.5-pro', 1.25e-6, 1e-5],
    ['deepseek/deepseek-v3.2', 'deepseek-v3.2', 2.288e-7, 3.432e-7],
    ['deepseek-v3-2', 'deepseek-v3.2', 2.288e-7, 3.432e-7],
  ])('%s is priced as %s', (name, key, input, output) => {
    const m = table.lookup(name);
    expect(m?.key).toBe(key);
    expect(m?.price.input_cost_per_token).toBe(input);
    expect(m?.price.output_cost_per_token).toBe(output);
  });

  it('an exact key wins over a normalised one', () => {
    expect(table.lookup('gpt-4o-2024-05-13')).toEqual({
      key: 'gpt-4o-2024-05-13',
      price: { input_cost_per_token: 5e-6, output_cost_per_token: 1.5e-5 },
    });
    expect(table.lookup('openai/gpt-4o-2024-05-13')?.key).toBe('gpt-4o-2024-05-13');
    expect(table.lookup('gpt-4o-2024-11-20')?.key).toBe('gpt-4o');
  });

  it('does not price a different model under a similar name', () => {
    expect(table.lookup('gpt-4')?.key).toBe('gpt-4');
    expect(table.lookup('gpt-4o-mini')?.key).toBe('gpt-4o-mini');
    expect(table.lookup('gpt-4x')).toBeNull();
    expect(table.lookup('claude-3')).toBeNull();
    expect(table.lookup('no-such-model-xyz')).toBeNull();
    expect(table.lookup('')).toBeNull();
  });
});

describe('PriceTable.cost', () => {
  it('prices cached input at the cache-read rate and applies the multiplier', () => {
    // gpt-4o: 600 × 2.5e-6 + 400 × 1.25e-6 + 500 × 1e-5 = 0.0015 + 0.0005 + 0.005
    const u = usage({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500, reasoningTokens: 0 });
    expect(table.cost('gpt-4o', u)).toBeCloseTo(0.007, 12);
    expect(table.cost('openai/gpt-4o-2024-08-06', u, 0.15)).toBeCloseTo(0.00105, 12);
  });

  it('prices reasoning tokens at the reasoning rate', () => {
    const t = table.withLiteLLM(
      {
        'test-reasoner': {
          input_cost_per_token: 1e-6,
          output_cost_per_token: 2e-6,
          cache_read_input_token_cost: 1e-7,
          output_cost_per_reasoning_token: 5e-6,
        },
      },
      'test',
    );
    // 1000 × 1e-6 + 1000 × 1e-7 + 100 × 2e-6 + 200 × 5e-6 = 0.001 + 0.0001 + 0.0002 + 0.001
    const u = usage({ inputTokens: 2000, cachedInputTokens: 1000, outputTokens: 300, reasoningTokens: 200 });
    expect(t.cost('test-reasoner', u)).toBeCloseTo(0.0023, 12);
    expect(t.cost('test-reasoner', u, 2)).toBeCloseTo(0.0046, 12);
  });

  it('prices Anthropic cache-write tokens at the cache-write rate (cache_creation_input_token_cost)', () => {
    const t = table.withLiteLLM(
      {
        'test-claude': {
          input_cost_per_token: 3e-6,
          output_cost_per_token: 1.5e-5,
          cache_read_input_token_cost: 3e-7,
          cache_creation_input_token_cost: 3.75e-6,
        },
      },
      'test',
    );
    // input 2125 = 25 plain + 2000 cache reads + 100 cache writes:
    // 25 × 3e-6 + 2000 × 3e-7 + 100 × 3.75e-6 + 20 × 1.5e-5 = 0.000075 + 0.0006 + 0.000375 + 0.0003
    const u = { ...usage({ inputTokens: 2125, cachedInputTokens: 2000, outputTokens: 20, reasoningTokens: 0 }), cacheWriteInputTokens: 100 };
    expect(t.cost('test-claude', u)).toBeCloseTo(0.00135, 12);
    // Without a cache-write rate the writes fall back to the input rate.
    const plain = table.withLiteLLM({ 'test-claude': { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, cache_read_input_token_cost: 3e-7 } }, 'test');
    expect(plain.cost('test-claude', u)).toBeCloseTo(0.000075 + 0.0006 + 0.0003 + 0.0003, 12);
    // Never more written than the input left after the reads.
    expect(t.cost('test-claude', { ...u, cacheWriteInputTokens: 5000 })).toBeCloseTo(125 * 3.75e-6 + 0.0006 + 0.0003, 12);
  });

  it('falls back to the plain rates when no cache or reasoning rate is given', () => {
    // gpt-4o-2024-05-13 has no cache rate: 1000 × 5e-6 + 100 × 1.5e-5 = 0.005 + 0.0015
    const u = usage({ inputTokens: 1000, cachedInputTokens: 500, outputTokens: 100, reasoningTokens: 60 });
    expect(table.cost('gpt-4o-2024-05-13', u)).toBeCloseTo(0.0065, 12);
  });

  it('prices unreported cached and reasoning counts at the plain rate', () => {
    expect(table.cost('gpt-4o', usage({ inputTokens: 1000, outputTokens: 0 }))).toBeCloseTo(0.0025, 12);
  });

  it('never prices a negative remainder when cached exceeds input', () => {
    const u = usage({ inputTokens: 1000, cachedInputTokens: 2000, outputTokens: 0 });
    expect(table.cost('gpt-4o', u)).toBeCloseTo(0.00125, 12);
  });

  it('is null, never 0, for an unknown model or unknown counts', () => {
    const u = usage({ inputTokens: 10, outputTokens: 10 });
    expect(table.cost('no-such-model', u)).toBeNull();
    expect(table.cost('gpt-4o', usage({ inputTokens: null, outputTokens: 10 }))).toBeNull();
    expect(table.cost('gpt-4o', usage({ inputTokens: 10, outputTokens: null }))).toBeNull();
    expect(table.cost('gpt-4o', usage({ inputTokens: Number.NaN, outputTokens: 10 }))).toBeNull();
    expect(table.cost('gpt-4o', usage({ inputTokens: -1, outputTokens: 10 }))).toBeNull();
  });

  it('is exactly 0 only for zero tokens of a known model', () => {
    expect(table.cost('gpt-4o', usage({ inputTokens: 0, outputTokens: 0 }))).toBe(0);
  });
});

describe('PriceTable.worstCaseCost', () => {
  it('prices all input at the input rate and max_tokens at the output rate', () => {
    // 1000 × 2.5e-6 + 100 × 1e-5 = 0.0025 + 0.001
    expect(table.worstCaseCost('gpt-4o', 1000, 100)).toBeCloseTo(0.0035, 12);
    expect(table.worstCaseCost('gpt-4o', 1000, 100, 2)).toBeCloseTo(0.007, 12);
  });

  it('uses the reasoning rate when it is the dearer one', () => {
    const t = table.withLiteLLM(
      { r: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, output_cost_per_reasoning_token: 5e-6 } },
      'test',
    );
    expect(t.worstCaseCost('r', 100, 10)).toBeCloseTo(100 * 1e-6 + 10 * 5e-6, 12);
  });

  it('is null for an unknown model', () => {
    expect(table.worstCaseCost('no-such-model', 1000, 100)).toBeNull();
  });
});

describe('PriceTable.withLiteLLM', () => {
  it('overrides a built-in price and adds a new model, leaving the original table alone', () => {
    const t = table.withLiteLLM(
      {
        sample_spec: { input_cost_per_token: 0.0, max_tokens: 'LEGACY parameter', mode: 'one of: chat, embedding' },
        'gpt-4o': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'openai' },
        'my-local-model': { input_cost_per_token: 1e-8, output_cost_per_token: 3e-8, cache_read_input_token_cost: 0 },
      },
      'prices.json',
    );
    expect(t.lookup('openai/gpt-4o-2024-08-06')).toEqual({
      key: 'gpt-4o',
      price: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
    });
    expect(t.lookup('my-local-model')?.price.output_cost_per_token).toBe(3e-8);
    expect(t.lookup('sample_spec')).toBeNull();
    expect(t.lookup('claude-haiku-4.5')?.price.input_cost_per_token).toBe(1e-6);
    expect(table.lookup('gpt-4o')?.price.input_cost_per_token).toBe(2.5e-6);
    expect(table.lookup('my-local-model')).toBeNull();
  });

  it('reprices a built-in model named with a vendor prefix in the overlay', () => {
    const t = table.withLiteLLM({ 'deepseek/deepseek-v3.2': { input_cost_per_token: 1e-7, output_cost_per_token: 2e-7 } }, 'x');
    expect(t.lookup('deepseek-v3.2')).toEqual({
      key: 'deepseek/deepseek-v3.2',
      price: { input_cost_per_token: 1e-7, output_cost_per_token: 2e-7 },
    });
  });

  it('prefers the bare key when several overlay keys name the same model', () => {
    const t = PriceTable.builtIn().withLiteLLM(
      {
        'openrouter/openai/gpt-4o': { input_cost_per_token: 3e-6, output_cost_per_token: 3e-5 },
        'gpt-4o-2024-05-13': { input_cost_per_token: 5e-6, output_cost_per_token: 1.5e-5 },
        'gpt-4o': { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5 },
        'azure/eu/gpt-4o': { input_cost_per_token: 2.75e-6, output_cost_per_token: 1.1e-5 },
      },
      'x',
    );
    expect(t.lookup('gpt-4o-2024-11-20')?.key).toBe('gpt-4o');
    expect(t.lookup('openrouter/openai/gpt-4o')?.key).toBe('openrouter/openai/gpt-4o');
    expect(t.lookup('gpt-4o-2024-05-13')?.price.input_cost_per_token).toBe(5e-6);
  });

  it('skips entries without numeric input and output prices', () => {
    const t = table.withLiteLLM(
      {
        '1024-x-1024/dall-e-2': { input_cost_per_pixel: 1.9e-8, output_cost_per_pixel: 0, mode: 'image_generation' },
        'half-priced': { input_cost_per_token: 1e-6 },
        'null-priced': { input_cost_per_token: null, output_cost_per_token: null },
      },
      'x',
    );
    expect(t.lookup('1024-x-1024/dall-e-2')).toBeNull();
    expect(t.lookup('half-priced')).toBeNull();
    expect(t.lookup('null-priced')).toBeNull();
    expect(t.size).toBe(table.size);
  });

  it.each([
    [[], 'an array'],
    [null, 'null'],
    ['{"gpt-4o": {}}', 'expected a JSON object'],
    [42, '42'],
  ])('rejects a top level that is not an object (%j)', (json, fragment) => {
    expect(() => table.withLiteLLM(json, 'prices file p.json')).toThrow(UsageError);
    expect(() => table.withLiteLLM(json, 'prices file p.json')).toThrow(/prices file p\.json/);
    expect(() => table.withLiteLLM(json, 'prices file p.json')).toThrow(fragment);
  });

  it('rejects a price above $1 a token (1e300 once overflowed a bill shown as "unpriced")', () => {
    const one = (v: number) => () => table.withLiteLLM({ m: { input_cost_per_token: 1e-6, output_cost_per_token: v } }, 'p.json');
    expect(one(1e300)).toThrow('p.json: "m".output_cost_per_token is 1e+300 USD per token; at most 1 (prices are per token, not per million)');
    expect(one(1.5)).toThrow(UsageError);
    expect(one(1)).not.toThrow();
  });

  it('rejects a cost that is not a number ≥ 0, naming the source, key and field', () => {
    const bad = (entry: unknown) => () => table.withLiteLLM({ 'gpt-4o': { output_cost_per_token: 1e-5 }, 'bad-model': entry }, 'p.json');
    expect(bad({ input_cost_per_token: '0.000001', output_cost_per_token: 1e-6 })).toThrow(
      'p.json: "bad-model".input_cost_per_token must be a number ≥ 0, got "0.000001"',
    );
    expect(bad({ input_cost_per_token: 1e-6, output_cost_per_token: -1 })).toThrow(
      'p.json: "bad-model".output_cost_per_token must be a number ≥ 0, got -1',
    );
    expect(bad({ input_cost_per_token: 1e-6, output_cost_per_token: 1e-6, cache_read_input_token_cost: {} })).toThrow(
      /"bad-model"\.cache_read_input_token_cost/,
    );
    expect(bad('cheap')).toThrow('p.json: "bad-model" must be an object of prices, got "cheap"');
    try {
      bad({ input_cost_per_token: true, output_cost_per_token: 1 })();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
    }
  });
});

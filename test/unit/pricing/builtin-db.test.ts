import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../../src/pricing/table.js';
import { toModelPrice } from '../../../src/pricing/builtin.js';

const table = PriceTable.builtIn();

describe('built-in prices from the genai-prices database', () => {
  // The models of issue 11 that the old hand-kept table (18 models) left unpriced.
  it.each([
    'gpt-3.5-turbo',
    'gpt-4',
    'gpt-4o',
    'o3',
    'o1',
    'deepseek-chat',
    'deepseek-reasoner',
    'claude-3-haiku-20240307',
    'claude-3-opus-20240229',
    'claude-3-5-sonnet-20241022',
    'claude-3-5-haiku-20241022',
    'claude-3-7-sonnet-20250219',
    'claude-sonnet-4-20250514',
    'claude-opus-4-1-20250805',
    'claude-sonnet-4-5',
    'claude-haiku-4-5',
  ])('prices %s', (model) => {
    const m = table.lookup(model);
    expect(m).not.toBeNull();
    expect(m!.price.input_cost_per_token).toBeGreaterThan(0);
    expect(m!.price.output_cost_per_token).toBeGreaterThan(m!.price.input_cost_per_token);
  });

  it('carries cache-read and cache-write prices in LiteLLM names', () => {
    const sonnet = table.lookup('claude-sonnet-4-5-20250929')!.price;
    expect(sonnet.input_cost_per_token).toBeCloseTo(3e-6, 15);
    expect(sonnet.cache_read_input_token_cost).toBeCloseTo(3e-7, 15);
    expect(sonnet.cache_creation_input_token_cost).toBeCloseTo(3.75e-6, 15);
    expect(table.lookup('gpt-4o')!.price.cache_read_input_token_cost).toBeCloseTo(1.25e-6, 15);
    expect(table.lookup('gpt-4.1-mini')!.price.input_cost_per_token).toBe(4e-7); // no float dust from the per-million figure
  });

  it('maps tiers to their base, a dated price once its date has come, and time-of-day prices to the dearer one', () => {
    const price = toModelPrice(
      {
        id: 'm',
        prices: [
          { prices: { input_mtok: 1, output_mtok: 2 } },
          { constraint: { type: 'start_date', start_date: '2020-01-01' }, prices: { input_mtok: { base: 3 }, output_mtok: 4, output_reasoning_mtok: 5 } },
          { constraint: { type: 'start_date', start_date: '2999-01-01' }, prices: { input_mtok: 100, output_mtok: 100 } },
          { constraint: { type: 'time_of_date' }, prices: { input_mtok: 3.5, output_mtok: 1 } },
        ],
      },
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(price).toEqual({ input_cost_per_token: 3.5e-6, output_cost_per_token: 4e-6, output_cost_per_reasoning_token: 5e-6 });
    expect(toModelPrice({ id: 'tts', prices: { input_audio_mtok: 1 } })).toBeNull();
  });

  it("the user's LiteLLM file overrides the database, also for names only the database's matcher knew", () => {
    const t = table.withLiteLLM(
      {
        'gpt-4': { input_cost_per_token: 1e-9, output_cost_per_token: 2e-9 },
        'claude-sonnet-4-0': { input_cost_per_token: 3e-9, output_cost_per_token: 4e-9, cache_creation_input_token_cost: 5e-9 },
      },
      'prices.json',
    );
    expect(t.lookup('gpt-4')!.price).toEqual({ input_cost_per_token: 1e-9, output_cost_per_token: 2e-9 });
    const sonnet = t.lookup('claude-sonnet-4-0')!;
    expect(sonnet.price).toEqual({ input_cost_per_token: 3e-9, output_cost_per_token: 4e-9, cache_creation_input_token_cost: 5e-9 });
    // The original table is untouched.
    expect(table.lookup('gpt-4')!.price.input_cost_per_token).toBeCloseTo(3e-5, 15);
  });

  it('PriceTable.of holds only its own entries', () => {
    const t = PriceTable.of({ x: { input_cost_per_token: 1, output_cost_per_token: 2 } });
    expect(t.size).toBe(1);
    expect(t.lookup('gpt-4o')).toBeNull();
  });
});

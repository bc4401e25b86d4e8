/**
 * Built-in list prices, USD per token, in LiteLLM's key names so that a user's
 * `--prices` file (LiteLLM's own model_prices_and_context_window.json or a file
 * of their own) overlays it field for field.
 *
 * Source: BerriAI/litellm, model_prices_and_context_window.json at commit
 * 00035b69f416be24e2e323c13198d9b7d2d1bdf9, read on 2026-11-27 (that copy lists
 * snapshots dated as late as 2026-04-21, so it is no older than that). Each
 * number below was copied from the entry named in its comment; where LiteLLM
 * has several tiers (batch, flex, priority, above-200k-tokens context) the
 * standard tier is used. Prices change: users who need today's numbers should
 * point `--prices` at a current copy of that file.
 */

import type { ModelPrice } from './table.js';

export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice>> = {
  // --- OpenAI (litellm_provider "openai") ---
  // "gpt-4.1"
  'gpt-4.1': { input_cost_per_token: 2e-6, output_cost_per_token: 8e-6, cache_read_input_token_cost: 5e-7 },
  // "gpt-4.1-mini"
  'gpt-4.1-mini': { input_cost_per_token: 4e-7, output_cost_per_token: 1.6e-6, cache_read_input_token_cost: 1e-7 },
  // "gpt-4.1-nano"
  'gpt-4.1-nano': { input_cost_per_token: 1e-7, output_cost_per_token: 4e-7, cache_read_input_token_cost: 2.5e-8 },
  // "gpt-4o" (also the 2024-08-06 and 2024-11-20 snapshots)
  'gpt-4o': { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-6 },
  // "gpt-4o-2024-05-13": the first snapshot kept its launch price, so it gets its own row.
  'gpt-4o-2024-05-13': { input_cost_per_token: 5e-6, output_cost_per_token: 1.5e-5 },
  // "gpt-4o-mini"
  'gpt-4o-mini': { input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7, cache_read_input_token_cost: 7.5e-8 },
  // "gpt-5"
  'gpt-5': { input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-7 },
  // "gpt-5-mini"
  'gpt-5-mini': { input_cost_per_token: 2.5e-7, output_cost_per_token: 2e-6, cache_read_input_token_cost: 2.5e-8 },
  // "gpt-5-nano"
  'gpt-5-nano': { input_cost_per_token: 5e-8, output_cost_per_token: 4e-7, cache_read_input_token_cost: 5e-9 },
  // "o4-mini"
  'o4-mini': { input_cost_per_token: 1.1e-6, output_cost_per_token: 4.4e-6, cache_read_input_token_cost: 2.75e-7 },

  // --- Anthropic (litellm_provider "anthropic"; cache reads, not cache writes) ---
  // "claude-sonnet-4-5" (context up to 200k tokens)
  'claude-sonnet-4-5': { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, cache_read_input_token_cost: 3e-7 },
  // "claude-4-sonnet-20250514", Anthropic's id claude-sonnet-4-20250514 (context up to 200k tokens)
  'claude-sonnet-4': { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, cache_read_input_token_cost: 3e-7 },
  // "claude-opus-4-1"
  'claude-opus-4-1': { input_cost_per_token: 1.5e-5, output_cost_per_token: 7.5e-5, cache_read_input_token_cost: 1.5e-6 },
  // "claude-opus-4-20250514"
  'claude-opus-4': { input_cost_per_token: 1.5e-5, output_cost_per_token: 7.5e-5, cache_read_input_token_cost: 1.5e-6 },
  // "claude-haiku-4-5"
  'claude-haiku-4-5': { input_cost_per_token: 1e-6, output_cost_per_token: 5e-6, cache_read_input_token_cost: 1e-7 },

  // --- Google (litellm_provider "gemini" / "vertex_ai-language-models") ---
  // "gemini/gemini-2.5-flash" and "gemini-2.5-flash" (identical)
  'gemini-2.5-flash': {
    input_cost_per_token: 3e-7,
    output_cost_per_token: 2.5e-6,
    cache_read_input_token_cost: 3e-8,
    output_cost_per_reasoning_token: 2.5e-6,
  },
  // "gemini-2.5-pro" (prompts up to 200k tokens)
  'gemini-2.5-pro': { input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-7 },

  // --- DeepSeek (litellm_provider "deepseek") ---
  // "deepseek/deepseek-v3.2" gives input 2.8e-7 and a cache hit of 2.8e-8 (as
  // input_cost_per_token_cache_hit), but output 4e-7; its "deepseek/deepseek-chat"
  // entry, which cites https://api-docs.deepseek.com/quick_start/pricing and is
  // served by V3.2, says 4.2e-7. The cited figure is used.
  'deepseek-v3.2': { input_cost_per_token: 2.8e-7, output_cost_per_token: 4.2e-7, cache_read_input_token_cost: 2.8e-8 },
};

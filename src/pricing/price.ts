/** What a price is: the shapes the price table (table.ts) and the built-in database (builtin.ts) both speak. */

/** USD per token, LiteLLM's key names. */
export interface ModelPrice {
  input_cost_per_token: number;
  output_cost_per_token: number;
  /** Price of the cached part of the input; absent means "same as input". */
  cache_read_input_token_cost?: number;
  /** Price of input written to the prompt cache (Anthropic's cache_creation_input_tokens); absent means "same as input". */
  cache_creation_input_token_cost?: number;
  /** Price of reasoning tokens (part of the output); absent means "same as output". */
  output_cost_per_reasoning_token?: number;
}

/**
 * Token counts as RequestResult carries them: inputTokens includes the cached
 * ones, outputTokens includes the reasoning ones.
 */
export interface TokenUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  /** Part of inputTokens written to the cache (Anthropic); absent or null means none reported. */
  cacheWriteInputTokens?: number | null;
  reasoningTokens: number | null;
}

export interface PriceMatch {
  /** The table key that priced the model (may differ from the name asked for). */
  key: string;
  price: ModelPrice;
}

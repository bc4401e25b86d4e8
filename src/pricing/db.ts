/**
 * The shapes of @pydantic/genai-prices' data that pricing/builtin.ts reads
 * (the package's own types, narrowed to what is used), shared with the
 * build-time table of them (pricing/compact-prices.ts).
 */

export type DbPrice = Record<string, number | { base: number } | undefined>;
export interface DbConditional {
  constraint?: { type: string; start_date?: string };
  prices: DbPrice;
}
/** The package's name matching: case-insensitive, but for `regex`. */
export type DbMatch =
  | { and: DbMatch[] }
  | { or: DbMatch[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };
export interface DbModel {
  id: string;
  match?: DbMatch;
  prices: DbConditional[] | DbPrice;
}
export interface DbProvider {
  id: string;
  models: DbModel[];
}

/** A name matched to a model of a provider, as the package's calcPrice finds it. */
export interface DbFound {
  model: DbModel;
  provider: { id: string };
}

/**
 * The model makers' own price lists, in the order that decides a name two of
 * them list. Resellers and clouds (openrouter, aws, azure, together …) are left
 * out on purpose: their price for a model is not its list price, and
 * `priceMultiplier` is how a relay's discount is expressed.
 */
export const FIRST_PARTY_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'deepseek',
  'mistral',
  'x-ai',
  'cohere',
  'moonshotai',
  'minimax',
  'zai',
  'zhipuai',
  'perplexity',
] as const;

/** The price-table fields builtin.ts reads from a price list (pricing/builtin.ts toModelPrice). */
export const USED_PRICE_KEYS = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok', 'output_reasoning_mtok'] as const;

import { UsageError } from '../core/errors.js';
import { aliasDistance, normalizeModel, stripVendorPrefix } from './aliases.js';
import { builtinMatch, builtinPrices } from './builtin.js';
import type { ModelPrice, PriceMatch, TokenUsage } from './price.js';

// Declared in price.ts so that builtin.ts can use them without importing this file back.
export type { ModelPrice, PriceMatch, TokenUsage } from './price.js';

const COST_FIELDS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
  'output_cost_per_reasoning_token',
] as const;

/** LiteLLM's documentation entry, not a model. */
const IGNORED_KEYS = new Set(['sample_spec']);

interface Index {
  prices: ReadonlyMap<string, ModelPrice>;
  /** lower-cased key → key, so `GPT-4o` and `Qwen/…` keys match regardless of case. */
  byLowerKey: ReadonlyMap<string, string>;
  /** normalizeModel(key) → the key closest to canonical among those that normalise alike. */
  byAlias: ReadonlyMap<string, string>;
}

/**
 * The built-in layer's name matcher for names no key matches (see builtin.ts);
 * `shadowed` holds the normalised names a user's file priced, which it must not undercut.
 */
interface Fallback {
  match: (model: string) => PriceMatch | null;
  shadowed: ReadonlySet<string>;
}

export class PriceTable {
  /**
   * Built on the first lookup: the built-in layer is a price database whose
   * loading would slow every command's start-up, and most commands never price.
   */
  private readonly source: () => Map<string, ModelPrice>;
  private index: Index | null = null;
  /** The database matcher's answers, by name: a run asks about the same few models over and over. */
  private readonly fallbackCache = new Map<string, PriceMatch | null>();
  private readonly fallback: Fallback | null;

  private constructor(source: () => Map<string, ModelPrice>, fallback: Fallback | null) {
    this.source = source;
    this.fallback = fallback;
  }

  private get built(): Index {
    if (this.index) return this.index;
    const prices = this.source();
    const byLowerKey = new Map<string, string>();
    const byAlias = new Map<string, { key: string; distance: number }>();
    for (const key of prices.keys()) {
      const lower = key.toLowerCase();
      if (!byLowerKey.has(lower)) byLowerKey.set(lower, key);
      const alias = normalizeModel(key);
      const distance = aliasDistance(key);
      const current = byAlias.get(alias);
      if (!current || distance < current.distance) byAlias.set(alias, { key, distance });
    }
    this.index = { prices, byLowerKey, byAlias: new Map([...byAlias].map(([alias, v]) => [alias, v.key])) };
    return this.index;
  }

  static builtIn(): PriceTable {
    return new PriceTable(builtinPrices, { match: builtinMatch, shadowed: new Set() });
  }

  /** A table of exactly these entries, without the built-in database (tests, and callers that want only their own prices). */
  static of(entries: Record<string, ModelPrice>): PriceTable {
    return new PriceTable(() => new Map(Object.entries(entries).map(([k, v]) => [k, { ...v }])), null);
  }

  /**
   * Loads the built-in database and builds the index now. A client calls it
   * before its first send, so that the load (a tenth of a second or more)
   * never stalls the event loop that stamps the times of requests in flight.
   */
  warm(): void {
    void this.built;
    this.fallback?.match('gpt-4o');
  }

  /** Number of priced models. */
  get size(): number {
    return this.built.prices.size;
  }

  /**
   * A new table with a LiteLLM-format object laid over this one. An overlay
   * entry replaces every existing entry that names the same model once
   * aliases are normalised, so a user's `deepseek/deepseek-v3.2` really does
   * reprice `deepseek-v3.2`; the user's file is the more deliberate statement.
   * Entries without a numeric input and output price (image, audio and search
   * models, `sample_spec`) are skipped; malformed ones are an error.
   */
  withLiteLLM(json: unknown, source: string): PriceTable {
    // Parsed now, so a bad file is an error at start-up rather than at the first lookup.
    const overlay = parseLiteLLM(json, source);
    const shadowed = new Set([...overlay.keys()].map((k) => normalizeModel(k)));
    const merge = (): Map<string, ModelPrice> => {
      const merged = new Map<string, ModelPrice>();
      for (const [key, price] of this.built.prices) {
        if (!shadowed.has(normalizeModel(key))) merged.set(key, price);
      }
      for (const [key, price] of overlay) merged.set(key, price);
      return merged;
    };
    const fallback = this.fallback ? { match: this.fallback.match, shadowed: new Set([...this.fallback.shadowed, ...shadowed]) } : null;
    return new PriceTable(merge, fallback);
  }

  /**
   * The price for a model name: an exact key first (as given, then
   * case-insensitively, then without a vendor prefix), else the entry whose
   * key normalises to the same model.
   */
  lookup(model: string): PriceMatch | null {
    const { prices, byLowerKey, byAlias } = this.built;
    const exact = prices.get(model);
    if (exact) return { key: model, price: exact };
    for (const candidate of [model.trim().toLowerCase(), stripVendorPrefix(model)]) {
      const key = byLowerKey.get(candidate);
      if (key !== undefined) return this.match(key);
    }
    const key = byAlias.get(normalizeModel(model));
    if (key !== undefined) return this.match(key);
    return this.matchFallback(model);
  }

  /** The built-in database's own matching, unless a user's file priced a model of that name or the match's. */
  private matchFallback(model: string): PriceMatch | null {
    if (!this.fallback || model.trim() === '') return null;
    const { match, shadowed } = this.fallback;
    const cached = this.fallbackCache.get(model);
    if (cached !== undefined) return cached;
    let found = shadowed.has(normalizeModel(model)) ? null : match(stripVendorPrefix(model));
    if (found && shadowed.has(normalizeModel(found.key))) found = null;
    if (this.fallbackCache.size < 1000) this.fallbackCache.set(model, found);
    return found;
  }

  /**
   * USD for one request, or null when the model has no price or the input or
   * output count is unknown: an unpriced request must never look free.
   *
   *   cost = (input − cacheRead − cacheWrite) × input_cost_per_token
   *        + cacheRead × cache_read_input_token_cost
   *        + cacheWrite × cache_creation_input_token_cost
   *        + (output − reasoning) × output_cost_per_token
   *        + reasoning × output_cost_per_reasoning_token
   *
   * each special rate falling back to the plain one when the entry has none.
   * A null cached, cache-write or reasoning count means "not reported" and is
   * priced at the plain rate.
   */
  cost(model: string, usage: TokenUsage, multiplier = 1): number | null {
    const match = this.lookup(model);
    if (!match) return null;
    const { inputTokens, outputTokens } = usage;
    if (!isCount(inputTokens) || !isCount(outputTokens)) return null;
    const cachedRaw = usage.cachedInputTokens ?? 0;
    const writeRaw = usage.cacheWriteInputTokens ?? 0;
    const reasoningRaw = usage.reasoningTokens ?? 0;
    if (!isCount(cachedRaw) || !isCount(writeRaw) || !isCount(reasoningRaw)) return null;
    // A relay reporting more cached than total input (or more reasoning than
    // output) is wrong about one of them; never price a negative remainder.
    const cached = Math.min(cachedRaw, inputTokens);
    const written = Math.min(writeRaw, inputTokens - cached);
    const reasoning = Math.min(reasoningRaw, outputTokens);
    const p = match.price;
    const usd =
      (inputTokens - cached - written) * p.input_cost_per_token +
      cached * (p.cache_read_input_token_cost ?? p.input_cost_per_token) +
      written * (p.cache_creation_input_token_cost ?? p.input_cost_per_token) +
      (outputTokens - reasoning) * p.output_cost_per_token +
      reasoning * (p.output_cost_per_reasoning_token ?? p.output_cost_per_token);
    return usd * multiplier;
  }

  /**
   * The most a request can cost before it is sent: every input token at the
   * input price (at the dearer of it and the cache-write price when the
   * request asks for its prefix to be cached: Anthropic bills the write) and
   * all of max_tokens at the dearer of the output and reasoning prices. Null
   * when the model has no price.
   */
  worstCaseCost(model: string, inputTokens: number, maxTokens: number, multiplier = 1, opts: { cacheWrite?: boolean } = {}): number | null {
    const match = this.lookup(model);
    if (!match) return null;
    const p = match.price;
    const inPrice = opts.cacheWrite === true ? Math.max(p.input_cost_per_token, p.cache_creation_input_token_cost ?? 0) : p.input_cost_per_token;
    const outPrice = Math.max(p.output_cost_per_token, p.output_cost_per_reasoning_token ?? 0);
    return (inputTokens * inPrice + maxTokens * outPrice) * multiplier;
  }

  private match(key: string): PriceMatch | null {
    const price = this.built.prices.get(key);
    return price ? { key, price } : null;
  }
}

function isCount(n: number | null): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * The dearest price per token a prices file may give: $1, over a thousand times
 * the dearest model listed anywhere (a few hundred dollars per million output
 * tokens). Above it the file is in the wrong unit or has a typo, and with it a
 * bill stays finite: 10^15 tokens (cost/cost-mix.ts MAX_MIX_TOKENS) at $1 is
 * nowhere near Number.MAX_VALUE, where 1e300 per token once overflowed to a bill
 * shown as "unpriced".
 */
export const MAX_PRICE_PER_TOKEN = 1;

function parseLiteLLM(json: unknown, source: string): Map<string, ModelPrice> {
  if (!isRecord(json)) {
    throw new UsageError(`${source}: expected a JSON object mapping model names to prices, got ${describe(json)}`);
  }
  const out = new Map<string, ModelPrice>();
  for (const [key, entry] of Object.entries(json)) {
    if (IGNORED_KEYS.has(key)) continue;
    if (!isRecord(entry)) throw new UsageError(`${source}: "${key}" must be an object of prices, got ${describe(entry)}`);
    const costs: Partial<Record<(typeof COST_FIELDS)[number], number>> = {};
    for (const field of COST_FIELDS) {
      const v = entry[field];
      // null is read as "no price known", the same as an absent field.
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new UsageError(`${source}: "${key}".${field} must be a number ≥ 0, got ${describe(v)}`);
      }
      if (v > MAX_PRICE_PER_TOKEN) {
        throw new UsageError(`${source}: "${key}".${field} is ${describe(v)} USD per token; at most ${MAX_PRICE_PER_TOKEN} (prices are per token, not per million)`);
      }
      costs[field] = v;
    }
    const input = costs.input_cost_per_token;
    const output = costs.output_cost_per_token;
    if (input === undefined || output === undefined) continue;
    const price: ModelPrice = { input_cost_per_token: input, output_cost_per_token: output };
    if (costs.cache_read_input_token_cost !== undefined) price.cache_read_input_token_cost = costs.cache_read_input_token_cost;
    if (costs.cache_creation_input_token_cost !== undefined) price.cache_creation_input_token_cost = costs.cache_creation_input_token_cost;
    if (costs.output_cost_per_reasoning_token !== undefined) {
      price.output_cost_per_reasoning_token = costs.output_cost_per_reasoning_token;
    }
    out.set(key, price);
  }
  return out;
}

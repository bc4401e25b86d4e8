import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinMatch, builtinPrices } from '../../../src/pricing/builtin.js';
import {
  buildCompactPrices,
  genaiPricesVersion,
  loadGenaiPackage,
  packageSource,
  PRICES_TABLE_FILE,
  readCompactPrices,
  type CompactPrices,
  type PriceSource,
} from '../../../src/pricing/compact-prices.js';
import { PriceTable } from '../../../src/pricing/table.js';

interface RawProvider {
  id: string;
  models: { id: string }[];
}

let table: PriceSource;
let pkg: PriceSource;
let names: string[];

beforeAll(async () => {
  const t = readCompactPrices();
  // Fails when dist/tables/prices.json is missing or stale: `npm run build` makes it.
  expect(t, `${PRICES_TABLE_FILE} missing or stale: run npm run build`).not.toBeNull();
  table = t!;
  pkg = packageSource();
  const all = (await loadGenaiPackage().waitForUpdate()) as RawProvider[];
  const ids = new Set<string>();
  for (const p of all) for (const m of p.models) ids.add(m.id);
  // Every model id the package lists, under the spellings users and relays send.
  names = [];
  for (const id of ids) {
    names.push(id, id.toUpperCase(), ` ${id} `, `openai/${id}`, `${id}-20250514`, `${id}-2025-05-14`, `${id}-20251340`, `us.anthropic.${id}-v1:0`, `${id}@20240620`);
  }
  // The names the tests and golden files price (test/golden, test/unit/pricing, the mock's default model).
  names.push('gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-20250514', 'claude-3-7-sonnet-20250219', 'deepseek-chat', 'gemini-2.5-pro', 'o3', '', 'no-such-model', 'gpt-4o:extended');
});

describe('the build-time price table (dist/tables/prices.json)', () => {
  it('gives builtinPrices exactly what the package gives, for every first-party model', () => {
    const fromTable = builtinPrices(table);
    expect(fromTable.size).toBeGreaterThan(200);
    expect(fromTable).toEqual(builtinPrices(pkg));
  });

  it('matches every model name the package lists, and its variants, to the same model and price as the package', () => {
    expect(names.length).toBeGreaterThan(5000);
    for (const name of names) expect(builtinMatch(name, table), name).toEqual(builtinMatch(name, pkg));
  });

  it('prices through PriceTable as before: lookups and costs of the tested names', () => {
    const built = PriceTable.builtIn();
    for (const name of names.slice(-12)) {
      const m = built.lookup(name);
      const fallback = builtinMatch(name, pkg);
      const direct = builtinPrices(pkg);
      // The table answers as the package's data does: by key, by alias, or by the database's matcher.
      if (m !== null) expect(direct.get(m.key) ?? fallback?.price).toEqual(m.price);
    }
    expect(built.cost('gpt-4o', { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200, reasoningTokens: null })).toBeCloseTo(
      800 * 2.5e-6 + 200 * 1.25e-6 + 500 * 1e-5,
      15,
    );
  });

  it('is what the installed package gives now (not hand-kept, not stale)', async () => {
    const onDisk = JSON.parse(readFileSync(PRICES_TABLE_FILE, 'utf8')) as CompactPrices;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(await buildCompactPrices())));
    expect(onDisk.version).toBe(genaiPricesVersion());
  });

  it('is ignored when missing, unreadable, built from another version or for other providers: the package is loaded instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-prices-'));
    expect(readCompactPrices(join(dir, 'none.json'))).toBeNull();
    const good = JSON.parse(readFileSync(PRICES_TABLE_FILE, 'utf8')) as CompactPrices;
    const variants: Record<string, unknown> = {
      'broken.json': '{ "format": 1,',
      'stale.json': { ...good, version: '0.0.1' },
      'format.json': { ...good, format: 0 },
      'providers.json': { ...good, firstParty: good.firstParty.slice(1) },
    };
    for (const [file, body] of Object.entries(variants)) {
      writeFileSync(join(dir, file), typeof body === 'string' ? body : JSON.stringify(body));
      expect(readCompactPrices(join(dir, file)), file).toBeNull();
    }
    writeFileSync(join(dir, 'copy.json'), JSON.stringify(good));
    expect(readCompactPrices(join(dir, 'copy.json'))).not.toBeNull();
  });
});

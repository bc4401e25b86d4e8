#!/usr/bin/env node
// Build-time data tables, written under dist/tables/ after `tsc` by `npm run build`, so the
// CLI loads data instead of parsing it (issue 14: start-up and per-thread memory):
//   <encoding>.bin  the token ranks of each encoding relaymon counts with, from the installed
//                   gpt-tokenizer's .tiktoken file, in tokens/compact.ts's typed-array form
//                   (read back by tokens/rank-table.ts);
//   prices.json     the parts of @pydantic/genai-prices that pricing/builtin.ts reads
//                   (pricing/compact-prices.ts builds and reads it).
// Each records the version of the package it was made from; a table that does not match the
// installed package is ignored at run time and the package is read instead.
// Never hand-edited: rerun `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compactRanks } from '../dist/tokens/compact.js';
import { ENCODING_NAMES, packageSplit } from '../dist/tokens/encodings.js';
import { gptTokenizerVersion, rankTableBytes, TABLES_DIR } from '../dist/tokens/rank-table.js';
import { buildCompactPrices, PRICES_TABLE_FILE } from '../dist/pricing/compact-prices.js';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
if (!TABLES_DIR.startsWith(`${ROOT}dist`)) throw new Error(`tables dir ${TABLES_DIR} is outside ${ROOT}dist`);
mkdirSync(TABLES_DIR, { recursive: true });

const version = gptTokenizerVersion();
for (const encoding of ENCODING_NAMES) {
  const ranks = compactRanks(readFileSync(require.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`)));
  writeFileSync(`${TABLES_DIR}${encoding}.bin`, rankTableBytes(ranks, encoding, version, packageSplit(encoding)));
}

writeFileSync(PRICES_TABLE_FILE, JSON.stringify(await buildCompactPrices()));

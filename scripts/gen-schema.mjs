#!/usr/bin/env node
// Writes the JSON Schemas in schema/ from the zod schemas in the build:
//   schema/relaymon.config.schema.json   the config file (src/config/json-schema.ts)
//   schema/run-summary.schema.json, probe.schema.json, compare.schema.json,
//   request-log.schema.json              the output contracts (src/export/contracts/json-schema.ts)
//   docs/contracts.md                    its metric table, between <!-- metrics:begin --> and
//                                        <!-- metrics:end -->, from the catalogue (src/metrics/docs.ts)
// Run after `npm run build`:   node scripts/gen-schema.mjs [--check]
// --check exits 1 when a committed file is out of date instead of writing it.
// RELAYMON_DIST points at another build folder (default: dist next to this script).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.env.RELAYMON_DIST ?? resolve(root, 'dist'));
const load = (path) => import(pathToFileURL(resolve(dist, path)).href);
const { buildJsonSchema, SCHEMA_FILE } = await load('config/json-schema.js');
const { buildContractSchemas } = await load('export/contracts/json-schema.js');

const { renderMetricTable } = await load('metrics/docs.js');

// The docs keep their prose; only the block between the markers is derived.
async function contractsDoc() {
  const file = 'docs/contracts.md';
  const doc = await readFile(resolve(root, file), 'utf8');
  const begin = '<!-- metrics:begin -->';
  const end = '<!-- metrics:end -->';
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file}: the ${begin} … ${end} block is missing`);
  return { file, text: `${doc.slice(0, from + begin.length)}\n${renderMetricTable().trim()}\n${doc.slice(to)}` };
}

const files = [{ file: SCHEMA_FILE, text: buildJsonSchema() }, ...buildContractSchemas(), await contractsDoc()];
const check = process.argv.includes('--check');
let stale = 0;
for (const { file, text } of files) {
  const target = resolve(root, file);
  if (check) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${file} is out of date: run npm run gen:schema\n`);
      stale++;
    } else process.stdout.write(`${file} is up to date\n`);
  } else {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
if (stale > 0) process.exit(1);

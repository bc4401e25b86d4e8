#!/usr/bin/env node
// Writes schema/relaymon.config.schema.json from the zod schema in the build.
// Run after `npm run build`:   node scripts/gen-schema.mjs [--check]
// --check exits 1 when the committed file is out of date instead of writing it.
// RELAYMON_DIST points at another build folder (default: dist next to this script).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.env.RELAYMON_DIST ?? resolve(root, 'dist'));
const { buildJsonSchema, SCHEMA_FILE } = await import(pathToFileURL(resolve(dist, 'config/json-schema.js')).href);

const target = resolve(root, SCHEMA_FILE);
const fresh = buildJsonSchema();
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== fresh) {
    process.stderr.write(`${SCHEMA_FILE} is out of date: run npm run build && node scripts/gen-schema.mjs\n`);
    process.exit(1);
  }
  process.stdout.write(`${SCHEMA_FILE} is up to date\n`);
} else {
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, fresh);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

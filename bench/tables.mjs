#!/usr/bin/env node
// Load cost of the data relaymon reads, parsed from the packages at run time
// (before) against the tables scripts/build-tables.mjs builds into
// dist/tables/ at build time (after), and hdr-histogram-js's index against
// the pure-JS class src/hdr/histogram.ts loads. Each arm runs in a fresh
// process; rounds interleave the arms. Load ms from the first byte of the
// data's code to its first answer (relaymon's own modules are imported
// before the clock starts, the same in both arms); RSS after load and peak
// RSS (process.resourceUsage().maxRSS) of the whole process, and both less
// an empty node's measured in the same run. Median (min–max).
// Run after `npm run build`: node bench/tables.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = process.argv.includes('--quick') ? 3 : 9;
const dist = (f) => JSON.stringify(`${ROOT}dist/${f}`);

const ARMS = [
  { label: 'node, nothing loaded', pre: '', load: '' },
  {
    label: 'prices: @pydantic/genai-prices (before)',
    pre: `const p = await import(${dist('pricing/compact-prices.js')}); const b = await import(${dist('pricing/builtin.js')});`,
    load: `const s = p.packageSource(); b.builtinPrices(s); b.builtinMatch('claude-sonnet-4-20250514', s);`,
  },
  {
    label: 'prices: dist/tables/prices.json (after)',
    pre: `const p = await import(${dist('pricing/compact-prices.js')}); const b = await import(${dist('pricing/builtin.js')});`,
    load: `const s = p.readCompactPrices(); if (!s) throw new Error('no current prices table: npm run build'); b.builtinPrices(s); b.builtinMatch('claude-sonnet-4-20250514', s);`,
  },
  {
    label: "hdr: hdr-histogram-js's index (before)",
    pre: `const { createRequire } = await import('node:module'); const require = createRequire(${dist('x.js')});`,
    load: `const h = require('hdr-histogram-js').build({ lowestDiscernibleValue: 1, highestTrackableValue: 3.6e9, numberOfSignificantValueDigits: 3, bitBucketSize: 'packed', useWebAssembly: false }); h.destroy();`,
  },
  {
    label: 'hdr: hdr-histogram-js/dist/Int32Histogram.js (after)',
    pre: `const { createRequire } = await import('node:module'); const require = createRequire(${dist('x.js')});`,
    load: `const H = require('hdr-histogram-js/dist/Int32Histogram.js').default; new H(1, 3.6e9, 3).destroy();`,
  },
  {
    label: 'o200k ranks: built from .tiktoken (before)',
    pre: `const c = await import(${dist('tokens/compact.js')}); const { createRequire } = await import('node:module'); const require = createRequire(${dist('x.js')}); const fs = await import('node:fs');`,
    load: `c.compactRanks(fs.readFileSync(require.resolve('gpt-tokenizer/data/o200k_base.tiktoken')));`,
  },
  {
    label: 'o200k ranks: dist/tables/o200k_base.bin (after)',
    pre: `const t = await import(${dist('tokens/rank-table.js')});`,
    load: `if (t.loadCompactRanks('o200k_base').from !== 'table') throw new Error('no current rank table: npm run build');`,
  },
];

const code = (arm) => `${arm.pre}
  const t0 = performance.now(); ${arm.load} const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 }));`;

const samples = new Map(ARMS.map((a) => [a.label, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no arm always follows the same one.
  for (let i = 0; i < ARMS.length; i++) {
    const arm = ARMS[(i + round) % ARMS.length];
    samples.get(arm.label).push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code(arm)], { cwd: ROOT, encoding: 'utf8' })));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const MB = 1024 * 1024;
const fig = (xs, scale = 1, digits = 1) => `${(median(xs) / scale).toFixed(digits)} (${(Math.min(...xs) / scale).toFixed(digits)}–${(Math.max(...xs) / scale).toFixed(digits)})`;
const base = samples.get(ARMS[0].label);
const baseRss = median(base.map((r) => r.rss));
const basePeak = median(base.map((r) => r.peak));
console.log(`## Build-time tables: load cost before and after\n`);
console.log(`\`node bench/tables.mjs${ROUNDS === 3 ? ' --quick' : ''}\` — node ${process.version}, ${ROUNDS} rounds, each arm in a fresh process, order rotated per round; median (min–max). ` +
  `"+MB" is the median less an empty node's in this run (${(baseRss / MB).toFixed(1)} MB RSS, ${(basePeak / MB).toFixed(1)} MB peak). ×: after ÷ before, this run.\n`);
console.log('| data | load ms | RSS after MB | +MB | peak RSS MB | +MB | × load ms | × +peak |');
console.log('|---|---|---|---|---|---|---|---|');
for (let i = 1; i < ARMS.length; i++) {
  const s = samples.get(ARMS[i].label);
  const before = i % 2 === 0 ? samples.get(ARMS[i - 1].label) : null;
  const ratio = (key, minus = 0) => (before ? ((median(s.map((r) => r[key])) - minus) / (median(before.map((r) => r[key])) - minus)).toFixed(2) : '–');
  console.log(
    `| ${ARMS[i].label} | ${fig(s.map((r) => r.ms))} | ${fig(s.map((r) => r.rss), MB)} | ${((median(s.map((r) => r.rss)) - baseRss) / MB).toFixed(1)} | ` +
      `${fig(s.map((r) => r.peak), MB)} | ${((median(s.map((r) => r.peak)) - basePeak) / MB).toFixed(1)} | ${ratio('ms')} | ${ratio('peak', basePeak)} |`,
  );
}

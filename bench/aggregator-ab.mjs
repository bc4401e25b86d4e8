#!/usr/bin/env node
// The aggregator's ingest and snapshot speed, this build against another
// one, measured by the same harness (bench/aggregator.mjs, memory part
// skipped) in alternating child processes, so that whatever else the machine
// does falls on both alike. Prints medians and their ratio as Markdown.
//
//   node bench/aggregator-ab.mjs --before /path/to/old/checkout/dist [--rounds 5]
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const before = arg('--before');
if (!before) {
  process.stderr.write('usage: node bench/aggregator-ab.mjs --before OTHER_CHECKOUT/dist [--rounds N]\n');
  process.exit(2);
}
const rounds = Number(arg('--rounds', '5'));
const harness = fileURLToPath(new URL('aggregator.mjs', import.meta.url));
const after = fileURLToPath(new URL('../dist', import.meta.url));

function measure(dist) {
  const out = execFileSync(process.execPath, ['--expose-gc', harness, '--json', '--no-memory'], {
    env: { ...process.env, RELAYMON_DIST: resolve(dist) },
    encoding: 'utf8',
  });
  const j = JSON.parse(out);
  return {
    ingestNoGaps: j.ingestNoGaps.resultsPerSec,
    ingest: j.ingest.resultsPerSec,
    snapLight: j.snapLight.busyUs,
    snapBusy: j.snap.busyUs,
    snapIdle: j.snap.idleUs,
    snapOne: j.snap.oneWindowUs,
  };
}

const runs = { before: [], after: [] };
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so neither always runs on the warmer machine.
  const order = i % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  for (const side of order) runs[side].push(measure(side === 'before' ? before : after));
  process.stderr.write(`round ${i + 1}/${rounds} done\n`);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const rows = [
  ['ingest, 0 chunk gaps, results/s (higher is better)', 'ingestNoGaps'],
  ['ingest, 8 chunk gaps, results/s (higher is better)', 'ingest'],
  ['snapshot, 8 targets × 2 models, all windows, 40 results/s, µs', 'snapLight'],
  ['snapshot, same, 400 results/s, µs', 'snapBusy'],
  ['snapshot, same, nothing new, µs', 'snapIdle'],
  ["snapshot, 400 results/s, '1m' only, µs", 'snapOne'],
];
const cmd = `node bench/aggregator-ab.mjs --before ${before} --rounds ${rounds}`;
const lines = [
  `Medians of ${rounds} alternating runs each, Node ${process.version}. Command: \`${cmd}\``,
  '',
  '| measure | before | after | after / before |',
  '|---|---|---|---|',
  ...rows.map(([label, key]) => {
    const b = median(runs.before.map((r) => r[key]));
    const a = median(runs.after.map((r) => r[key]));
    return `| ${label} | ${fmt(b)} | ${fmt(a)} | ${(a / b).toFixed(2)} |`;
  }),
];
console.log(lines.join('\n'));

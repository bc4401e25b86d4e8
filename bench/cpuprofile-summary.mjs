#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by where the code lives.
//   node bench/cpuprofile-summary.mjs FILE.cpuprofile [top=30]
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2).filter((a) => a.endsWith('.cpuprofile'));
const top = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
for (const file of files) summarise(file);

function summarise(file) {
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
// timeDeltas[i] is the time before samples[i] was taken.
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const area = (url) => {
  if (!url) return '(native/vm)';
  if (url.includes('/dist/')) return 'relaymon ' + url.slice(url.indexOf('/dist/') + 6).split('/')[0];
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 13).split('/').slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
};
const fns = new Map();
const areas = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anon)'} ${area(cf.url)}:${cf.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const a = cf.url ? area(cf.url) : cf.functionName;
  areas.set(a, (areas.get(a) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
console.log(`\n## ${file}\ntotal sampled ${(total / 1000).toFixed(0)} ms`);
console.log('\nself time by area');
for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)}  ${k}`);
console.log('\nself time by function');
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
  // Inclusive time (self + callees) of relaymon's own functions, counted once per stack.
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  const callers = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    const leaf = byId.get(id).callFrame;
    let first = true;
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      const key = `${cf.functionName || '(anon)'} ${area(cf.url)}:${cf.lineNumber + 1}`;
      if (!first && !leaf.url && seen.size === 1) {
        const k2 = `${leaf.functionName} <- ${key}`;
        callers.set(k2, (callers.get(k2) ?? 0) + us);
      }
      first = false;
      if (seen.has(key)) continue;
      seen.add(key);
      if (cf.url.includes('/dist/')) incl.set(key, (incl.get(key) ?? 0) + us);
    }
  }
  console.log('\ninclusive time of relaymon functions');
  for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
  console.log('\nnative functions by caller');
  for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(v)}  ${k}`);
}

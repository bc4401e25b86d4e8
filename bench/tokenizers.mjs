#!/usr/bin/env node
// The tokenizers relaymon could count with, each loaded in a fresh child
// process (and the three that matter most also in a worker thread, where
// relaymon counts): load time (require to first count), peak RSS
// (process.resourceUsage().maxRSS) and RSS / live heap after load, counting
// speed on mixed English/CJK/emoji/code text, and exact agreement with
// gpt-tokenizer and with OpenAI's tiktoken on the texts the reconciliation
// tests count plus seeded random mixed text. Rounds interleave the candidates;
// each figure is the median of the rounds (min–max after it), ratios against
// gpt-tokenizer's o200k_base module (what relaymon loaded before) measured in
// the same run. relaymon's own counter is measured both ways it loads its
// ranks: from the table built at build time (scripts/build-tables.mjs) and
// from gpt-tokenizer's .tiktoken file (its fallback, and what it did before).
// Run after `npm run build`: node bench/tokenizers.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { responseText } from '../dist/mock/wire-text.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 2 : 5;
const require = createRequire(import.meta.url);

/** How each candidate loads and counts (code run in the child, CommonJS, with `require` from the project). */
const SETUP = {
  // The ranks built at build time (scripts/build-tables.mjs → dist/tables/<enc>.bin): one read, typed-array views.
  'relaymon prebuilt table': (enc) => `
    const c = await import(${JSON.stringify(`${ROOT}dist/tokens/compact.js`)});
    const t = await import(${JSON.stringify(`${ROOT}dist/tokens/rank-table.js`)});
    const e = await import(${JSON.stringify(`${ROOT}dist/tokens/encodings.js`)});
    const r = t.loadCompactRanks('${enc}'); if (r.from !== 'table') throw new Error('no current table: run npm run build');
    const p = new RegExp(e.splitPattern('${enc}'));
    count = (s) => c.countCompact(r, p, s);`,
  // The same arrays built from gpt-tokenizer's .tiktoken at every load (what relaymon did before, and its fallback).
  'relaymon compact from .tiktoken': (enc) => `
    const c = await import(${JSON.stringify(`${ROOT}dist/tokens/compact.js`)});
    const e = await import(${JSON.stringify(`${ROOT}dist/tokens/encodings.js`)});
    const r = c.compactRanks(require('fs').readFileSync(require.resolve('gpt-tokenizer/data/${enc}.tiktoken')));
    const p = new RegExp(e.splitPattern('${enc}'));
    count = (s) => c.countCompact(r, p, s);`,
  'gpt-tokenizer module': (enc) => `
    const g = require('gpt-tokenizer/encoding/${enc}'); const o = { disallowedSpecial: new Set() };
    count = (s) => g.countTokens(s, o);`,
  'gpt-tokenizer, ranks from its .tiktoken': (enc) => `
    const { GptEncoding } = require('gpt-tokenizer/GptEncoding');
    const data = require('fs').readFileSync(require.resolve('gpt-tokenizer/data/${enc}.tiktoken'));
    const fatal = new TextDecoder('utf8', { fatal: true }); const ranks = [];
    for (let at = 0; at < data.length;) { let end = data.indexOf(10, at); if (end < 0) end = data.length;
      if (end > at) { const sp = data.indexOf(32, at); const b = Buffer.from(data.toString('latin1', at, sp), 'base64');
        let t = null; try { t = fatal.decode(b); if (Buffer.byteLength(t) !== b.length) t = null; } catch {}
        ranks[+data.toString('latin1', sp + 1, end)] = t ?? Array.from(b); }
      at = end + 1; }
    const g = GptEncoding.getEncodingApi('${enc}', () => ranks); const o = { disallowedSpecial: new Set() };
    count = (s) => g.countTokens(s, o);`,
  'js-tiktoken lite + ranks': (enc) => `
    const { Tiktoken } = require('js-tiktoken/lite'); const r = require('js-tiktoken/ranks/${enc}');
    const e = new Tiktoken(r.default ?? r); count = (s) => e.encode(s, [], []).length;`,
  'tiktoken (WASM)': (enc) => `
    const { get_encoding } = require('tiktoken'); const e = get_encoding('${enc}'); count = (s) => e.encode(s, [], []).length;`,
  'tiktoken/lite (WASM) + its JSON': (enc) => `
    const { Tiktoken } = require('tiktoken/lite'); const r = require('tiktoken/encoders/${enc}.json');
    const e = new Tiktoken(r.bpe_ranks, r.special_tokens, r.pat_str); count = (s) => e.encode(s, [], []).length;`,
};

/** Mixed text as answers are: English, CJK, emoji, code (about 190 KB of UTF-8). */
const MIXED_UNIT =
  'The quick brown fox jumps over the lazy dog; it was a bright cold day in April. ' +
  '你好，世界！这是一个用于测试分词器速度的句子。日本語の文章も少し混ぜます。한국어 문장도 있습니다. ' +
  'Emoji 🚀🔥👩‍👩‍👧‍👦 🇻🇳🇯🇵 👍🏽 and accents: Nguyễn Trãi, Hà Nội, naïve café. ' +
  'function f(x) { return x.map((y) => y * 2).filter(Boolean); }\n\tconst url = `https://example.com/${id}?q=1`;\n';
const MIXED_REPEAT = 550;
const MIXED_BYTES = Buffer.byteLength(MIXED_UNIT) * MIXED_REPEAT;
/** The agreement texts go to the children in a file, read after their memory is measured. */
const tmp = mkdtempSync(join(tmpdir(), 'relaymon-tok-'));
const TEXTS_FILE = join(tmp, 'texts.json');

let RECONCILED_COUNT = 0;
/** The texts the reconciliation tests count (test/unit/tokens, test/integration), the mock's answers, and seeded random text. */
function agreementTexts() {
  const texts = [
    'Reply with OK', 'Be brief', 'Hello there',
    'Xin chào, bạn khỏe không? Tiếng Việt có dấu: Nguyễn Trãi, Hà Nội, phở bò, điện thoại.',
    'Trả lời bằng tiếng Việt. 简短回答。', 'Emoji mix 🚀🔥👩‍👩‍👧‍👦 and flags 🇻🇳🇯🇵, skin tones 👍🏽, and text.',
    'function f(x) { return x * 2; }\n\n  indented\ttabs', 'a <|endoftext|> b <|im_start|> c',
    '中文字符测试'.repeat(60), 'x'.repeat(300), ...[1, 2, 16, 100, 257].map(responseText),
  ];
  RECONCILED_COUNT = texts.length;
  const alphabet = [...'aeiou tnrsl THE 0123 .,;:!?\'"-_()[]{}<>=+*/\\\n\t你好世界日本語한국어🙂👍🏽🇯🇵éüßΩЖ\ufeff\u0085'];
  let seed = 14;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let k = 0; k < 1000; k++) {
    let s = '';
    for (let i = 1 + Math.floor(rnd() * 100); i > 0; i--) s += alphabet[Math.floor(rnd() * alphabet.length)];
    texts.push(s);
  }
  return texts;
}

/** The child: load, measure memory, then speed, then print the agreement counts (after the memory figures). */
function childCode(setup, inWorker) {
  const body = `
    const t0 = performance.now(); let count;
    ${setup}
    count('warm up');
    const loadMs = performance.now() - t0;
    globalThis.gc?.();
    const afterLoad = process.memoryUsage();
    const mem = { loadMs, rss: afterLoad.rss, heap: afterLoad.heapUsed + afterLoad.external, maxRss: process.resourceUsage().maxRSS * 1024 };
    const text = ${JSON.stringify(MIXED_UNIT)}.repeat(${MIXED_REPEAT}); const bytes = Buffer.byteLength(text);
    let n = 0; const s0 = performance.now(); let passes = 0;
    do { n += count(text); passes++; } while (performance.now() - s0 < 1000 && passes < 20);
    const mbps = (passes * bytes) / 1e6 / ((performance.now() - s0) / 1000);
    const counts = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(TEXTS_FILE)}, 'utf8')).map((s) => count(s));
    return { ...mem, mbps, counts };`;
  if (!inWorker) return `(async () => { ${body} })().then((r) => process.stdout.write(JSON.stringify(r)));`;
  // In a worker: the process's peak is what a counting worker costs; the limits are relaymon's (tokens/counter.ts).
  return `
    const { Worker } = require('node:worker_threads');
    const w = new Worker(${JSON.stringify(`const { parentPort } = require('node:worker_threads'); (async () => { ${body} })().then((r) => parentPort.postMessage(r));`)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    w.on('message', (r) => { const after = process.memoryUsage(); r.rss = after.rss; r.maxRss = process.resourceUsage().maxRSS * 1024; process.stdout.write(JSON.stringify(r)); w.terminate(); });`;
}

function runChild(code) {
  const out = execFileSync(process.execPath, ['--expose-gc', '-'], { cwd: ROOT, input: code, encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out);
}

const candidates = [];
for (const name of Object.keys(SETUP)) for (const enc of ['o200k_base', 'cl100k_base']) candidates.push({ label: `${name} ${enc}`, name, enc, worker: false });
for (const name of ['relaymon prebuilt table', 'relaymon compact from .tiktoken', 'gpt-tokenizer module']) candidates.push({ label: `${name} o200k_base, in a worker thread`, name, enc: 'o200k_base', worker: true });
const baselines = [
  { label: 'node, nothing loaded', code: `process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 }))` },
  {
    label: 'node + an empty worker thread',
    code: `const { Worker } = require('node:worker_threads'); const w = new Worker('require("node:worker_threads").parentPort.postMessage(0)', { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } }); w.on('message', () => { process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 })); w.terminate(); });`,
  },
];

const samples = new Map();
const add = (label, r) => samples.set(label, [...(samples.get(label) ?? []), r]);
const texts = agreementTexts();
writeFileSync(TEXTS_FILE, JSON.stringify(texts));
for (let round = 0; round < ROUNDS; round++) {
  for (const b of baselines) add(b.label, runChild(b.code));
  for (const c of candidates) add(c.label, runChild(childCode(SETUP[c.name](c.enc), c.worker)));
}

rmSync(tmp, { recursive: true, force: true });

// References for agreement, counted in this process (its memory is not measured).
const gpt = { o200k_base: require('gpt-tokenizer/encoding/o200k_base'), cl100k_base: require('gpt-tokenizer/encoding/cl100k_base') };
const { get_encoding } = require('tiktoken');
const refs = {};
for (const enc of ['o200k_base', 'cl100k_base']) {
  const tk = get_encoding(enc);
  refs[enc] = { gpt: texts.map((s) => gpt[enc].countTokens(s, { disallowedSpecial: new Set() })), openai: texts.map((s) => tk.encode(s, [], []).length) };
  tk.free();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fig = (xs, scale, digits = 0) => {
  const v = xs.map((x) => x / scale);
  return `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)})`;
};
const MB = 1024 * 1024;
const ref = samples.get('gpt-tokenizer module o200k_base');
const refPeak = median(ref.map((r) => r.maxRss));
const refLoad = median(ref.map((r) => r.loadMs));
const refSpeed = median(ref.map((r) => r.mbps));

console.log(`## Tokenizers: memory, load time, counting speed, agreement\n`);
console.log(`\`node bench/tokenizers.mjs${quick ? ' --quick' : ''}\` — node ${process.version}, ${ROUNDS} rounds, each candidate in a fresh process; median (min–max). ` +
  `Peak = process.resourceUsage().maxRSS after load (the whole process); RSS and heap (used + external) after load and a GC. ` +
  `Speed on ${(MIXED_BYTES / 1e3).toFixed(0)} KB of mixed English/CJK/emoji/code. Agreement (texts counted the same): reconciliation test strings and mock answers · ` +
  `seeded random mixed text without U+FEFF or U+0085 · the same with them (where JavaScript's \\s and tiktoken's differ). Ratios against gpt-tokenizer's o200k_base module in the same run.\n`);
console.log('| candidate | load ms | peak RSS MB | ×peak | RSS after MB | heap MB | MB/s | ×speed | same as gpt-tokenizer | same as tiktoken |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const b of baselines) {
  const s = samples.get(b.label);
  console.log(`| ${b.label} | – | ${fig(s.map((r) => r.maxRss), MB)} | – | ${fig(s.map((r) => r.rss), MB)} | – | – | – | – | – |`);
}
for (const c of candidates) {
  const s = samples.get(c.label);
  const counts = s[0].counts;
  // Three groups: the reconciliation and mock texts, random text without U+FEFF or U+0085, random text with them.
  const parted = (i) => /[\ufeff\u0085]/.test(texts[i]);
  const groups = [(i) => i < RECONCILED_COUNT, (i) => i >= RECONCILED_COUNT && !parted(i), (i) => i >= RECONCILED_COUNT && parted(i)];
  const same = (ref) => groups.map((g) => {
    const idx = texts.map((_, i) => i).filter(g);
    return `${idx.filter((i) => counts[i] === ref[i]).length}/${idx.length}`;
  }).join(' · ');
  console.log(
    `| ${c.label} | ${fig(s.map((r) => r.loadMs), 1)} | ${fig(s.map((r) => r.maxRss), MB)} | ${(median(s.map((r) => r.maxRss)) / refPeak).toFixed(2)} | ` +
      `${fig(s.map((r) => r.rss), MB)} | ${c.worker ? '–' : fig(s.map((r) => r.heap), MB, 1)} | ${fig(s.map((r) => r.mbps), 1, 1)} | ` +
      `${(median(s.map((r) => r.mbps)) / refSpeed).toFixed(2)} | ${same(refs[c.enc].gpt)} | ${same(refs[c.enc].openai)} |`,
  );
}
for (const enc of ['o200k_base', 'cl100k_base']) {
  const table = samples.get(`relaymon prebuilt table ${enc}`);
  const parsed = samples.get(`relaymon compact from .tiktoken ${enc}`);
  const ratio = (key) => (median(table.map((r) => r[key])) / median(parsed.map((r) => r[key]))).toFixed(2);
  console.log(`\nrelaymon ${enc}, prebuilt table ÷ built from .tiktoken in this run: load ms ×${ratio('loadMs')}, peak RSS ×${ratio('maxRss')}, RSS after ×${ratio('rss')}, heap ×${ratio('heap')}, speed ×${ratio('mbps')}.`);
}
console.log(`\nReference: gpt-tokenizer module o200k_base loads in ${refLoad.toFixed(0)} ms and peaks at ${(refPeak / MB).toFixed(0)} MB in this run.`);

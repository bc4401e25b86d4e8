import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactRanks, countCompact, type CompactRanks } from '../../../src/tokens/compact.js';
import { packageSplit, splitPattern, ENCODING_NAMES, type EncodingName } from '../../../src/tokens/encodings.js';
import { gptTokenizerVersion, loadCompactRanks, rankTableBytes, ranksFromTable, TABLES_DIR } from '../../../src/tokens/rank-table.js';
import { responseText } from '../../../src/mock/wire-text.js';

const requireCjs = createRequire(import.meta.url);
const fromPackage = (enc: EncodingName): CompactRanks => compactRanks(readFileSync(requireCjs.resolve(`gpt-tokenizer/data/${enc}.tiktoken`)));
const tmp = (): string => `${mkdtempSync(join(tmpdir(), 'relaymon-ranks-'))}/`;

/** The reconciliation strings (test/unit/tokens/local-count.test.ts, the mock's answers). */
const TEXTS = [
  'Reply with OK',
  'Hello there',
  'Xin chào, bạn khỏe không? Tiếng Việt có dấu: Nguyễn Trãi, Hà Nội, phở bò, điện thoại.',
  'Emoji mix 🚀🔥👩‍👩‍👧‍👦 and flags 🇻🇳🇯🇵, skin tones 👍🏽, and text.',
  'function f(x) { return x * 2; }\n\n  indented\ttabs',
  'a <|endoftext|> b <|im_start|> c',
  '中文字符测试'.repeat(60),
  'x'.repeat(300),
  ' \ufeff\u0085 \u00a0x',
  ...[1, 2, 16, 100, 257].map(responseText),
];

describe('prebuilt rank tables (dist/tables, scripts/build-tables.mjs)', () => {
  it.each(ENCODING_NAMES)('%s: loaded from its table, and the same arrays as built from gpt-tokenizer’s .tiktoken', (enc) => {
    const table = loadCompactRanks(enc);
    // Fails when dist/tables is missing or stale: `npm run build` makes it.
    expect(table.from, `${TABLES_DIR}${enc}.bin missing or stale: run npm run build`).toBe('table');
    const built = fromPackage(enc);
    expect(built.from).toBe('tiktoken');
    expect(table.mask).toBe(built.mask);
    expect(Buffer.from(table.start.buffer, table.start.byteOffset, table.start.byteLength).equals(Buffer.from(built.start.buffer))).toBe(true);
    expect(Buffer.from(table.table.buffer, table.table.byteOffset, table.table.byteLength).equals(Buffer.from(built.table.buffer))).toBe(true);
    expect(Buffer.from(table.bytes.buffer, table.bytes.byteOffset, table.bytes.byteLength).equals(Buffer.from(built.bytes.buffer))).toBe(true);
    expect(table.split).toEqual(packageSplit(enc));
  });

  it('counting from the tables loads no gpt-tokenizer module (its split patterns are in the table too)', () => {
    const code = `
      import { createRequire } from 'node:module';
      const e = await import(${JSON.stringify(`${TABLES_DIR}../tokens/encodings.js`)});
      const counts = [e.countWith('o200k_base', 'Hello there, world'), e.countWith('cl100k_base', 'Hello there, world')];
      console.log(JSON.stringify({ counts, files: Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('gpt-tokenizer')) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })) as { counts: number[]; files: string[] };
    expect(out.files).toEqual([]);
    const o200k = loadCompactRanks('o200k_base');
    const cl100k = loadCompactRanks('cl100k_base');
    expect(out.counts).toEqual([countCompact(o200k, splitPattern('o200k_base'), 'Hello there, world'), countCompact(cl100k, splitPattern('cl100k_base'), 'Hello there, world')]);
  });

  it('counts exactly as the ranks built from the package, on the reconciliation strings and random text', () => {
    for (const enc of ENCODING_NAMES) {
      const table = loadCompactRanks(enc);
      const built = fromPackage(enc);
      const p = splitPattern(enc);
      for (const text of TEXTS) expect(countCompact(table, p, text)).toBe(countCompact(built, p, text));
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => countCompact(table, p, text) === countCompact(built, p, text)),
        { numRuns: 300, seed: 16 },
      );
    }
  });

  it('a missing table: the ranks are built from the package, same counts', () => {
    const r = loadCompactRanks('cl100k_base', tmp());
    expect(r.from).toBe('tiktoken');
    expect(countCompact(r, splitPattern('cl100k_base'), TEXTS[2]!)).toBe(countCompact(loadCompactRanks('cl100k_base'), splitPattern('cl100k_base'), TEXTS[2]!));
  });

  it('a table built from another gpt-tokenizer version is stale: ignored, the package is read', () => {
    const dir = tmp();
    const stale = rankTableBytes(fromPackage('cl100k_base'), 'cl100k_base', '0.0.1', packageSplit('cl100k_base'));
    writeFileSync(`${dir}cl100k_base.bin`, stale);
    expect(ranksFromTable(stale, 'cl100k_base', gptTokenizerVersion())).toEqual({ reason: `built from gpt-tokenizer 0.0.1, ${gptTokenizerVersion()} is installed` });
    expect(loadCompactRanks('cl100k_base', dir).from).toBe('tiktoken');
  });

  it('a current copy is used; a truncated one, another encoding’s or a foreign file is not', () => {
    const dir = tmp();
    copyFileSync(`${TABLES_DIR}cl100k_base.bin`, `${dir}cl100k_base.bin`);
    expect(loadCompactRanks('cl100k_base', dir).from).toBe('table');
    const file = readFileSync(`${dir}cl100k_base.bin`);
    const version = gptTokenizerVersion();
    expect(ranksFromTable(file.subarray(0, file.length - 1), 'cl100k_base', version)).toEqual({ reason: 'size does not match its header' });
    expect(ranksFromTable(file, 'o200k_base', version)).toEqual({ reason: 'holds cl100k_base, not o200k_base' });
    expect(ranksFromTable(Buffer.from('not a table at all'), 'cl100k_base', version)).toEqual({ reason: 'not a rank table' });
    writeFileSync(`${dir}cl100k_base.bin`, file.subarray(0, 100));
    expect(loadCompactRanks('cl100k_base', dir).from).toBe('tiktoken');
  });

  it('reads a table at an unaligned offset (copied once)', () => {
    const file = readFileSync(`${TABLES_DIR}cl100k_base.bin`);
    const shifted = Buffer.alloc(file.length + 1);
    file.copy(shifted, 1);
    const r = ranksFromTable(shifted.subarray(1), 'cl100k_base', gptTokenizerVersion());
    expect('reason' in r).toBe(false);
    if (!('reason' in r)) expect(countCompact(r, splitPattern('cl100k_base'), 'Hello world')).toBe(2);
  });
});

import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compactRanks, countCompact } from '../../../src/tokens/compact.js';
import { loadCompactRanks } from '../../../src/tokens/rank-table.js';
import { countWith, splitPattern, withRustWhitespace, ENCODING_NAMES, type EncodingName } from '../../../src/tokens/encodings.js';
import { responseText } from '../../../src/mock/wire-text.js';

const requireCjs = createRequire(import.meta.url);
type Gpt = { countTokens(text: string, opts?: { disallowedSpecial?: Set<string> }): number };
const gpt: Record<EncodingName, Gpt> = {
  o200k_base: requireCjs('gpt-tokenizer/encoding/o200k_base') as Gpt,
  cl100k_base: requireCjs('gpt-tokenizer/encoding/cl100k_base') as Gpt,
};
const library = (name: EncodingName, text: string): number => gpt[name].countTokens(text, { disallowedSpecial: new Set() });

/** OpenAI's own tokenizer (tiktoken's Rust core, as WASM): the reference both follow. */
type Tiktoken = { encode(text: string, allowed?: 'all' | string[], disallowed?: 'all' | string[]): Uint32Array; free(): void };
const { get_encoding } = requireCjs('tiktoken') as { get_encoding(name: EncodingName): Tiktoken };
const reference: Record<EncodingName, Tiktoken> = { o200k_base: get_encoding('o200k_base'), cl100k_base: get_encoding('cl100k_base') };
const openai = (name: EncodingName, text: string): number => reference[name].encode(text, [], []).length;
afterAll(() => {
  for (const e of Object.values(reference)) e.free();
});

/** The texts the reconciliation tests count (test/unit/tokens, test/integration) and the mock's answers. */
const RECONCILED = [
  'Reply with OK',
  'Be brief',
  'Hello there',
  'Xin chào, bạn khỏe không? Tiếng Việt có dấu: Nguyễn Trãi, Hà Nội, phở bò, điện thoại.',
  'Trả lời bằng tiếng Việt. 简短回答。',
  'Emoji mix 🚀🔥👩‍👩‍👧‍👦 and flags 🇻🇳🇯🇵, skin tones 👍🏽, and text.',
  'function f(x) { return x * 2; }\n\n  indented\ttabs',
  'a <|endoftext|> b <|im_start|> c',
  '中文字符测试'.repeat(60),
  'x'.repeat(300),
  ' '.repeat(40) + '\n\n\n',
  ...[1, 2, 16, 100, 257].map(responseText),
];

/** Mixed English, CJK, emoji, code and whitespace, as answers are. */
const MIXED = [...'aeiou tnrsl THE 0123 .,;:!?\'"-_()[]{}<>=+*/\\\n\t你好世界日本語한국어🙂👍🏽🇯🇵éüßΩЖ'];
/** The same with every kind of space, U+FEFF and U+0085 (where JavaScript's \s and tiktoken's part) among them. */
const SPACED = [...MIXED, ...'\r\v\f\u0085\u00a0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\u180e'];
const spacedText = fc.array(fc.constantFrom(...SPACED), { maxLength: 80 }).map((cs) => cs.join(''));
const jsAndRustAgree = (text: string): boolean => !/[\ufeff\u0085]/.test(text);
const mixedText = fc.array(fc.constantFrom(...MIXED), { maxLength: 120 }).map((cs) => cs.join(''));

describe('compact counting over gpt-tokenizer’s data', () => {
  it.each(ENCODING_NAMES)('%s: the reconciliation texts count as gpt-tokenizer and OpenAI’s tiktoken count them', (name) => {
    for (const text of RECONCILED) {
      expect(countWith(name, text), text).toBe(library(name, text));
      expect(countWith(name, text), text).toBe(openai(name, text));
    }
  });

  it.each(ENCODING_NAMES)('%s: random mixed text counts as gpt-tokenizer counts it', (name) => {
    fc.assert(
      fc.property(mixedText, (text) => countWith(name, text) === library(name, text)),
      { numRuns: 1500 },
    );
  });

  it.each(ENCODING_NAMES)('%s: any text counts as tiktoken counts it, and as gpt-tokenizer does without U+FEFF or U+0085', (name) => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), spacedText), (text) => {
        expect(countWith(name, text)).toBe(openai(name, text));
        if (jsAndRustAgree(text)) expect(countWith(name, text)).toBe(library(name, text));
      }),
      { numRuns: 1500 },
    );
  });

  // tiktoken's \s is Unicode White_Space; JavaScript's also matches U+FEFF and not U+0085, so gpt-tokenizer (and
  // js-tiktoken) cut such text into other pieces than OpenAI's tokenizer does. relaymon spells \s out (encodings.ts).
  it('counts text with a byte-order mark or a NEL as OpenAI’s tiktoken does, where gpt-tokenizer does not', () => {
    const texts = ['\ufeffbom', 'a\ufeffb', '\ufeff\ufeff', 'T\ufeffE', 'x \ufeff y', 'line\u0085next', ' \u0085 '];
    for (const text of texts) {
      for (const name of ENCODING_NAMES) expect(countWith(name, text), `${name} ${JSON.stringify(text)}`).toBe(openai(name, text));
    }
    expect(texts.filter((t) => library('o200k_base', t) !== openai('o200k_base', t)).length).toBeGreaterThan(0);
  });

  it('spells \\s and \\S as Unicode White_Space, in character classes and out', () => {
    const rust = new RegExp(withRustWhitespace(String.raw`\s+(?!\S)|[^\s\p{L}]+`), 'gu');
    const js = new RegExp(String.raw`\s+(?!\S)|[^\s\p{L}]+`, 'gu');
    // U+FEFF is not space: it joins the punctuation after it. U+0085 is: it does not.
    expect(['a\ufeff!'.match(rust), 'a\ufeff!'.match(js)]).toEqual([['\ufeff!'], ['!']]);
    expect(['a\u0085!'.match(rust), 'a\u0085!'.match(js)]).toEqual([['!'], ['\u0085!']]);
    expect(() => withRustWhitespace(String.raw`[\S]`)).toThrow();
  });

  it('keeps each encoding’s merges apart (a word merged in one is counted afresh in the other)', () => {
    const word = ' unquestionably-overengineered';
    expect([countWith('o200k_base', word), countWith('cl100k_base', word), countWith('o200k_base', word)]).toEqual([
      library('o200k_base', word),
      library('cl100k_base', word),
      library('o200k_base', word),
    ]);
  });

  it('reads a .tiktoken file: ascending ranks, holes left empty, padding ignored', () => {
    const line = (bytes: number[], rank: number): string => `${Buffer.from(bytes).toString('base64')} ${rank}`;
    const bytes = [0x61, 0x62, 0x63].map((b, i) => line([b], i));
    const r = compactRanks(Buffer.from([...bytes, line([0x61, 0x62], 4), line([0x61, 0x62, 0x63], 5), ''].join('\n')));
    expect([...r.start]).toEqual([0, 1, 2, 3, 3, 5, 8]);
    const pieces = /[a-z]+|./gu;
    expect(countCompact(r, pieces, 'abc')).toBe(1);
    expect(countCompact(r, pieces, 'abab')).toBe(2);
    expect(countCompact(r, pieces, 'cab')).toBe(2);
    expect(() => compactRanks(Buffer.from(`${line([0x61], 1)}\n${line([0x62], 0)}\n`))).toThrow(/ascend/);
  });

  it('loads the encodings the library ships, ranks and all', () => {
    const r = loadCompactRanks('cl100k_base');
    expect(r.start.length - 1).toBe(100_256);
    expect(countCompact(r, new RegExp(splitPattern('cl100k_base')), 'Hello world')).toBe(2);
  });
});

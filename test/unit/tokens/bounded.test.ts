import { afterAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countBounded, DEFAULT_BOUNDS, estimateFromLength } from '../../../src/tokens/bounded.js';
import { countTextTokens } from '../../../src/tokens/estimate.js';
import { runCountJob, textHead } from '../../../src/tokens/count-job.js';
import { tokenCounter } from '../../../src/tokens/counter.js';

const PLAIN = { disallowedSpecial: new Set<string>() };
const CJK_160K = '中文字符测试'.repeat(27_000); // 162,000 characters without a break

/** Every kind of piece the pre-tokenizer makes: words, numbers, punctuation runs, spaces, newlines, CRLF, emoji, CJK. */
const MIXED = [
  'Xin chào, bạn khỏe không? 你好，世界！ emoji 👍🏽🎉 and "quotes" <|endoftext|>\n\n',
  "  indented   code();\r\n\tconst x = 1234567; // it's we'll I'M\n",
  '    \n   trailing spaces   \n',
].join('').repeat(400);

describe('countBounded', () => {
  it('counts 160k CJK characters without throwing (one unbroken run overflowed gpt-tokenizer\'s stack, or took minutes), as an estimate cut at long words', () => {
    const c = countBounded('o200k_base', CJK_160K);
    expect(c.limit).toBe('word');
    // One or two characters a token; cut every 256 characters, so within a fraction of a percent of the truth.
    expect(c.tokens).toBeGreaterThan(CJK_160K.length / 2 - 1);
    expect(c.tokens).toBeLessThanOrEqual(CJK_160K.length);
  });

  it('gives the exact count of a whole text, cut in slices at the pre-tokenizer piece boundaries', () => {
    const truth = encode(MIXED, PLAIN).length;
    expect(countBounded('o200k_base', MIXED)).toEqual({ tokens: truth, limit: null });
    // Tiny slices cut at (nearly) every piece boundary: still exact.
    expect(countBounded('o200k_base', MIXED, { sliceChars: 3 })).toEqual({ tokens: truth, limit: null });
    expect(countBounded('cl100k_base', MIXED, { sliceChars: 5 })).toEqual({ tokens: encodeCl100k(MIXED, PLAIN).length, limit: null });
  });

  it('counts a 10 MB word in bounded work: the first 512 Ki characters in cuts, the rest extrapolated (size)', () => {
    const word = 'a'.repeat(10 * 1024 * 1024);
    const c = countBounded('o200k_base', word);
    expect(c.limit).toBe('size');
    // 'a' × 8 is one token in o200k_base; cutting at 256 keeps that exact.
    expect(c.tokens).toBe(word.length / 8);
  });

  it('a long word under the size cap is marked word; a text past the cap is marked size and extrapolated at its own rate', () => {
    expect(countBounded('o200k_base', `hello ${'z'.repeat(1000)} world`).limit).toBe('word');
    const sentence = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
    const long = sentence.repeat(20_000); // 1.16 M characters
    const c = countBounded('o200k_base', long);
    expect(c.limit).toBe('size');
    const truth = encode(long, PLAIN).length;
    expect(Math.abs(c.tokens - truth) / truth).toBeLessThan(0.01);
  });

  it('stops at its deadline and estimates the rest (time)', () => {
    const c = countBounded('o200k_base', MIXED.repeat(20), { deadline: performance.now() - 1, sliceChars: 1000 });
    expect(c.limit).toBe('time');
    expect(c.tokens).toBeGreaterThan(0);
  });

  it('counts only the head it was given and extrapolates to the whole length', () => {
    const text = 'hello world '.repeat(100_000);
    const head = textHead(text);
    expect(head.head.length).toBe(DEFAULT_BOUNDS.maxChars);
    const c = countBounded('o200k_base', head.head, {}, head.length);
    expect(c.limit).toBe('size');
    expect(Math.abs(c.tokens - 200_000) / 200_000).toBeLessThan(0.01);
  });

  it('empty text is 0 tokens, counted in full; estimateFromLength is a quarter of the UTF-8 bytes', () => {
    expect(countBounded('o200k_base', '')).toEqual({ tokens: 0, limit: null });
    expect(estimateFromLength('abcdefgh')).toBe(2);
    expect(estimateFromLength('中文')).toBe(2);
  });

  it('the spend guard’s quick count is bounded too (a 1 MB word does not stall the sending thread)', () => {
    expect(countTextTokens('a'.repeat(1024 * 1024))).toBe((1024 * 1024) / 8);
    expect(countTextTokens('Xin chào, bạn khỏe không?')).toBe(8);
  });
});

describe('runCountJob', () => {
  it('counts the prompt and the answer, and says which bound cut the answer short', () => {
    const r = runCountJob({
      id: 7,
      model: 'gpt-4o',
      body: { messages: [{ role: 'user', content: 'Reply with OK' }] },
      output: { content: textHead(CJK_160K), tool: textHead(''), reasoning: textHead('') },
      budgetMs: 60_000,
      expiresAt: Date.now() + 60_000,
    });
    expect(r.expired).toBe(false);
    if (r.expired) return;
    expect(r.prompt).toEqual({ tokens: 3 + 1 + 3 + 3, complete: true, kind: 'exact', limit: null });
    expect(r.output).toMatchObject({ kind: 'estimate', limit: 'word', reasoningText: 0 });
  });

  it('skips a job nobody waits for any more', () => {
    expect(runCountJob({ id: 1, model: 'gpt-4o', body: null, output: null, budgetMs: 100, expiresAt: Date.now() - 1 })).toEqual({ id: 1, expired: true });
  });
});

describe('the counting worker', () => {
  afterAll(() => {
    expect(tokenCounter().waiting).toBe(0);
  });

  it('counts off this thread, one job after another, and answers a huge CJK answer as an estimate', async () => {
    await tokenCounter().warm('gpt-4o');
    const [small, huge] = await Promise.all([
      tokenCounter().count({ model: 'gpt-4o', body: null, output: { content: textHead('Hello there'), tool: textHead(''), reasoning: textHead('') } }),
      tokenCounter().count({ model: 'gpt-4o', body: null, output: { content: textHead(CJK_160K), tool: textHead(''), reasoning: textHead('') } }),
    ]);
    expect(small?.output).toEqual({ visible: 2, reasoningText: 0, kind: 'exact', limit: null, textExact: true });
    expect(huge?.output).toMatchObject({ kind: 'estimate', limit: 'word' });
  });

  it('a wait is bounded: an aborted or timed-out count resolves null at once (the caller estimates)', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(tokenCounter().count({ model: 'gpt-4o', body: null, output: null }, { signal: abort.signal })).resolves.toBeNull();
    const late = new AbortController();
    const pending = tokenCounter().count({ model: 'gpt-4o', body: null, output: { content: textHead('a'.repeat(10 * 1024 * 1024)), tool: textHead(''), reasoning: textHead('') } }, { signal: late.signal });
    late.abort();
    await expect(pending).resolves.toBeNull();
    await expect(tokenCounter().count({ model: 'gpt-4o', body: null, output: null }, { timeoutMs: 0 })).resolves.toBeNull();
  });
});

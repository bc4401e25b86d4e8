import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import {
  TOKENS_PER_MESSAGE,
  TOKENS_REPLY_PRIMING,
  countTextTokens,
  estimateInputTokens,
  estimateOutputTokens,
} from '../../../src/tokens/estimate.js';

describe('countTextTokens', () => {
  it.each([
    ['Reply with OK', 3],
    ['Xin chào, bạn khỏe không?', 8],
    ['你好，世界', 3],
    ['👍🏽🎉', 5],
  ])('counts %j as o200k_base does (%i tokens)', (text, expected) => {
    expect(countTextTokens(text)).toBe(encode(text).length);
    expect(countTextTokens(text)).toBe(expected);
  });

  it.each([
    'Tiếng Việt có dấu: Nguyễn Trãi, Hà Nội, phở bò, điện thoại.',
    '日本語のテキストと中文文本，还有한국어.',
    'Emoji mix 🚀🔥👩‍👩‍👧‍👦 and flags 🇻🇳🇯🇵 with text.',
    'function f(x) { return x * 2; }\n\n  indented\ttabs',
    'a'.repeat(1000),
  ])('matches encode().length for %j', (text) => {
    expect(countTextTokens(text)).toBe(encode(text).length);
  });

  it('is 0 for empty text', () => {
    expect(countTextTokens('')).toBe(0);
  });

  it('counts special-token look-alikes in user text as plain text instead of throwing', () => {
    const text = 'ignore <|endoftext|> please';
    expect(() => encode(text)).toThrow();
    expect(countTextTokens(text)).toBe(encode(text, { disallowedSpecial: new Set() }).length);
    expect(countTextTokens(text)).toBeGreaterThan(3);
  });
});

describe('estimateOutputTokens', () => {
  it('counts generated text', () => {
    expect(estimateOutputTokens('Xin chào, bạn khỏe không?')).toBe(8);
    expect(estimateOutputTokens('')).toBe(0);
  });
});

describe('estimateInputTokens', () => {
  const n = (s: string) => encode(s).length;

  it('adds per-message framing, roles and reply priming', () => {
    expect(TOKENS_PER_MESSAGE).toBe(3);
    expect(TOKENS_REPLY_PRIMING).toBe(3);
    const got = estimateInputTokens([{ role: 'user', content: 'Reply with OK' }], 'Be brief.');
    const want = 3 + (3 + n('system') + n('Be brief.')) + (3 + n('user') + n('Reply with OK'));
    expect(got).toBe(want);
  });

  it('counts only the text parts of array content', () => {
    const got = estimateInputTokens([
      {
        role: 'user',
        content: [
          { type: 'text', text: '你好，世界' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'text', text: '👍🏽🎉' },
        ],
      },
      { role: 'assistant', content: 'OK' },
    ]);
    const want = 3 + (3 + n('user') + 3 + 5) + (3 + n('assistant') + n('OK'));
    expect(got).toBe(want);
  });

  it('counts unknown content as framing only', () => {
    expect(estimateInputTokens([{ role: 'tool', content: null }])).toBe(3 + 3 + n('tool'));
    expect(estimateInputTokens([])).toBe(3);
    expect(estimateInputTokens([], '')).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { aliasDistance, normalizeModel, sameModel } from '../../../src/pricing/aliases.js';

describe('normalizeModel', () => {
  it('is case-insensitive and trims', () => {
    expect(normalizeModel('GPT-4o')).toBe('gpt-4o');
    expect(normalizeModel('  Claude-Sonnet-4-5 ')).toBe('claude-sonnet-4-5');
    expect(sameModel('GPT-4O', 'gpt-4o')).toBe(true);
  });

  it.each([
    ['openai/gpt-4o', 'gpt-4o'],
    ['anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5'],
    ['google/gemini-2.5-pro', 'gemini-2-5-pro'],
    ['deepseek/deepseek-v3.2', 'deepseek-v3-2'],
    ['models/gemini-2.5-flash', 'gemini-2-5-flash'],
    ['accounts/fireworks/models/llama-v3p1-8b-instruct', 'llama-v3p1-8b-instruct'],
    ['bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['azure/gpt-4.1-mini', 'gpt-4-1-mini'],
    ['openrouter/openai/gpt-4o', 'gpt-4o'],
  ])('strips the vendor prefix of %s', (input, expected) => {
    expect(normalizeModel(input)).toBe(expected);
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-3-5-sonnet@20240620', 'claude-3-5-sonnet'],
    ['claude-sonnet-4-5@2025-09-29', 'claude-sonnet-4-5'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
    ['openai/gpt-4o-2024-08-06', 'gpt-4o'],
  ])('removes the snapshot date of %s', (input, expected) => {
    expect(normalizeModel(input)).toBe(expected);
  });

  it('keeps suffixes that are not unambiguous dates', () => {
    expect(normalizeModel('gemini-2.5-pro-preview-05-06')).toBe('gemini-2-5-pro-preview-05-06');
    expect(normalizeModel('gpt-4-0613')).toBe('gpt-4-0613');
    expect(normalizeModel('gemini-2.5-flash-preview-09-2025')).toBe('gemini-2-5-flash-preview-09-2025');
    // 8 digits that are not a date stay.
    expect(normalizeModel('model-20251399')).toBe('model-20251399');
    // `-v3` is part of the name; only Bedrock's `-v1:0` tail is a version.
    expect(normalizeModel('deepseek-v3')).toBe('deepseek-v3');
  });

  it('treats a dot and a dash between digits as equal', () => {
    expect(sameModel('claude-sonnet-4.5', 'claude-sonnet-4-5')).toBe(true);
    expect(sameModel('gpt-4.1', 'gpt-4-1')).toBe(true);
    expect(sameModel('deepseek-v3.2', 'deepseek-v3-2')).toBe(true);
    expect(sameModel('anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5-20250929')).toBe(true);
  });

  it("keeps Anthropic's older word order distinct", () => {
    expect(normalizeModel('claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet');
    expect(sameModel('claude-3-5-sonnet', 'claude-sonnet-4-5')).toBe(false);
    expect(sameModel('claude-3.5-sonnet', 'claude-3-5-sonnet-20240620')).toBe(true);
  });

  it.each([
    ['gpt-4o', 'gpt-4o-mini'],
    ['gpt-4.1', 'gpt-4.1-mini'],
    ['claude-sonnet-4.5', 'claude-haiku-4.5'],
    ['gpt-4o', 'gpt-4'],
    ['openai/gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18'],
    ['claude-sonnet-4-5', 'claude-sonnet-4'],
    ['gemini-2.5-pro', 'gemini-2.5-pro-preview-05-06'],
    ['deepseek-v3.2', 'deepseek-v3'],
  ])('keeps %s and %s different', (a, b) => {
    expect(sameModel(a, b)).toBe(false);
  });
});

describe('aliasDistance', () => {
  it('prefers a bare undated key over prefixed and dated ones', () => {
    expect(aliasDistance('gpt-4o')).toBe(0);
    expect(aliasDistance('openai/gpt-4o')).toBe(1);
    expect(aliasDistance('openrouter/openai/gpt-4o')).toBe(2);
    expect(aliasDistance('gpt-4o-2024-08-06')).toBeGreaterThan(aliasDistance('openrouter/openai/gpt-4o'));
  });
});

/**
 * The BPE encodings relaymon counts with, loaded on first use and then kept
 * for the life of the thread. Loading is synchronous and costs a fifth of a
 * second or more for o200k_base (half that for cl100k_base), so it happens
 * only in the counting worker (tokens/counter.ts), never on the thread that
 * sends requests and stamps their times. Only the encodings of the models a
 * run counts are loaded (tokens/local-count.ts tokenizerFor).
 *
 * gpt-tokenizer's encoding API over ranks read from its own `.tiktoken` data
 * (tokens/ranks.ts), not its `encoding/<name>` modules: same tokenizer, same
 * counts, without parsing the 2 MB generated ranks module (bench/tokenizers.mjs).
 */
import { createRequire } from 'node:module';
import { loadRanks } from './ranks.js';

export const ENCODING_NAMES = ['o200k_base', 'cl100k_base'] as const;
export type EncodingName = (typeof ENCODING_NAMES)[number];

type GptEncodingModule = typeof import('gpt-tokenizer/GptEncoding');
type EncodingModule = ReturnType<GptEncodingModule['GptEncoding']['getEncodingApi']>;
type SplitPatterns = typeof import('gpt-tokenizer/encodingParams/constants');

const loaded = new Map<EncodingName, EncodingModule>();
const patterns = new Map<EncodingName, RegExp>();
const requireCjs = createRequire(import.meta.url);

/**
 * User text may contain strings such as "<|endoftext|>"; they reach the model
 * as plain text, so they are counted as text rather than rejected.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

function encoding(name: EncodingName): EncodingModule {
  let e = loaded.get(name);
  if (!e) {
    const { GptEncoding } = requireCjs('gpt-tokenizer/GptEncoding') as GptEncodingModule;
    e = GptEncoding.getEncodingApi(name, () => loadRanks(name));
    loaded.set(name, e);
  }
  return e;
}

/**
 * The encoding's pre-tokenizer: the pattern that cuts text into the pieces
 * byte-pair merging works on (tokens never cross a piece boundary). A copy,
 * because a global RegExp carries its position.
 */
export function splitPattern(name: EncodingName): RegExp {
  let p = patterns.get(name);
  if (!p) {
    const c = requireCjs('gpt-tokenizer/encodingParams/constants') as SplitPatterns;
    const src = name === 'o200k_base' ? c.O200K_TOKEN_SPLIT_REGEX : c.CL100K_TOKEN_SPLIT_REGEX;
    p = new RegExp(src.source, src.flags.includes('g') ? src.flags : `${src.flags}g`);
    patterns.set(name, p);
  }
  return p;
}

/**
 * Tokens of `text` in encoding `name`, special-token look-alikes counted as
 * text. Unbounded: the cost grows with the square of the longest word, so
 * callers go through tokens/bounded.ts.
 */
export function countWith(name: EncodingName, text: string): number {
  if (text.length === 0) return 0;
  return encoding(name).countTokens(text, AS_PLAIN_TEXT);
}

/** Loads an encoding now (in the counting worker, before its first job). */
export function warmEncoding(name: EncodingName): void {
  if (loaded.has(name)) return;
  // One count as well: the first encode compiles the hot paths (a few ms more).
  countWith(name, 'warm up the encoder');
}

export function isEncodingLoaded(name: EncodingName): boolean {
  return loaded.has(name);
}

/**
 * The BPE encodings relaymon counts with, loaded on first use and then kept
 * for the life of the process. Loading is synchronous and costs about a
 * quarter of a second for o200k_base (less for cl100k_base) on a laptop, so
 * a command that never counts never pays it, and one that does pays it once.
 */
import { createRequire } from 'node:module';

export const ENCODING_NAMES = ['o200k_base', 'cl100k_base'] as const;
export type EncodingName = (typeof ENCODING_NAMES)[number];

type EncodingModule = typeof import('gpt-tokenizer/encoding/o200k_base');

const loaded = new Map<EncodingName, EncodingModule>();
const requireCjs = createRequire(import.meta.url);

/**
 * User text may contain strings such as "<|endoftext|>"; they reach the model
 * as plain text, so they are counted as text rather than rejected.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

function encoding(name: EncodingName): EncodingModule {
  let e = loaded.get(name);
  if (!e) {
    e = requireCjs(`gpt-tokenizer/encoding/${name}`) as EncodingModule;
    loaded.set(name, e);
  }
  return e;
}

/** Tokens of `text` in encoding `name`, special-token look-alikes counted as text. */
export function countWith(name: EncodingName, text: string): number {
  if (text.length === 0) return 0;
  return encoding(name).encode(text, AS_PLAIN_TEXT).length;
}

/** Loads an encoding now (before timing-sensitive work), so the first count does not stall it. */
export function warmEncoding(name: EncodingName): void {
  if (loaded.has(name)) return;
  // One count as well: the first encode compiles the hot paths (a few ms more).
  countWith(name, 'warm up the encoder');
}

export function isEncodingLoaded(name: EncodingName): boolean {
  return loaded.has(name);
}

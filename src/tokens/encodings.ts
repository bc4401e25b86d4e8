/**
 * The BPE encodings relaymon counts with, loaded on first use and then kept
 * for as long as the count host uses them (tokens/count-host.ts, on the main
 * thread; released when idle). Loading reads a prebuilt table (a few ms,
 * tokens/rank-table.ts), and happens only where counts are made, never on
 * the engine worker that sends requests and stamps their times. Only the encodings
 * of the models a run counts are loaded (tokens/local-count.ts tokenizerFor).
 *
 * The ranks and pre-tokenizer patterns are gpt-tokenizer's; the counting is
 * tokens/compact.ts over typed arrays, chosen with bench/tokenizers.mjs: in a
 * worker thread o200k_base peaks the process 16 MB above an empty worker,
 * where gpt-tokenizer's encoding module peaks it 67 MB above, with the same
 * counts but for text holding U+FEFF or U+0085, which is counted as OpenAI's
 * tiktoken counts it (withRustWhitespace).
 */
import { createRequire } from 'node:module';
import { countCompact, type CompactRanks } from './compact.js';
import { loadCompactRanks } from './rank-table.js';

export const ENCODING_NAMES = ['o200k_base', 'cl100k_base'] as const;
export type EncodingName = (typeof ENCODING_NAMES)[number];

type SplitPatterns = typeof import('gpt-tokenizer/encodingParams/constants');

interface Loaded {
  ranks: CompactRanks;
  pieces: RegExp;
}

/** The ranks, and a pattern of their own: countBounded (tokens/bounded.ts) walks splitPattern's while it counts. */
const loaded = new Map<EncodingName, Loaded>();
/**
 * Tables let go (releaseEncodings) that this thread's GC has not collected
 * yet. Letting go frees nothing by itself: a table's bytes (4.1 MB for
 * o200k_base) stay until a full collection of the thread that read them, and
 * the count host's thread (the main thread) may go a long time without one.
 * Asked for again before then (the count host releases after COUNT_IDLE_MS
 * with nothing to count, and the engine worker's next request warms it
 * again), the same table is taken back instead of a second copy being read
 * beside the first: in bench/engine.mjs's closed loop, whose counts all come
 * from the client's caches, the main thread otherwise gained one dead 4.1 MB
 * table every 30 s (its long run's growth, BENCHMARKS.md). Once collected,
 * a table is read again.
 */
const released = new Map<EncodingName, WeakRef<Loaded>>();
const patterns = new Map<EncodingName, RegExp>();
const requireCjs = createRequire(import.meta.url);

function encoding(name: EncodingName): Loaded {
  let e = loaded.get(name);
  if (!e) {
    e = released.get(name)?.deref() ?? read(name);
    released.delete(name);
    loaded.set(name, e);
  }
  return e;
}

function read(name: EncodingName): Loaded {
  const ranks = loadCompactRanks(name);
  const p = patternOf(name, ranks);
  return { ranks, pieces: new RegExp(p.source, p.flags) };
}

/**
 * The encoding's pre-tokenizer: the pattern that cuts text into the pieces
 * byte-pair merging works on (tokens never cross a piece boundary). A copy,
 * because a global RegExp carries its position. Loads the encoding.
 */
export function splitPattern(name: EncodingName): RegExp {
  return patterns.get(name) ?? patternOf(name, encoding(name).ranks);
}

/** gpt-tokenizer's own pre-tokenizer pattern of the encoding (scripts/build-tables.mjs stores it in the rank table). */
export function packageSplit(name: EncodingName): { source: string; flags: string } {
  const c = requireCjs('gpt-tokenizer/encodingParams/constants') as SplitPatterns;
  const re = name === 'o200k_base' ? c.O200K_TOKEN_SPLIT_REGEX : c.CL100K_TOKEN_SPLIT_REGEX;
  return { source: re.source, flags: re.flags };
}

/** The pattern from the rank table when it holds one, else from gpt-tokenizer's module (which compiles three Unicode regexes). */
function patternOf(name: EncodingName, ranks: CompactRanks): RegExp {
  let p = patterns.get(name);
  if (!p) {
    const src = ranks.split ?? packageSplit(name);
    p = new RegExp(withRustWhitespace(src.source), src.flags.includes('g') ? src.flags : `${src.flags}g`);
    patterns.set(name, p);
  }
  return p;
}

/**
 * Unicode White_Space, which is what `\s` means in tiktoken's patterns (Rust's
 * regex). JavaScript's `\s` differs by two characters: it also matches U+FEFF
 * (a byte-order mark) and not U+0085 (NEL), so a JavaScript port cuts text
 * holding either into other pieces than OpenAI's tokenizer does.
 */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** The pattern with `\s` and `\S` spelled as Unicode White_Space, inside character classes and out. */
export function withRustWhitespace(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1]!;
      i++;
      if (next === 's') out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (next === 'S') {
        if (inClass) throw new Error('\\S inside a character class is not rewritten');
        out += `[^${WHITE_SPACE}]`;
      } else out += ch + next;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    out += ch;
  }
  return out;
}

/**
 * Tokens of `text` in encoding `name`. User text may contain strings such as
 * "<|endoftext|>"; they reach the model as plain text, so they are counted as
 * text. Unbounded: the cost grows with the square of the longest word, so
 * callers go through tokens/bounded.ts.
 */
export function countWith(name: EncodingName, text: string): number {
  if (text.length === 0) return 0;
  const e = encoding(name);
  return countCompact(e.ranks, e.pieces, text);
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

// counting (r16): the count host (tokens/count-host.ts) lets the tables go when idle; they load again on next use.
/** Drops the loaded tables (the count host, after COUNT_IDLE_MS with nothing to count); the next GC may free them. */
export function releaseEncodings(): void {
  for (const [name, e] of loaded) released.set(name, new WeakRef(e));
  loaded.clear();
}

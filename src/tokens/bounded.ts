/**
 * Token counting with a bound on the work, whatever the text. gpt-tokenizer's
 * byte-pair merge is quadratic in the length of one pre-tokenized piece (a
 * 40,000-letter word takes seconds, a 10 MB one hours) and spreads a piece's
 * tokens as call arguments (a long CJK run overflows the stack). So the text
 * is split here with the encoding's own pre-tokenizer pattern and counted in
 * slices cut at piece boundaries, which gives the same count as the whole
 * text; what would cost too much is estimated instead, and the count says
 * which bound was hit:
 * - `word`: a piece longer than maxPieceChars is counted in cuts of that size
 *   (a few tokens off at each cut);
 * - `size`: only the first maxChars characters are counted, the rest is
 *   extrapolated at the rate measured on them;
 * - `time`: counting went past its deadline; the rest is extrapolated.
 */
import { performance } from 'node:perf_hooks';
import type { LocalCountLimit } from '../core/result.js';
import { countWith, splitPattern, type EncodingName } from './encodings.js';

export interface BoundedCount {
  tokens: number;
  /** Null when every character was counted exactly. */
  limit: LocalCountLimit | null;
}

export interface CountBounds {
  /** Characters counted at most; the rest is extrapolated. */
  maxChars: number;
  /** A longer piece (one "word") is counted in cuts of this many characters. */
  maxPieceChars: number;
  /** Pieces are handed to the tokenizer in slices of about this many characters. */
  sliceChars: number;
  /** performance.now() instant after which the rest is extrapolated. */
  deadline: number;
}

export const DEFAULT_BOUNDS: Readonly<Omit<CountBounds, 'deadline'>> = {
  maxChars: 1 << 19,
  maxPieceChars: 256,
  sliceChars: 8192,
};

/** Which bound matters most when several were hit: time cuts the most, a long word the least. */
const SEVERITY: Record<LocalCountLimit, number> = { word: 1, size: 2, time: 3 };

export function worseLimit(a: LocalCountLimit | null, b: LocalCountLimit | null): LocalCountLimit | null {
  if (a === null) return b;
  if (b === null) return a;
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

/**
 * Tokens of text nobody counted: a quarter of its UTF-8 bytes, about right for
 * English in o200k_base and for CJK (three bytes a character, about one token
 * for every one or two characters).
 */
export function estimateFromLength(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/**
 * Counts of long texts made beforehand in slices (tokens/sliced.ts), handed
 * in while local-count.ts composes a job's counts synchronously: the count
 * host on the main thread must not hold the loop (watch's drawing) for the
 * whole of a long text, and local-count.ts's composition stays the one place
 * that decides what is counted. Keyed by text; a hit needs the same encoding
 * and whole length.
 */
export interface PrecountedText {
  name: EncodingName;
  totalLength: number;
  count: BoundedCount;
}
let precounted: ReadonlyMap<string, PrecountedText> | null = null;

/** Runs `fn` with these texts' counts taken from `memo` instead of counted again. */
export function withPrecounted<T>(memo: ReadonlyMap<string, PrecountedText>, fn: () => T): T {
  const before = precounted;
  precounted = memo;
  try {
    return fn();
  } finally {
    precounted = before;
  }
}

/**
 * Tokens of `text`, within the bounds. `totalLength` is the length of the
 * whole text when `text` is only its head (the count host is sent at most
 * maxChars characters of each text): the rest is extrapolated.
 */
export function countBounded(name: EncodingName, text: string, bounds: Partial<CountBounds> = {}, totalLength = text.length): BoundedCount {
  const hit = precounted?.get(text);
  if (hit && hit.name === name && hit.totalLength === totalLength) return hit.count;
  const steps = countBoundedSteps(name, text, bounds, totalLength);
  let r = steps.next(false);
  while (!r.done) r = steps.next(false);
  return r.value;
}

/**
 * countBounded, one slice (about sliceChars characters) per step: the caller
 * may stop between slices by passing `true` to next() (counted as out of
 * time: the rest is extrapolated). The count is the same as countBounded's.
 */
export function* countBoundedSteps(name: EncodingName, text: string, bounds: Partial<CountBounds> = {}, totalLength = text.length): Generator<void, BoundedCount, boolean> {
  if (totalLength === 0) return { tokens: 0, limit: null };
  const b = { ...DEFAULT_BOUNDS, deadline: Number.POSITIVE_INFINITY, ...bounds };
  const pattern = splitPattern(name);
  pattern.lastIndex = 0;
  const end = Math.min(text.length, b.maxChars);
  let tokens = 0;
  let limit: LocalCountLimit | null = null;
  let outOfTime = false;
  // text[0, counted) is counted; text[counted, gathered) is whole pieces waiting to be counted as one slice.
  let counted = 0;
  let gathered = 0;
  const flush = (): void => {
    if (gathered > counted) tokens += countWith(name, text.slice(counted, gathered));
    counted = gathered;
  };

  while (gathered < end) {
    const m = pattern.exec(text);
    if (m === null || m[0].length === 0) break; // the pattern matches every character; never loop on an empty match
    const pieceEnd = m.index + m[0].length;
    if (m[0].length <= b.maxPieceChars) {
      if (pieceEnd > end) break; // the piece that crosses maxChars is left to the estimate
      gathered = pieceEnd;
      if (gathered - counted >= b.sliceChars) {
        flush();
        if (performance.now() > b.deadline || (yield* pause(pattern))) {
          outOfTime = true;
          break;
        }
      }
      continue;
    }
    // One very long piece: counted in cuts (up to maxChars), each merged on its own.
    gathered = m.index;
    flush();
    limit = worseLimit(limit, 'word');
    const stop = Math.min(pieceEnd, end);
    let sinceYield = 0;
    while (counted < stop && !outOfTime) {
      let cut = Math.min(stop, counted + b.maxPieceChars);
      if (cut < stop && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1; // never split a surrogate pair
      tokens += countWith(name, text.slice(counted, cut));
      sinceYield += cut - counted;
      counted = gathered = cut;
      outOfTime = performance.now() > b.deadline;
      if (!outOfTime && sinceYield >= b.sliceChars) {
        sinceYield = 0;
        outOfTime = yield* pause(pattern);
      }
    }
    if (outOfTime || stop < pieceEnd) break;
  }
  flush();
  if (counted < totalLength) {
    const rest = totalLength - counted;
    // At the rate measured so far; with nothing counted, a quarter of the UTF-8 bytes (of the head, scaled).
    const rate = counted > 0 ? tokens / counted : text.length > counted ? estimateFromLength(text.slice(counted, counted + 65_536)) / Math.min(65_536, text.length - counted) : 0.25;
    tokens += Math.ceil(rate * rest);
    limit = worseLimit(limit, outOfTime ? 'time' : 'size');
  }
  return { tokens, limit };
}

/**
 * One yield of countBoundedSteps. The pattern is the encoding's one shared
 * RegExp (encodings.ts splitPattern), whose position other counts on this
 * thread move while this one waits: it is put back before going on.
 */
function* pause(pattern: RegExp): Generator<void, boolean, boolean> {
  const at = pattern.lastIndex;
  const stop = yield;
  pattern.lastIndex = at;
  return stop;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

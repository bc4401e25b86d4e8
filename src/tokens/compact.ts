/**
 * A token counter over gpt-tokenizer's own data (its `.tiktoken` ranks file
 * and its pre-tokenizer patterns) that keeps the 200k ranks in typed arrays:
 * every token's bytes in one Uint8Array and an open-addressing hash table of
 * ranks, about 4 MB for o200k_base. The library's encoder holds a Map of 200k
 * strings (19 MB of live heap); loaded in a worker thread it peaks the process
 * 67 MB above an empty worker, this 16 MB (bench/tokenizers.mjs).
 *
 * The merge is tiktoken's byte-pair merge (the reference the library follows):
 * a piece that is a token is one token; otherwise, starting from single
 * bytes, the adjacent pair whose joined bytes have the lowest rank is merged
 * (leftmost on a tie) until no pair is a token. Only counts are made, never
 * token ids, and special-token look-alikes are counted as text, as
 * tokens/encodings.ts countWith always has. Counts equal tiktoken's, and
 * gpt-tokenizer's on any text without U+FEFF or U+0085, where its patterns'
 * JavaScript \s parts from tiktoken's (encodings.ts withRustWhitespace;
 * test/unit/tokens/compact.test.ts, random text included).
 *
 * The arrays are built at build time into dist/tables/ and loaded from there
 * without parsing (tokens/rank-table.ts); compactRanks here builds them from
 * the `.tiktoken` file, for that build and as the fallback.
 */
/** Marks a free slot of the hash table and "not a token". */
const NONE = -1;

export interface CompactRanks {
  /** Every token's bytes, by rank. */
  bytes: Uint8Array;
  /** Rank r's bytes are bytes[start[r], start[r + 1]); a missing rank is empty. */
  start: Uint32Array;
  /** Open addressing, linear probing: ranks, or NONE. */
  table: Int32Array;
  mask: number;
  /** Counts of pieces that took a merge (countCompact). */
  merged: Map<string, number>;
  /** Where the arrays came from: the table built with relaymon (tokens/rank-table.ts) or the package's .tiktoken file. */
  from: 'table' | 'tiktoken';
  /** The package's pre-tokenizer pattern, as gpt-tokenizer writes it, when the table holds it (tokens/encodings.ts splitPattern). */
  split?: { source: string; flags: string };
}

/** FNV-1a over bytes[from, to). The prebuilt tables (tokens/rank-table.ts) hold slots placed by it: changing it means bumping RANK_TABLE_FORMAT. */
function hash(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Base64 alphabet value of each ASCII code (-1: not base64). */
const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/** The rank written on the line data[space + 1, end). */
function rankAt(data: Uint8Array, space: number, end: number): number {
  let rank = 0;
  for (let i = space + 1; i < end; i++) rank = rank * 10 + data[i]! - 48;
  return rank;
}

/**
 * Ranks of a `.tiktoken` file (one `base64 rank` a line, ranks ascending, as
 * tiktoken writes them), decoded straight into the typed arrays: no string or
 * array per token is made. A rank missing from the file is an empty range.
 */
export function compactRanks(data: Uint8Array): CompactRanks {
  let tail = data.length;
  while (tail > 0 && data[tail - 1] === 10) tail--;
  const lastLine = data.lastIndexOf(10, tail - 1) + 1;
  const maxRank = rankAt(data, data.indexOf(32, lastLine), tail);
  // Sized exactly (a first pass over the lines), so loading holds no oversized buffer: it is the worker's peak.
  let size = 0;
  for (let at = 0; at < data.length; ) {
    let end = data.indexOf(10, at);
    if (end < 0) end = data.length;
    const space = data.indexOf(32, at);
    if (end > at && space > at && space < end) {
      let chars = space - at;
      while (chars > 0 && data[at + chars - 1] === 61) chars--; // '=' padding
      size += (chars * 6) >> 3;
    }
    at = end + 1;
  }
  const bytes = new Uint8Array(size);
  const start = new Uint32Array(maxRank + 2);
  let used = 0;
  let next = 0; // the first rank not written yet
  for (let at = 0; at < data.length; ) {
    let end = data.indexOf(10, at);
    if (end < 0) end = data.length;
    if (end > at) {
      const space = data.indexOf(32, at);
      if (space < 0 || space > end) throw new Error(`malformed .tiktoken line at byte ${at}`);
      const rank = rankAt(data, space, end);
      if (rank < next || rank > maxRank) throw new Error(`.tiktoken ranks must ascend (rank ${rank} at byte ${at})`);
      while (next <= rank) start[next++] = used; // holes before it are empty
      let acc = 0;
      let bits = 0;
      for (let i = at; i < space; i++) {
        const v = B64[data[i]!]!;
        if (v < 0) continue; // '=' padding
        acc = ((acc << 6) | v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes[used++] = (acc >> bits) & 0xff;
        }
      }
    }
    at = end + 1;
  }
  start[maxRank + 1] = used;
  let tableSize = 1;
  while (tableSize < (maxRank + 1) * 2) tableSize <<= 1;
  const table = new Int32Array(tableSize).fill(NONE);
  const mask = tableSize - 1;
  for (let r = 0; r <= maxRank; r++) {
    if (start[r + 1] === start[r]) continue; // a hole in the ranks
    let slot = hash(bytes, start[r]!, start[r + 1]!) & mask;
    while (table[slot] !== NONE) slot = (slot + 1) & mask;
    table[slot] = r;
  }
  return { bytes, start, table, mask, merged: new Map(), from: 'tiktoken' };
}

/** The rank of bytes[from, to) (NONE: not a token). */
function rankOf(r: CompactRanks, piece: Uint8Array, from: number, to: number): number {
  const n = to - from;
  let slot = hash(piece, from, to) & r.mask;
  for (;;) {
    const rank = r.table[slot]!;
    if (rank === NONE) return NONE;
    const s = r.start[rank]!;
    if (r.start[rank + 1]! - s === n) {
      let i = 0;
      while (i < n && r.bytes[s + i] === piece[from + i]) i++;
      if (i === n) return rank;
    }
    slot = (slot + 1) & r.mask;
  }
}

/** Scratch space for merging one piece (grown as needed; counting is single-threaded). */
let bounds = new Int32Array(64);
let pairRank = new Int32Array(64);

/** Tokens of one pre-tokenized piece, bytes[0, n). */
function countPiece(r: CompactRanks, piece: Uint8Array, n: number): number {
  if (n <= 1) return n;
  if (rankOf(r, piece, 0, n) !== NONE) return 1;
  if (bounds.length < n + 1) {
    bounds = new Int32Array(n + 1);
    pairRank = new Int32Array(n + 1);
  }
  // parts: the token boundaries bounds[0..parts]; pairRank[i]: rank of joining parts i and i + 1.
  let parts = n;
  for (let i = 0; i <= n; i++) bounds[i] = i;
  for (let i = 0; i < n - 1; i++) pairRank[i] = rankOf(r, piece, i, i + 2);
  for (;;) {
    let best = NONE;
    let at = -1;
    for (let i = 0; i < parts - 1; i++) {
      const k = pairRank[i]!;
      if (k !== NONE && (best === NONE || k < best)) {
        best = k;
        at = i;
      }
    }
    if (at < 0) return parts;
    // Join parts at and at + 1: drop boundary at + 1, then re-rank the pairs either side.
    bounds.copyWithin(at + 1, at + 2, parts + 1);
    pairRank.copyWithin(at + 1, at + 2, parts);
    parts--;
    if (at > 0) pairRank[at - 1] = rankOf(r, piece, bounds[at - 1]!, bounds[at + 1]!);
    pairRank[at] = at + 1 < parts ? rankOf(r, piece, bounds[at]!, bounds[at + 2]!) : NONE;
  }
}

const utf8 = new TextEncoder();
let pieceBytes = new Uint8Array(1024);

/**
 * Counts of pieces that took a merge, by piece: words repeat, and a merge is
 * quadratic in the piece's bytes (a 256-character CJK cut takes most of a
 * millisecond). Bounded by emptying it when full (the library keeps an LRU of
 * 100,000 merges).
 */
const MERGE_CACHE_SIZE = 8_192;

/** Tokens of `text`, cut into pieces by `pattern` (the encoding's pre-tokenizer, global). */
export function countCompact(r: CompactRanks, pattern: RegExp, text: string): number {
  let tokens = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const piece = m[0];
    if (piece.length === 0) {
      pattern.lastIndex++;
      continue;
    }
    const known = r.merged.get(piece);
    if (known !== undefined) {
      tokens += known;
      continue;
    }
    if (pieceBytes.length < piece.length * 3) pieceBytes = new Uint8Array(piece.length * 3);
    const { written } = utf8.encodeInto(piece, pieceBytes);
    const n = countPiece(r, pieceBytes, written);
    if (n > 1) {
      if (r.merged.size >= MERGE_CACHE_SIZE) r.merged.clear();
      r.merged.set(piece, n);
    }
    tokens += n;
  }
  return tokens;
}

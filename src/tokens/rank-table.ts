/**
 * The o200k/cl100k ranks as relaymon counts with them (tokens/compact.ts's
 * typed arrays), built once at build time by scripts/build-tables.mjs from
 * the installed gpt-tokenizer's `.tiktoken` files into dist/tables/, and
 * loaded here with one readFileSync and typed-array views over the file's
 * bytes: no per-token work at load and nothing on the JS heap. Parsing the
 * `.tiktoken` file instead (compactRanks) is per-token work, a tenth of a
 * second or more of CPU for o200k_base (bench/tokenizers.mjs).
 *
 * A table is used only when it was built from the same gpt-tokenizer version
 * as the one installed, in this format, for this encoding, and its sizes add
 * up. Otherwise (missing, stale after an upgrade of gpt-tokenizer, truncated)
 * the ranks are built from the package's data file as before: the counts are
 * the same either way (test/unit/tokens/rank-table.test.ts), only the load
 * is slower, so a stale table is never a reason to fail.
 *
 * File layout: "RMTK", u32 LE header length, the header (JSON), zero padding
 * to a multiple of 4; then `start` (u32 × starts), `table` (i32 × slots),
 * `bytes` (u8 × bytes). Typed arrays are in the machine's byte order, which
 * the header records and the reader checks.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { compactRanks, type CompactRanks } from './compact.js';

/** Bumped whenever the layout, compact.ts's hash or its table sizing changes: older files are then ignored. */
export const RANK_TABLE_FORMAT = 2;
const MAGIC = 'RMTK';
const ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'le' : 'be';

export interface RankTableHeader {
  format: number;
  encoding: string;
  /** gpt-tokenizer's version the ranks were read from. */
  version: string;
  endian: 'le' | 'be';
  starts: number;
  slots: number;
  bytes: number;
  /** gpt-tokenizer's pre-tokenizer pattern for the encoding: loading its module compiles three Unicode regexes (~50 ms). */
  split: { source: string; flags: string };
}

/**
 * dist/tables/, from src/tokens/ (tests) and dist/tokens/ (the CLI, installed
 * or not) alike: both sit two levels below the package root.
 */
export const TABLES_DIR = join(packageRoot(), 'dist', 'tables') + sep;

const requireCjs = createRequire(import.meta.url);

/** The installed gpt-tokenizer's version: a table built from another one may hold other ranks. */
export function gptTokenizerVersion(): string {
  const pkg = JSON.parse(readFileSync(requireCjs.resolve('gpt-tokenizer/package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '';
}

/** The table file for `ranks`: what scripts/build-tables.mjs writes. */
export function rankTableBytes(ranks: CompactRanks, encoding: string, version: string, split: { source: string; flags: string }): Uint8Array {
  const header: RankTableHeader = {
    format: RANK_TABLE_FORMAT,
    encoding,
    version,
    endian: ENDIAN,
    starts: ranks.start.length,
    slots: ranks.table.length,
    bytes: ranks.bytes.length,
    split: { source: split.source, flags: split.flags },
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = align4(8 + json.length);
  const out = Buffer.alloc(head + 4 * header.starts + 4 * header.slots + header.bytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let at = head;
  for (const part of [ranks.start, ranks.table, ranks.bytes]) {
    out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
    at += part.byteLength;
  }
  return out;
}

/**
 * The ranks held in `file`, as views over its bytes, or why they cannot be
 * used for `encoding` with gpt-tokenizer `version` installed.
 */
export function ranksFromTable(file: Uint8Array, encoding: string, version: string): CompactRanks | { reason: string } {
  if (file.length < 8 || Buffer.from(file.buffer, file.byteOffset, 4).toString('latin1') !== MAGIC) return { reason: 'not a rank table' };
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > file.length) return { reason: 'truncated header' };
  let h: Partial<RankTableHeader>;
  try {
    h = JSON.parse(Buffer.from(file.buffer, file.byteOffset + 8, jsonLength).toString('utf8')) as Partial<RankTableHeader>;
  } catch {
    return { reason: 'unreadable header' };
  }
  if (h.format !== RANK_TABLE_FORMAT) return { reason: `format ${String(h.format)}, not ${RANK_TABLE_FORMAT}` };
  if (h.encoding !== encoding) return { reason: `holds ${String(h.encoding)}, not ${encoding}` };
  if (h.version !== version) return { reason: `built from gpt-tokenizer ${String(h.version)}, ${version} is installed` };
  if (h.endian !== ENDIAN) return { reason: `${String(h.endian)} byte order` };
  const { starts, slots, bytes, split } = h;
  if (typeof split?.source !== 'string' || typeof split.flags !== 'string') return { reason: 'no split pattern' };
  if (!isCount(starts) || !isCount(slots) || !isCount(bytes) || slots === 0 || (slots & (slots - 1)) !== 0) return { reason: 'bad sizes' };
  const head = align4(8 + jsonLength);
  if (file.length !== head + 4 * starts + 4 * slots + bytes) return { reason: 'size does not match its header' };
  // Views need 4-byte alignment; a file read whole sits at offset 0 of its own buffer, anything else is copied once.
  const buf = (file.byteOffset & 3) === 0 ? file : new Uint8Array(file); // (Buffer's slice() is a view, not a copy)
  const base = buf.byteOffset + head;
  return {
    start: new Uint32Array(buf.buffer, base, starts),
    table: new Int32Array(buf.buffer, base + 4 * starts, slots),
    bytes: new Uint8Array(buf.buffer, base + 4 * (starts + slots), bytes),
    mask: slots - 1,
    merged: new Map(),
    from: 'table',
    split: { source: split.source, flags: split.flags },
  };
}

/**
 * The ranks of `encoding`: from its prebuilt table when that is current,
 * else from the installed gpt-tokenizer's data file.
 */
export function loadCompactRanks(encoding: string, tablesDir = TABLES_DIR): CompactRanks {
  let file: Uint8Array | null = null;
  try {
    file = readFileSync(`${tablesDir}${encoding}.bin`);
  } catch {
    // No table (a build without scripts/build-tables.mjs): the package's data below.
  }
  if (file) {
    const ranks = ranksFromTable(file, encoding, gptTokenizerVersion());
    if (!('reason' in ranks)) return ranks;
  }
  return compactRanks(readFileSync(requireCjs.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`)));
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

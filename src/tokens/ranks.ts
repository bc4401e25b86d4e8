/**
 * gpt-tokenizer's merge ranks, read from the `.tiktoken` data file the
 * library ships (`gpt-tokenizer/data/<encoding>.tiktoken`: one base64 token
 * and its rank a line) instead of from its generated JavaScript module
 * (`gpt-tokenizer/bpeRanks/<encoding>`). Both hold the same ranks, but
 * requiring the module makes V8 parse a 2.2 MB array literal: in the counting
 * worker that peak cost about 25 MB more RSS than reading the data file
 * (bench/tokenizers.mjs). The ranks are built the way the library's own
 * generator (src/codegen/generateJsBpe.ts in the package) builds the module:
 * a token whose bytes are UTF-8 that decodes and re-encodes to the same bytes
 * is a string, any other token an array of its bytes; test/unit/tokens/ranks
 * checks every rank against the module.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type RawRanks = (string | number[])[];

const NEWLINE = 10;
const SPACE = 32;
const ZERO = 48;

/** As the generator decodes: fatal, with the default BOM handling (a leading BOM makes the token bytes). */
const utf8 = new TextDecoder('utf8', { fatal: true });

function asText(bytes: Buffer): string | null {
  try {
    const text = utf8.decode(bytes);
    return Buffer.byteLength(text, 'utf8') === bytes.length ? text : null;
  } catch {
    return null;
  }
}

/** Ranks of a `.tiktoken` file's contents; a rank missing from the file is a hole, as in the module. */
export function parseTiktokenRanks(data: Buffer): RawRanks {
  const ranks: RawRanks = [];
  let at = 0;
  while (at < data.length) {
    let end = data.indexOf(NEWLINE, at);
    if (end < 0) end = data.length;
    if (end > at) {
      const space = data.indexOf(SPACE, at);
      if (space < 0 || space > end) throw new Error(`malformed .tiktoken line at byte ${at}`);
      const bytes = Buffer.from(data.toString('latin1', at, space), 'base64');
      let rank = 0;
      for (let i = space + 1; i < end; i++) rank = rank * 10 + (data[i]! - ZERO);
      ranks[rank] = asText(bytes) ?? Array.from(bytes);
    }
    at = end + 1;
  }
  return ranks;
}

const requireCjs = createRequire(import.meta.url);

/** The ranks of `encoding` from the installed gpt-tokenizer's data file. */
export function loadRanks(encoding: string): RawRanks {
  return parseTiktokenRanks(readFileSync(requireCjs.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`)));
}

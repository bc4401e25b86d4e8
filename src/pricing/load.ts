import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { PriceTable } from './table.js';

/**
 * Reads a LiteLLM-format prices file and lays it over `base` (the built-in
 * table unless given, so a config's prices and a --prices flag can stack).
 * Every failure is a UsageError (exit 2) that names the file and says what is
 * wrong with it.
 */
export async function loadPricesFile(path: string, base: PriceTable = PriceTable.builtIn()): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`prices file ${path}: ${describeReadError(err)}`, { cause: err });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`prices file ${path}: invalid JSON${describeJsonError(err, text)}`, { cause: err });
  }
  return base.withLiteLLM(json, `prices file ${path}`);
}

function describeReadError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * " at line L, column C: <what V8 said>". Node 20 reports only a character
 * offset ("… in JSON at position 42"), which is useless in a 1.6 MB file, so
 * the offset is turned into a line and column here.
 */
function describeJsonError(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /at position (\d+)/.exec(message);
  const detail = message.replace(/\s*in JSON at position \d+.*$/s, '').trim();
  if (!m) return detail ? `: ${detail}` : '';
  const { line, column } = lineColumn(text, Number(m[1]));
  return ` at line ${line}, column ${column}${detail ? `: ${detail}` : ''}`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

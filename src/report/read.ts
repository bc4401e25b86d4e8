/**
 * What `relaymon report FILE` was given, and the request log streamed line
 * by line: a 100,000-line log is never one string (each line is parsed and
 * dropped; only the charted numbers are kept, samples.ts). A file that is
 * neither a request log nor a --json/--summary file is a usage error naming
 * what was expected, never a stack trace.
 */
import { createReadStream, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../core/errors.js';
import { fsReason } from '../core/fs-reason.js';
import type { RequestResult } from '../core/result.js';

export type InputKind = 'log' | 'json';

const EXPECTED = 'expected a relaymon request log (--log FILE) or a --json / --summary file of check, replay, watch, compare or conform';
/** A --json/--summary file is read whole; larger is not one of them. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

function failRead(file: string, err: unknown): never {
  throw new UsageError(`${file}: cannot read it (${fsReason(err)})`);
}

/** 'log' when the first line is a request-log line, else 'json' (checked when parsed: parseJsonFile). */
export function detectInput(file: string): { kind: InputKind; bytes: number } {
  let bytes: number;
  let head: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new UsageError(`${file}: is a folder; ${EXPECTED}`);
    bytes = st.size;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(bytes || 65536, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, 0);
      head = buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    failRead(file, err);
  }
  const first = head.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) throw new UsageError(`${file}: is empty; ${EXPECTED}`);
  if (logLine(first) !== null) return { kind: 'log', bytes };
  return { kind: 'json', bytes };
}

export type LogLine = { t: number; result: RequestResult };

/** A request-log line (docs/contracts.md "Request log"), or null. Only what the report reads is checked: the rest is the writer's contract. */
export function logLine(text: string): LogLine | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const r = o['result'];
  if (o['v'] !== 1 || typeof o['t'] !== 'number' || typeof r !== 'object' || r === null) return null;
  const x = r as Record<string, unknown>;
  if (typeof x['target'] !== 'string' || typeof x['ok'] !== 'boolean' || typeof x['latencyMs'] !== 'number' || typeof x['startedAt'] !== 'number') return null;
  if (!Array.isArray(x['streamViolations'])) return null;
  return { t: o['t'], result: r as RequestResult };
}

export interface LogProgress {
  lines: number;
  bytesRead: number;
}

/** Streams the log: `each` for every good line; bad lines are counted with their numbers. */
export async function streamLog(
  file: string,
  each: (line: LogLine) => void,
  progress: (p: LogProgress) => void,
): Promise<{ lines: number; bad: { line: number; reason: string }[]; badCount: number }> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let failed: unknown = null;
  stream.on('error', (err) => (failed = err));
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  let good = 0;
  const bad: { line: number; reason: string }[] = [];
  let badCount = 0;
  try {
    for await (const text of rl) {
      n++;
      if (text.trim() === '') continue;
      const line = logLine(text);
      if (line === null) {
        badCount++;
        if (bad.length < 20) bad.push({ line: n, reason: 'not a request-log line' });
        continue;
      }
      good++;
      each(line);
      if ((n & 1023) === 0) progress({ lines: n, bytesRead: stream.bytesRead });
    }
  } catch (err) {
    failRead(file, err);
  }
  if (failed !== null) failRead(file, failed);
  progress({ lines: n, bytesRead: stream.bytesRead });
  return { lines: good, bad, badCount };
}

/** A --json/--summary file, parsed; which one it is is decided by the caller (source.ts). */
export function readJsonFile(file: string, bytes: number): unknown {
  if (bytes > MAX_JSON_BYTES) throw new UsageError(`${file}: not a request log, and too large for a --json/--summary file; ${EXPECTED}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    failRead(file, err);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${file}: neither JSON lines of a request log nor one JSON document; ${EXPECTED}`);
  }
}

export { EXPECTED as EXPECTED_INPUT };

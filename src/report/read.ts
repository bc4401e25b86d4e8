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

const EXPECTED = 'expected a relaymon request log (--log FILE) or a --json / --summary file of check, replay, watch, compare, conform or evaluate';
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
  // By shape: a log whose first line holds a damaged value is still a log, read with that line named and skipped.
  if (logShape(first) !== null) return { kind: 'log', bytes };
  return { kind: 'json', bytes };
}

export type LogLine = { t: number; result: RequestResult };

/** The plausible span of a send's epoch ms (2000–2100): a value outside it is a damaged line, not a run 300 years long. */
const EPOCH_MIN_MS = Date.UTC(2000, 0, 1);
const EPOCH_MAX_MS = Date.UTC(2100, 0, 1);
/** A timing past a day is not one a request-log writer produces (every timeout is far shorter). */
const TIMING_MAX_MS = 86_400_000;
const TIMINGS = ['latencyMs', 'ttfbMs', 'ttftMs', 'ttftContentMs', 'itlMs'] as const;

/** A request-log line's shape (docs/contracts.md "Request log"), values unchecked: what tells a log from a JSON file. */
function logShape(text: string): { t: unknown; result: object } | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const r = o['result'];
  if (o['v'] !== 1 || typeof r !== 'object' || r === null || Array.isArray(r)) return null;
  return { t: o['t'], result: r };
}

/** Why a log line cannot be read, or the line. Only what the report reads is checked: the rest is the writer's contract. */
export function readLogLine(text: string): LogLine | { reason: string } {
  const shape = logShape(text);
  if (shape === null) return { reason: 'not a request-log line' };
  const { t, result } = shape;
  const x = result as Record<string, unknown>;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return { reason: '"t" is not a time offset' };
  if (typeof x['target'] !== 'string' || typeof x['ok'] !== 'boolean' || !Array.isArray(x['streamViolations'])) return { reason: 'not a request-log line' };
  const started = x['startedAt'];
  if (typeof started !== 'number' || !(started >= EPOCH_MIN_MS && started <= EPOCH_MAX_MS)) return { reason: `startedAt ${String(started)} is not a time between 2000 and 2100` };
  for (const k of TIMINGS) {
    const v = x[k];
    if (k === 'latencyMs' ? typeof v !== 'number' : v !== null && typeof v !== 'number') return { reason: `${k} is not a number` };
    if (typeof v === 'number' && !(v >= 0 && v <= TIMING_MAX_MS)) return { reason: `${k} ${v} is out of range (0 to a day)` };
  }
  return { t, result: result as RequestResult };
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
      const line = readLogLine(text);
      if ('reason' in line) {
        badCount++;
        if (bad.length < 20) bad.push({ line: n, reason: line.reason });
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

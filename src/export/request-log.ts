import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
import type { Protocol, RequestResult } from '../core/result.js';
import { RelaymonError, EXIT, UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { fsReason, writeReason } from '../core/fs-reason.js';
import type { RequestLogLine } from './contracts/index.js';

/*
 * ## Request log (`--log FILE`)
 *
 * One JSON object per line, one line per finished request, in the order the
 * requests finished:
 *
 *     {"v":1,"t":1234.5,"time":"2025-01-01T12:00:01.234Z","target":"relay","probe":"chat-small",
 *      "protocol":"openai","body":{...},"result":{...}}
 *
 * | field      | meaning                                                                  |
 * |------------|--------------------------------------------------------------------------|
 * | `v`        | format version, `1`                                                      |
 * | `t`        | ms from the start of the run to this request's send                      |
 * | `time`     | wall-clock time of the send, ISO 8601 UTC                                |
 * | `target`   | target name                                                              |
 * | `probe`    | probe name, or `null` for replayed and ad-hoc requests                   |
 * | `protocol` | `openai` or `anthropic`                                                  |
 * | `body`     | the request body that was sent; absent with `--no-log-bodies`            |
 * | `result`   | the whole RequestResult, raw timings (scheduledAt, sentAt, …) included   |
 *
 * API keys and secret header values never appear: headers are not logged, and
 * every line is passed through the secret redactor before it is written, so a
 * key that found its way into a prompt is written as `[REDACTED]`. The file is
 * created mode 0600 (bodies may hold prompts) and written afresh by every
 * command (a log is the recording of one run, and `t` counts from its start). Each line is written whole or
 * not at all, so a run stopped by Ctrl-C or SIGTERM leaves a file whose every
 * line parses. `relaymon replay FILE` reads
 * it back (lines without `body` cannot be replayed and are reported as bad).
 */

export const REQUEST_LOG_VERSION = 1;

export interface RequestLogOptions {
  /** False for --no-log-bodies: prompts stay out of the file. */
  logBodies: boolean;
}

export interface RequestLogEntry {
  /**
   * ms from the run's start to this request's send. The caller computes it,
   * on one clock for the whole run (the engine's worker has its own
   * performance.now() origin, so a main-thread instant would not do).
   */
  t: number;
  /** The body that was sent (adapter.buildBody(spec)). Null or absent: no "body" field. */
  body?: Record<string, unknown> | null;
  result: RequestResult;
  /** Default: result.startedAt as ISO 8601. */
  time?: string;
  /** Defaults: the result's own target, probe and protocol. */
  target?: string;
  probe?: string | null;
  protocol?: Protocol;
}

export class RequestLog {
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly logBodies: boolean,
  ) {
    this.fd = fd;
  }

  static open(path: string, opts: RequestLogOptions): RequestLog {
    // Afresh on every command: a log is the recording of one run (`t` counts from its start), so an old run's lines never mix in.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_TRUNC;
    let fd: number;
    try {
      fd = openSync(path, flags, 0o600);
    } catch (err) {
      throw new UsageError(`cannot open request log ${path}: ${fsReason(err)}`, { cause: err });
    }
    return new RequestLog(path, fd, opts.logBodies);
  }

  /** The complete line, without its newline: redacted, one JSON object. */
  format(entry: RequestLogEntry): string {
    const r = entry.result;
    const line: RequestLogLine = {
      v: REQUEST_LOG_VERSION,
      t: Math.round(entry.t * 1000) / 1000,
      time: entry.time ?? isoTime(r.startedAt),
      target: entry.target ?? r.target,
      probe: entry.probe !== undefined ? entry.probe : r.probe,
      protocol: entry.protocol ?? r.protocol,
      ...(this.logBodies && entry.body ? { body: entry.body } : {}),
      result: r,
    };
    // Strings are redacted one by one (a secret with a quote or backslash in it
    // is matched before JSON escapes it), then the whole line once more, as
    // everything relaymon writes is.
    return redact(JSON.stringify(redactDeep(line)));
  }

  /**
   * Why a line is written whole or not at all: the complete line is one
   * buffer handed to ONE write(2) on a descriptor opened with O_APPEND. For a
   * regular file the kernel moves to end-of-file and copies the buffer under
   * the inode lock, so the append is not interleaved with other writers, and
   * signals we handle (SIGINT, SIGTERM) cannot split it: writeSync blocks this
   * thread, so JS handlers only run between lines, and a regular-file write is
   * not interrupted by a caught signal. Only a hard kill (SIGKILL) in the
   * middle of a multi-page write, a full disk, or a power cut can leave a torn
   * last line; the replay reader reports such a line as bad and reads the rest.
   * (On a pipe, only writes up to PIPE_BUF, 4096 bytes, are atomic.)
   * Writes are synchronous so that nothing sits in a user-space buffer when
   * the process exits.
   */
  write(entry: RequestLogEntry): void {
    if (this.fd === null) throw new RelaymonError(`request log ${this.path} is closed`, EXIT.failed);
    const buf = Buffer.from(this.format(entry) + '\n', 'utf8');
    try {
      let done = writeSync(this.fd, buf, 0, buf.length);
      // A short write only happens when the disk is full or a hard limit is hit; finish the line if we can.
      while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    } catch (err) {
      // An output that cannot be written is exit 2 (usage/output), never the threshold verdict 1.
      throw new RelaymonError(`could not write --log ${this.path}: ${writeReason(err)}`, EXIT.usage, { cause: err });
    }
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
    } catch {
      // Not every descriptor can be synced (a pipe, /dev/stdout); the data is written either way.
    }
    closeSync(fd);
  }
}

function isoTime(epochMs: number): string {
  const d = new Date(epochMs);
  // A result always carries its send time; should one not, "now" is closer than 1970.
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date().toISOString();
}

/** A copy with every string (keys too) passed through redact. */
function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v);
    return out;
  }
  return value;
}

import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';

/**
 * The only way the CLI writes to the terminal: everything passes through
 * redact(), so a key that slipped into a message still never reaches a screen,
 * a CI log or a pipe.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour on stdout: off with NO_COLOR, --no-color, or when stdout is not a terminal. */
  color: boolean;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
}

let pipeGuard = false;

/** `relaymon … | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace. */
export function guardPipes(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export function processIo(opts: { color?: boolean } = {}): Io {
  guardPipes();
  const stdoutIsTty = process.stdout.isTTY === true;
  const noColorEnv = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  return {
    out: (t) => void process.stdout.write(redact(t)),
    err: (t) => void process.stderr.write(redact(t)),
    color: opts.color !== false && !noColorEnv && stdoutIsTty,
    stdoutIsTty,
    stderrIsTty: process.stderr.isTTY === true,
  };
}

/**
 * Refuses an output path (--summary, --junit) that cannot be written, before
 * any request is sent: finding out after a paid run would lose its results.
 */
export function checkOutputPath(path: string | undefined, flag: string): void {
  if (path === undefined) return;
  const full = resolvePath(path);
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    const dir = dirname(full);
    try {
      if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a folder`);
      accessSync(dir, constants.W_OK);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${flag} ${path}: cannot create it (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no folder ${dir}` : 'no permission to write there'})`);
    }
    return;
  }
  if (isDir) throw new UsageError(`${flag} ${path}: is a folder; give a file name`);
  try {
    accessSync(full, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: not writable`);
  }
}

/** Writes an output file; a failure is a clear usage error (exit 2), never an internal one. */
export function writeOutputFile(path: string, text: string, flag: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: could not write it (${(err as NodeJS.ErrnoException).code ?? 'error'}); the results are above`);
  }
}

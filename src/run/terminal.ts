import { EXIT } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { writeReason } from '../core/fs-reason.js';

/**
 * The one way relaymon writes anything a user reads: the terminal (stdout,
 * stderr) and every output file (--summary, --junit). Everything passes
 * through redact() here, so a key that slipped into a message or a JSON field
 * still never reaches a screen, a CI log, a pipe or a file. (The request log,
 * written line by line from the engine's thread, redacts each line in
 * export/request-log.ts the same way.)
 *
 * A write that fails is an output failure: one line on stderr naming what
 * could not be written and why, no stack trace, and exit code 2 at the end
 * (2 outranks the threshold verdict 1). The run itself carries on, so the
 * other outputs are still written. The one exception is EPIPE on stdout
 * (`relaymon … | head`): the reader chose to stop reading, so relaymon stops
 * quietly with the exit code it already had.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour on stdout: off with NO_COLOR, --no-color, or when stdout is not a terminal. */
  color: boolean;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
}

const broken = { stdout: false, stderr: false };

/** True once stdout could not be written (io.ts then leaves "the results are on stdout" out of a file's failure line). */
export function stdoutBroken(): boolean {
  return broken.stdout;
}
let outputFailures = 0;

/** True once any output (stdout, stderr, a file) could not be written: the exit code is 2. */
export function outputFailed(): boolean {
  return outputFailures > 0;
}

/** Records an output that could not be written: one redacted line on stderr (while stderr works) and exit code 2. */
export function reportOutputFailure(what: string, err: unknown, after = ''): void {
  outputFailures += 1;
  process.exitCode = EXIT.usage;
  writeStderr(`relaymon: could not write ${what}: ${writeReason(err)}${after}\n`);
}

let pipeGuard = false;

/** Errors on stdout/stderr arrive as events (a pipe, or a file such as /dev/full): they end here, never as a stack trace. */
export function guardPipes(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (broken.stdout) return;
    broken.stdout = true;
    reportOutputFailure('to stdout', err);
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    broken.stderr = true;
    // A reader that closed the pipe chose to stop reading (as with stdout); any other failure has nowhere left to be said, so the exit code says it.
    if (err.code === 'EPIPE') return;
    outputFailures += 1;
    process.exitCode = EXIT.usage;
  });
}

/**
 * Resolves once stdout and stderr have handed everything to the OS. Writes
 * to a pipe are asynchronous on POSIX: a process.exit() before they drain
 * (a reader slower than the ~64 KB pipe buffer, `--json | jq`) would cut the
 * output. A broken or closed stream has nothing left to wait for.
 */
export async function stdioDrained(): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength === 0 || stream.destroyed) continue;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      stream.on('drain', done).on('close', done).on('error', done);
    });
  }
}

/** Redacted text to stdout; after stdout failed, nothing more is tried. */
export function writeStdout(text: string): void {
  guardPipes();
  if (broken.stdout) return;
  try {
    process.stdout.write(redact(text));
  } catch (err) {
    broken.stdout = true;
    reportOutputFailure('to stdout', err);
  }
}

/** Redacted text to stderr; after stderr failed, nothing more is tried. */
export function writeStderr(text: string): void {
  guardPipes();
  if (broken.stderr) return;
  try {
    process.stderr.write(redact(text));
  } catch {
    broken.stderr = true;
    outputFailures += 1;
    process.exitCode = EXIT.usage;
  }
}

export function processIo(opts: { color?: boolean } = {}): Io {
  guardPipes();
  const stdoutIsTty = process.stdout.isTTY === true;
  const noColorEnv = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  return {
    out: writeStdout,
    err: writeStderr,
    color: opts.color !== false && !noColorEnv && stdoutIsTty,
    stdoutIsTty,
    stderrIsTty: process.stderr.isTTY === true,
  };
}

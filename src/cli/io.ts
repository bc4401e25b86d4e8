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

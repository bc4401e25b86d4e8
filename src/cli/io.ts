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

export function processIo(opts: { color?: boolean } = {}): Io {
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

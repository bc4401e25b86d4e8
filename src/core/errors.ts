/**
 * Exit codes are a contract (docs/contracts.md "Exit codes"): the same for every command.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error meant for the user: its message is shown as is (after redaction) and decides the exit code. */
export class RelaymonError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelaymonError';
    this.exitCode = exitCode;
  }
}

/** Bad flags, bad expression, bad input file: exit 2. */
export class UsageError extends RelaymonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, options);
    this.name = 'UsageError';
  }
}

/** A config file that cannot be used: names the file and the path inside it. Exit 2. */
export class ConfigError extends UsageError {
  readonly file: string | null;
  readonly path: string | null;
  constructor(message: string, file: string | null = null, path: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
    this.file = file;
    this.path = path;
  }
}

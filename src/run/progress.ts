/**
 * The one progress rule of the long-running commands (check, replay, watch
 * --no-tui, compare): on a terminal, a live line on stderr redrawn at every
 * update; off a terminal (CI logs, files, pipes), one plain line on stderr
 * every 30 s of the run, so a long job shows it is alive without flooding the
 * log. stdout is never touched: it carries the results (and --json).
 */
import type { Io } from './io.js';

export const PROGRESS_INTERVAL_MS = 30_000;

/**
 * For tests only: RELAYMON_PROGRESS_INTERVAL_MS shortens the off-terminal
 * interval (a test cannot wait 30 s). Anything but a positive whole number of
 * ms is ignored.
 */
export const PROGRESS_INTERVAL_ENV = 'RELAYMON_PROGRESS_INTERVAL_MS';

export function progressIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[PROGRESS_INTERVAL_ENV];
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return PROGRESS_INTERVAL_MS;
  const ms = Number(raw);
  return ms > 0 ? ms : PROGRESS_INTERVAL_MS;
}

export interface Progress {
  /**
   * A new state at `elapsedMs` into the run. `beside` runs first with the live
   * line cleared, so whatever it writes to the same terminal (alert lines,
   * watch's plain lines) is not glued to the progress line.
   */
  update(elapsedMs: number, line: () => string, beside?: () => void): void;
  /** The run ended: the live line is cleared (off a terminal, nothing to do). */
  done(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

/** `command` prefixes the off-terminal lines ("check: 120 done, …"), which stand alone in a log. */
export function createProgress(io: Pick<Io, 'err' | 'stderrIsTty'>, command: string, opts: { enabled?: boolean; intervalMs?: number } = {}): Progress {
  if (opts.enabled === false) {
    return { update: (_ms, _line, beside) => beside?.(), done: () => undefined };
  }
  if (io.stderrIsTty) {
    let shown = false;
    return {
      update(_elapsedMs, line, beside) {
        if (beside) {
          if (shown) io.err(CLEAR_LINE);
          beside();
          io.err(line());
        } else io.err(CLEAR_LINE + line());
        shown = true;
      },
      done() {
        if (shown) io.err(CLEAR_LINE);
        shown = false;
      },
    };
  }
  const interval = opts.intervalMs ?? progressIntervalMs();
  // Due on the run's own clock, so a slow update never shifts every later line.
  let dueAt = interval;
  return {
    update(elapsedMs, line, beside) {
      beside?.();
      if (elapsedMs < dueAt) return;
      while (dueAt <= elapsedMs) dueAt += interval;
      io.err(`${command}: ${line()}\n`);
    },
    done: () => undefined,
  };
}

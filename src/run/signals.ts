import { EXIT } from '../core/errors.js';
import { writeStderr } from './terminal.js';

/**
 * A signal this soon after the first is the same interrupt delivered twice,
 * not a second Ctrl-C: GNU `timeout -s INT` signals the child and then its
 * whole process group, and other wrappers forward what the group already got.
 * No person presses Ctrl-C twice within it.
 */
export const DUPLICATE_SIGNAL_MS = 250;

const nextCheckPhase = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a signal did, as every message about one says it. */
export const signalWord = (signal: NodeJS.Signals): string => (signal === 'SIGINT' ? 'interrupted' : 'terminated');

const stopping = (signal: NodeJS.Signals): string => `\n${signalWord(signal)}: stopping (again to exit at once)\n`;

/**
 * The contract's rule for one listener: the first signal says so and runs
 * `onFirst`; one DUPLICATE_SIGNAL_MS or more later exits at once; one sooner
 * is the first delivered again. `firstAt`: a first already taken elsewhere.
 */
function interruptListener(now: () => number, onFirst: (signal: NodeJS.Signals, at: number) => void, firstAt: number | null = null): (signal: NodeJS.Signals) => void {
  let at = firstAt;
  return (signal) => {
    if (at === null) {
      at = now();
      writeStderr(stopping(signal));
      onFirst(signal, at);
    } else if (now() - at >= DUPLICATE_SIGNAL_MS) {
      process.exit(EXIT.interrupted);
    }
  };
}

/** A signal held from the CLI's start until a run could take it (latchEarlySignals). */
interface Early {
  signal: NodeJS.Signals;
  at: number;
}
let early: Early | null = null;
let earlyTaken = false;
/** Removes the latch's listener (latchEarlySignals); null when none is on. */
let removeLatch: (() => void) | null = null;
/** Whether this CLI holds signals outside its runs: from latchEarlySignals to endEarlySignals. */
let latched = false;

function dropLatch(): void {
  removeLatch?.();
  removeLatch = null;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** `listener` on both signals the contract names; returns what takes it off again. */
function onSignals(listener: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
}

/** The held signal, once: for the first taker (a run's onInterrupt, or evaluate before its first request). */
function takeEarly(): Early | null {
  if (early === null || earlyTaken) return null;
  earlyTaken = true;
  return early;
}

/**
 * Until a command's run installs onInterrupt (after its config, prices and
 * engine are ready), Node's default would end the process at the first
 * Ctrl-C with nothing printed, although the contract says the first stops
 * cleanly and still prints (docs/contracts.md "Exit codes"). For commands
 * that stop that way, the CLI calls this first: the first signal is held and
 * handed to the run, which stops at once; a second exits at once.
 */
export function latchEarlySignals(now: () => number = () => performance.now()): void {
  if (removeLatch !== null) return;
  latched = true;
  const fromBin = binLatch();
  if (fromBin?.held) {
    early = fromBin.held;
    writeStderr(stopping(early.signal));
  }
  hold(now, early?.at ?? null);
  // Added before the bin's is removed: Node keeps one watcher per signal while any listener is left, so a signal
  // already caught but not yet dispatched still reaches a listener.
  fromBin?.remove();
}

/** The latch's listener: a first signal is kept for the next run to take (or for endEarlySignals); `firstAt`: one already taken. */
function hold(now: () => number, firstAt: number | null): void {
  removeLatch = onSignals(interruptListener(now, (signal, at) => (early = { signal, at }), firstAt));
}

/**
 * bin/relaymon.js holds a signal from its first line, before the bundle has
 * loaded, under this key: its listener and what it held. Only the fields
 * read here are its contract.
 */
const BIN_LATCH = Symbol.for('relaymon.earlySignal');

function binLatch(): { remove: () => void; held: Early | null } | null {
  const found: unknown = (globalThis as Record<symbol, unknown>)[BIN_LATCH];
  if (typeof found !== 'object' || found === null) return null;
  const { listener, held } = found as { listener?: unknown; held?: unknown };
  if (typeof listener !== 'function') return null;
  const h = held as Partial<Early> | null | undefined;
  const valid = h !== null && h !== undefined && (h.signal === 'SIGINT' || h.signal === 'SIGTERM') && typeof h.at === 'number';
  const off = listener as (signal: NodeJS.Signals) => void;
  return {
    remove: () => {
      for (const signal of SIGNALS) process.off(signal, off);
    },
    held: valid ? { signal: h.signal as NodeJS.Signals, at: h.at as number } : null,
  };
}

/**
 * For a command that does not stop cleanly (report, init, …): a signal the
 * bin held, or caught and not yet dispatched, ends the process with the
 * contract's exit code before the command does anything (an interrupted
 * `init` must not leave a half-written file); then the bin's listener goes
 * and Node's default is back. Costs one turn of the event loop: its poll
 * phase, which dispatches caught signals, comes before the immediate.
 */
export async function releaseBinLatch(command: string): Promise<void> {
  const fromBin = binLatch();
  if (fromBin === null) return;
  (globalThis as Record<symbol, unknown>)[BIN_LATCH] = undefined;
  if (fromBin.held !== null) exitInterrupted(command, fromBin.held.signal);
  const removeExit = onSignals((signal) => exitInterrupted(command, signal));
  fromBin.remove();
  await nextCheckPhase();
  removeExit();
}

function exitInterrupted(command: string, signal: NodeJS.Signals): never {
  writeStderr(`\nrelaymon${command ? ` ${command}` : ''}: ${signalWord(signal)}\n`);
  process.exit(EXIT.interrupted);
}

/**
 * For a command without a run and without signal handling of its own
 * (models, cost, config, init): a signal ends it at once, as Node's default
 * would, but with the contract's exit code. Node's default ends a SIGTERM
 * with 143 (and runs no exit handler, so a half-written file would stay).
 */
export function exitOnSignals(command: string): void {
  onSignals((signal) => exitInterrupted(command, signal));
}

/**
 * For a command that sends before its run installs onInterrupt (evaluate
 * lists models first): the signal held since the CLI's start, if any, taken
 * so that nothing is sent after it.
 */
export function takeEarlySignal(): NodeJS.Signals | null {
  return takeEarly()?.signal ?? null;
}

/**
 * Resolves after a poll phase that began after the call: the first immediate
 * runs in this loop iteration's check phase (maybe before its poll has seen a
 * signal caught just now), one made from there in the next iteration's, after
 * its poll.
 */
async function pastNextPoll(): Promise<void> {
  await nextCheckPhase();
  await nextCheckPhase();
}

/**
 * At the CLI's end: true when the latch held a signal no run took (the
 * command ended first, or had ended its run), an interrupt still. One turn of
 * the event loop first: a signal caught while the command's last work
 * blocked the loop (its synchronous writes, reading a large log) is
 * dispatched only in a poll phase, and without it the process would exit
 * with the signal never seen (exitOnSignals' commands exit from it). Then,
 * while stdout drains before the CLI exits, a first signal makes the exit
 * 130 and a second exits at once.
 */
export async function endEarlySignals(): Promise<boolean> {
  await pastNextPoll();
  const held = early !== null && !earlyTaken;
  // Added before the latch goes (see latchEarlySignals). Until the CLI exits (stdout draining): the first makes
  // the exit 130, a second exits at once.
  onSignals(interruptListener(() => performance.now(), () => (process.exitCode = EXIT.interrupted), early?.at ?? null));
  dropLatch();
  latched = false;
  return held;
}

/**
 * Runs `write`, a synchronous write to a FIFO (a named pipe, or /dev/stdout
 * on a pipe), under Node's default for both signals: its open blocks until a
 * reader comes, and its write while the reader lags, and no listener can run
 * while the thread is blocked, so a Ctrl-C would wait for a reader that may
 * never come. The default ends the process at the signal, as before any
 * listener was on. (A signal caught just before, not yet dispatched, is lost
 * with the listeners: a narrow window, against a hang.)
 */
export function withDefaultSignals<T>(write: () => T): T {
  const saved = SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);
  for (const signal of SIGNALS) process.removeAllListeners(signal);
  try {
    return write();
  } finally {
    for (const [signal, listeners] of saved) for (const l of listeners) process.on(signal, l);
  }
}

/**
 * First Ctrl-C (or SIGTERM) asks the command to stop cleanly and still print
 * its summary; a second one exits at once. A signal held since the CLI's
 * start (latchEarlySignals) counts as the first: `stop` runs on the next turn,
 * once the caller has its handle. Returns a function that removes the
 * handlers again.
 *
 * In a command that latched, the latch comes back when the run's handler
 * goes: the run is over, but its summary, --report and --junit are still to
 * be written (and evaluate has another phase to run), and Node's default
 * would end the process without them. A first signal then is held (the
 * outputs are written, the next phase stops at once, and the CLI exits 130);
 * a second, or one after the run's own interrupt, exits at once.
 */
export function onInterrupt(stop: (signal: NodeJS.Signals) => void, now: () => number = () => performance.now()): () => void {
  const held = takeEarly();
  let firstAt = held?.at ?? null;
  const pending = held === null ? null : setImmediate(() => stop(held.signal));
  const removeHandler = onSignals(
    interruptListener(
      now,
      (signal, at) => {
        firstAt = at;
        stop(signal);
      },
      firstAt,
    ),
  );
  // After ours is added (see latchEarlySignals): a signal caught while the command loaded and not yet dispatched
  // reaches our listener as the first, instead of being dropped with the latch's watcher.
  dropLatch();
  return () => {
    if (pending) clearImmediate(pending);
    // Before ours goes, for the same reason.
    if (latched && removeLatch === null) {
      early = null;
      earlyTaken = false;
      hold(now, firstAt);
    }
    removeHandler();
  };
}

/**
 * The engine on the calling thread, for probe (run/probe.ts): the same
 * EngineRunner and the same messages as the worker (serve.ts), without a
 * second V8 isolate, whose start and module loading were most of a one-shot
 * probe's wall time and ~10 MB of its memory (docs/architecture.md, "Threads").
 *
 * The link keeps what the worker's ports guarantee, so nothing that reads
 * the messages can tell the difference: every message is a structured clone
 * taken when it is posted (the runner's later changes never show through, and
 * results have the same shape), and is delivered on a later turn of the
 * event loop, in order, never inside the call that posted it.
 *
 * A worker that fails or dies is terminated; a runner on this thread cannot
 * be, so a failure is caught here instead: an exception or rejection nobody
 * handled while the engine runs (it would otherwise end the process with a
 * raw stack trace) becomes the engine's redacted error, and a runner that
 * leaves nothing to wait for without posting its final result (the worker's
 * 'exit') becomes one too. After a failure the runner is asked to stop at
 * once, and a watchdog ends the process if what it left (timers, sockets)
 * would keep it alive once the error has been reported.
 */
import { EXIT } from '../core/errors.js';
import { serveEngine, type RunnerFactory } from './serve.js';
import type { FromWorker, ToWorker } from './messages.js';

/** How long a failed in-process engine's leftovers may keep the process alive after the error settled `done`. */
export const CRASH_EXIT_MS = 2000;

export interface InProcessEngine {
  send(msg: ToWorker): void;
  /** The handle has settled: no more messages either way. failed: the runner failed and may have left work behind (halt, watchdog). */
  close(failed: boolean): void;
}

export function startInProcess(deliver: (msg: FromWorker) => void, makeRunner?: RunnerFactory): InProcessEngine {
  let closed = false;
  const post = (msg: FromWorker): void => {
    if (closed) return;
    const copy = structuredClone(msg);
    setImmediate(() => {
      if (!closed) deliver(copy);
    });
  };
  const engine = serveEngine(post, makeRunner);
  const crashed = (err: unknown): void => engine.fail(err);
  const quiet = (): void => post({ type: 'error', message: 'engine stopped without a result (nothing left to wait for)', exitCode: EXIT.failed });
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  process.on('beforeExit', quiet);
  return {
    send: (msg) => {
      if (closed) return;
      const copy = structuredClone(msg);
      setImmediate(() => {
        if (!closed) engine.receive(copy);
      });
    },
    close: (failed) => {
      if (closed) return;
      closed = true;
      process.off('uncaughtException', crashed);
      process.off('unhandledRejection', crashed);
      process.off('beforeExit', quiet);
      if (!failed) return;
      engine.halt();
      // process.exit() keeps the exit code the error was reported with (cli/main.ts sets process.exitCode).
      setTimeout(() => process.exit(), CRASH_EXIT_MS).unref();
    },
  };
}

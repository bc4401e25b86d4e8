/**
 * The engine's side of the message protocol (messages.ts), whichever thread
 * it runs on: the worker (worker.ts, fed by its parent port) or the calling
 * thread (in-process.ts, probe's). One switch, so both take the same messages
 * the same way and report a failure in the same words.
 */
import { registerSecret, redact } from '../core/redact.js';
import { EXIT, RelaymonError } from '../core/errors.js';
import { EngineRunner } from './runner.js';
import type { EngineConfig, FromWorker, StoppedBy, ToWorker } from './messages.js';
import type { WindowName } from '../stats/windows.js';

/** What runs a start message's config (tests of in-process.ts give a stand-in). */
export interface RunnerLike {
  start(): Promise<void>;
  stop(reason: StoppedBy): void;
  /** Stop, and cancel what is in flight now; a stand-in may only stop. */
  cut?(): void;
  pause(): void;
  resume(): void;
  reset(): void;
  /** The main thread took the last snapshot (engine/pace.ts); a stand-in may ignore it. */
  took?(): void;
  /** The windows periodic snapshots compute from now on (messages.ts liveWindows); a stand-in may ignore it. */
  windows?(windows: readonly WindowName[]): void;
}
export type RunnerFactory = (config: EngineConfig, post: (msg: FromWorker) => void) => RunnerLike;

export interface EngineSide {
  receive(msg: ToWorker): void;
  /** Posts a failure as the engine's error message: a RelaymonError's own words, anything else "engine crashed: …", redacted. */
  fail(err: unknown): void;
  /** After a failure on the calling thread: asks the runner to stop at once, so its timers and sockets do not outlive it. */
  halt(): void;
}

/** The default runner is paced: it posts a snapshot only after the main thread took the last one (pace.ts). */
export function serveEngine(post: (msg: FromWorker) => void, makeRunner: RunnerFactory = (config, p) => new EngineRunner(config, p, { paced: true })): EngineSide {
  let runner: RunnerLike | null = null;
  const fail = (err: unknown): void => {
    const exitCode = err instanceof RelaymonError ? err.exitCode : EXIT.failed;
    const message = err instanceof Error ? (err instanceof RelaymonError ? err.message : `engine crashed: ${err.message}`) : `engine crashed: ${String(err)}`;
    post({ type: 'error', message: redact(message), exitCode });
  };
  return {
    fail,
    halt: () => {
      try {
        runner?.stop('interrupt');
      } catch {
        // A runner that cannot even stop is left to its caller's watchdog (in-process.ts).
      }
    },
    receive: (msg) => {
      switch (msg.type) {
        case 'start':
          for (const s of msg.config.secrets) registerSecret(s);
          runner = makeRunner(msg.config, post);
          runner.start().catch(fail);
          break;
        case 'stop':
          runner?.stop(msg.reason);
          break;
        case 'cut':
          if (runner?.cut) runner.cut();
          else runner?.stop('interrupt');
          break;
        case 'pause':
          runner?.pause();
          break;
        case 'resume':
          runner?.resume();
          break;
        case 'reset':
          runner?.reset();
          break;
        case 'took':
          runner?.took?.();
          break;
        case 'windows':
          runner?.windows?.(msg.windows);
          break;
      }
    },
  };
}

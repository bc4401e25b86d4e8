import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, type WorkerOptions } from 'node:worker_threads';
import { serveCounts } from '../tokens/count-host.js';
import { heldWorker } from '../core/heap-growth.js';
import { EXIT, RelaymonError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { EngineConfig, EngineFinal, EngineSnapshot, FromWorker, StoppedBy, ToWorker } from './messages.js';
import type { InProcessEngine } from './in-process.js';
import type { WindowName } from '../stats/windows.js';

/**
 * The worker runs from the built JavaScript. Under a TypeScript test runner
 * this module is the .ts source, so it points at dist/ instead.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/engine/worker.js', here) : new URL('./worker.js', here);
}

/**
 * The worker isolate's young generation, in MB (semi-spaces and the new
 * large-object space; V8 splits it in thirds). Node's default lets each
 * isolate grow two 16 MB semi-spaces, which a busy engine fills: 32 MB of
 * resident memory for objects that mostly die within one request. A
 * scavenge costs what survives it (the requests in flight), not the space's
 * size, so a smaller one runs more often for the same work. 12 MB (4 MB
 * semi-spaces) held the engine worker ~20 MB under Node's default after
 * warm-up (the long run of bench/engine.mjs, per-thread heaps); 6 MB (2 MB
 * semi-spaces) took a headless `check` at 20/s from 102–107 to 98 MB peak
 * RSS (bench/memory.mjs, two rounds each, BENCHMARKS.md), with send
 * lateness at 200/s unchanged within the runs' spread (engine gaps collect
 * it: gap-gc.ts). Only the young generation is limited: a cap on the old
 * generation would turn a big run into a crash.
 */
export const ENGINE_YOUNG_GENERATION_MB = 6;

interface EngineEvents {
  snapshot: [EngineSnapshot];
}

export interface EngineOptions {
  /**
   * Run the engine on this thread instead of a worker (in-process.ts): for a
   * command that draws nothing while it measures and ends after a few
   * requests (probe), where a second isolate's start-up and memory cost more
   * than the measuring. Loaded only then, so a worker run's main thread never
   * loads the engine's modules.
   */
  inProcess?: boolean;
}

/** Where the engine runs: both ends speak messages.ts. */
interface Link {
  send(msg: ToWorker): void;
  close(failed: boolean): void;
}

/**
 * The main thread's handle on the engine. Snapshots arrive as events;
 * `done` settles with the final result, or rejects with a clear error when the
 * engine fails or dies, so a crash is never a hang. The same handle whether
 * the engine runs in its worker or on this thread (EngineOptions.inProcess).
 */
export class Engine extends EventEmitter<EngineEvents> {
  readonly done: Promise<EngineFinal>;
  private readonly link: Link;
  private settled = false;

  constructor(config: EngineConfig, opts: EngineOptions = {}) {
    super();
    let settle: (outcome: { final: EngineFinal } | { error: RelaymonError }) => void = () => undefined;
    this.done = new Promise<EngineFinal>((resolve, reject) => {
      settle = (outcome) => {
        if (this.settled) return;
        this.settled = true;
        this.link.close('error' in outcome);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.final);
      };
    });
    const receive = (msg: FromWorker): void => {
      if (msg.type === 'snapshot') {
        try {
          this.emit('snapshot', msg.snapshot);
        } finally {
          // Taken once this thread's loop has turned (drawn, read keys, answered sockets): the engine posts the
          // next snapshot only then, so a main thread slower than the ticks gets the latest, never a queue (pace.ts).
          setImmediate(() => this.send({ type: 'took' }));
        }
      } else if (msg.type === 'final') settle({ final: msg.final });
      else if (msg.type === 'error') settle({ error: new RelaymonError(msg.message, msg.exitCode) });
    };
    const crashed = (message: string): void => settle({ error: new RelaymonError(message, EXIT.failed) });
    this.link = opts.inProcess ? inProcessLink(receive, crashed) : workerLink(receive, crashed);
    this.send({ type: 'start', config });
  }

  private send(msg: ToWorker): void {
    if (!this.settled) this.link.send(msg);
  }

  stop(reason: StoppedBy): void {
    this.send({ type: 'stop', reason });
  }
  /** Stop, and cancel what is in flight now (runner.ts cut). */
  cut(): void {
    this.send({ type: 'cut' });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  reset(): void {
    this.send({ type: 'reset' });
  }
  /** The windows periodic snapshots compute from now on (EngineConfig.liveWindows). */
  windows(windows: readonly WindowName[]): void {
    this.send({ type: 'windows', windows: [...windows] });
  }
}

function workerLink(receive: (msg: FromWorker) => void, crashed: (message: string) => void): Link {
  const counts = countWiring();
  // The process's heaps are held near their live data once the worker runs (core/heap-growth.ts).
  const worker = heldWorker(() => new Worker(workerUrl(), { resourceLimits: { maxYoungGenerationSizeMb: ENGINE_YOUNG_GENERATION_MB }, ...counts.workerOptions }));
  worker.on('message', receive);
  worker.on('error', (err) => crashed(redact(`engine crashed: ${err.message}`)));
  worker.on('exit', (code) => crashed(`engine worker exited unexpectedly (code ${code})`));
  return {
    send: (msg) => worker.postMessage(msg),
    close: () => {
      counts.stop();
      void worker.terminate();
    },
  };
}

/** Messages sent before in-process.ts has loaded wait for it, in order. */
function inProcessLink(receive: (msg: FromWorker) => void, crashed: (message: string) => void): Link {
  let closed: boolean | null = null;
  const ready: Promise<InProcessEngine | null> = import('./in-process.js').then(
    (m) => {
      const engine = m.startInProcess(receive);
      if (closed !== null) engine.close(closed);
      return engine;
    },
    (err: unknown) => {
      crashed(redact(`engine failed to load: ${err instanceof Error ? err.message : String(err)}`));
      return null;
    },
  );
  return {
    send: (msg) => void ready.then((engine) => engine?.send(msg)),
    close: (failed) => {
      closed ??= failed;
      void ready.then((engine) => engine?.close(failed));
    },
  };
}

/**
 * Where a worker engine's token counts are made: served on
 * this thread over a MessageChannel (tokens/count-host.ts `serveCounts(port1)`,
 * which returns its stop function); the worker gets port2 in its workerData
 * and hands it to its tokenCounter() (worker.ts: tokens/counter.ts
 * `useCountPort`). An in-process engine needs no wiring: its tokenCounter(),
 * given no port, serves itself on this thread, where host and engine then
 * share the loop.
 */
interface CountWiring {
  /** Added to the engine worker's options (workerData, transferList). */
  workerOptions: Pick<WorkerOptions, 'workerData' | 'transferList'>;
  /** The run has settled: the host stops serving this channel. */
  stop(): void;
}

function countWiring(): CountWiring {
  const counts = new MessageChannel();
  const stop = serveCounts(counts.port1);
  return { workerOptions: { workerData: { countPort: counts.port2 }, transferList: [counts.port2] }, stop };
}

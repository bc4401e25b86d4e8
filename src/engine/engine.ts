import { EventEmitter } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import { serveCounts } from '../tokens/count-host.js'; // counting (r16)
import { EXIT, RelaymonError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { EngineConfig, EngineFinal, EngineSnapshot, FromWorker, StoppedBy, ToWorker } from './messages.js';

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
 * resident memory for objects that mostly die within one request. With
 * 4 MB semi-spaces a scavenge runs more often but copies the same few live
 * objects, and the engine worker holds ~20 MB less after warm-up (the long
 * run of bench/engine.mjs, per-thread heaps). Only the young generation is
 * limited: a cap on the old generation would turn a big run into a crash.
 */
export const ENGINE_YOUNG_GENERATION_MB = 12;

interface EngineEvents {
  snapshot: [EngineSnapshot];
}

/**
 * The main thread's handle on the engine worker. Snapshots arrive as events;
 * `done` settles with the final result, or rejects with a clear error when the
 * worker fails or dies, so a crash is never a hang.
 */
export class Engine extends EventEmitter<EngineEvents> {
  readonly done: Promise<EngineFinal>;
  private readonly worker: Worker;
  private settled = false;

  constructor(config: EngineConfig) {
    super();
    // counting (r16): the worker's token counts are made on this thread, served over this channel (tokens/count-host.ts).
    const counts = new MessageChannel();
    const stopCounts = serveCounts(counts.port1);
    this.worker = new Worker(workerUrl(), { resourceLimits: { maxYoungGenerationSizeMb: ENGINE_YOUNG_GENERATION_MB }, workerData: { countPort: counts.port2 }, transferList: [counts.port2] });
    this.done = new Promise<EngineFinal>((resolve, reject) => {
      const settle = (fn: () => void): void => {
        if (this.settled) return;
        this.settled = true;
        fn();
        stopCounts(); // counting (r16)
        void this.worker.terminate();
      };
      this.worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'snapshot') this.emit('snapshot', msg.snapshot);
        else if (msg.type === 'final') settle(() => resolve(msg.final));
        else if (msg.type === 'error') settle(() => reject(new RelaymonError(msg.message, msg.exitCode)));
      });
      this.worker.on('error', (err) => settle(() => reject(new RelaymonError(redact(`engine crashed: ${err.message}`), EXIT.failed))));
      this.worker.on('exit', (code) => settle(() => reject(new RelaymonError(`engine worker exited unexpectedly (code ${code})`, EXIT.failed))));
    });
    this.send({ type: 'start', config });
  }

  private send(msg: ToWorker): void {
    if (!this.settled) this.worker.postMessage(msg);
  }

  stop(reason: StoppedBy): void {
    this.send({ type: 'stop', reason });
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
}

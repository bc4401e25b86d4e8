/**
 * The thread's handle on its one counting worker (count-worker.ts). The
 * worker, and the encoding tables it loads, exist only while a run counts:
 * it starts when a run that sends prepares (RelayClient.prepare() awaits
 * warm(), so loading never shares the CPU with the first timings and the
 * first results are not held back by it, as watch's first lines would show),
 * or on the first count after a release; it is released (terminated) once
 * nothing has been asked of it for `idleMs`, so a run whose results need no
 * count (every request refused without usage) lets it go. Serves whichever
 * thread sends (the engine worker): one counting worker per process.
 *
 * Every answer is bounded: a job the worker has not answered within
 * `timeoutMs`, or when the caller's signal aborts (a run's grace period
 * ending), resolves null at once and the caller estimates from the length. A
 * worker that dies answers every job it held with null, and the next job
 * starts a new one.
 */
import { EventEmitter } from 'node:events';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { CountJob, CountReply, FromCounter, ToCounter } from './count-job.js';
import { onAbort } from '../core/abort-fanout.js';

/** Counting time per result inside the worker; past it the rest is extrapolated (`time`). */
export const COUNT_BUDGET_MS = 500;
/** How long a result waits for its count, queueing included, before it is estimated. */
export const COUNT_TIMEOUT_MS = 10_000;

/**
 * A worker with nothing to count for this long is released. Long enough that
 * a run's steady stream of results, or a watch's probes every few seconds,
 * keep it, so its tables are not reloaded (a tenth of a second of CPU or
 * more) between results, which would then wait for them.
 */
export const COUNT_IDLE_MS = 30_000;

/**
 * The counting worker's V8 limits: a small young generation, which V8 would
 * otherwise grow to its 16+ MB default under the worker's many short-lived
 * strings (pieces, merges) and keep. Measured on loading o200k_base in a
 * worker: process peak 104 -> 94 MB when the tables were gpt-tokenizer's
 * strings, 72 -> 71 MB with tokens/compact.ts's typed arrays.
 */
export const COUNT_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

export type CountAnswer = Extract<CountReply, { expired: false }>;

/** Under a TypeScript test runner this module is the .ts source: the worker runs from dist/. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/tokens/count-worker.js', here) : new URL('./count-worker.js', here);
}

interface Pending {
  /** Null when not answered in time (or a warm-up answered). */
  resolve: (a: CountAnswer | null) => void;
  timer: NodeJS.Timeout;
  off: () => void;
}

export interface CounterOptions {
  /** Release the worker after this long without a count to make. */
  idleMs?: number;
}

interface CounterEvents {
  /** A worker was started (the tables load in it on its first job). */
  started: [];
  /** The worker was let go (idle, or release()); its memory goes with its thread. */
  released: [];
}

export class TokenCounter extends EventEmitter<CounterEvents> {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly warmed = new Map<string, Promise<void>>();
  private idleTimer: NodeJS.Timeout | null = null;
  /** Release after this long with nothing asked (tests shorten it on the shared counter). */
  idleMs: number;
  /** Workers started so far (for tests: one at a time, a new one only after a release). */
  spawned = 0;

  constructor(opts: CounterOptions = {}) {
    super();
    this.idleMs = opts.idleMs ?? COUNT_IDLE_MS;
  }

  /** A worker is running now. */
  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Starts the worker if need be and has it load the model's encoding;
   * settles when it has (or after the timeout). Loading takes a core for a
   * tenth of a second or more, so senders await this before their first send:
   * on a two-core machine it would otherwise share the CPU with the first timings.
   */
  warm(model: string): Promise<void> {
    let w = this.worker ? this.warmed.get(model) : undefined;
    if (!w) {
      w = this.request((id) => ({ type: 'warm', id, model }), {}).then(() => undefined);
      this.warmed.set(model, w);
    }
    return w;
  }

  /** Lets the worker go now; jobs it still held are answered null (estimated by their callers). */
  release(): void {
    const w = this.worker;
    if (!w) return;
    this.forget(w);
    void w.terminate();
  }

  count(job: Omit<CountJob, 'id' | 'expiresAt' | 'budgetMs'>, opts: { signal?: AbortSignal; timeoutMs?: number; budgetMs?: number } = {}): Promise<CountAnswer | null> {
    const timeoutMs = opts.timeoutMs ?? COUNT_TIMEOUT_MS;
    const budgetMs = opts.budgetMs ?? COUNT_BUDGET_MS;
    return this.request((id) => ({ type: 'count', job: { ...job, id, budgetMs, expiresAt: Date.now() + timeoutMs } }), { ...opts, timeoutMs });
  }

  private request(message: (id: number) => ToCounter, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<CountAnswer | null> {
    if (opts.signal?.aborted) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise<CountAnswer | null>((resolve) => {
      // One listener per run signal however many counts wait on it (core/abort-fanout.ts).
      const off = opts.signal ? onAbort(opts.signal, () => this.settle(id, null)) : () => undefined;
      const timer = setTimeout(() => this.settle(id, null), opts.timeoutMs ?? COUNT_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer, off });
      this.post(message(id), id);
    });
  }

  /** Jobs waiting for an answer (for tests). */
  get waiting(): number {
    return this.pending.size;
  }

  private post(msg: ToCounter, id: number): void {
    try {
      this.start().postMessage(msg);
      this.refresh();
    } catch {
      this.settle(id, null);
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerUrl(), { resourceLimits: COUNT_WORKER_LIMITS });
    w.on('message', (reply: FromCounter) => this.settle(reply.id, 'warmed' in reply || reply.expired ? null : reply));
    const gone = (): void => this.forget(w);
    w.on('error', gone);
    w.on('exit', gone);
    this.worker = w;
    this.spawned++;
    this.emit('started');
    return w;
  }

  /** `w` is no longer this thread's worker (died, or released): its jobs are answered null. */
  private forget(w: Worker): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.warmed.clear();
    this.clearIdle();
    for (const id of [...this.pending.keys()]) this.settle(id, null);
    this.emit('released');
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private settle(id: number, answer: CountAnswer | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.off();
    p.resolve(answer);
    this.refresh();
  }

  /**
   * An idle worker must not keep the process alive, and is released after
   * idleMs; one with jobs pending must, and is kept.
   */
  private refresh(): void {
    const w = this.worker;
    if (!w) return;
    if (this.pending.size > 0) {
      w.ref();
      this.clearIdle();
      return;
    }
    w.unref();
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker === w && this.pending.size === 0) this.release();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

let shared: TokenCounter | null = null;

/** This thread's counter (the thread that sends: one counting worker per process). */
export function tokenCounter(): TokenCounter {
  shared ??= new TokenCounter();
  return shared;
}

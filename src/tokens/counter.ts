/**
 * The thread's handle on its one counting worker (count-worker.ts), started
 * on the first request that will need a count, so a command that never sends
 * never starts it. Serves whichever thread sends: the engine worker in check,
 * replay, watch and compare, the main thread in probe.
 *
 * Every answer is bounded: a job the worker has not answered within
 * `timeoutMs`, or when the caller's signal aborts (a run's grace period
 * ending), resolves null at once and the caller estimates from the length. A
 * worker that dies answers every job it held with null, and the next job
 * starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { CountJob, CountReply, FromCounter, ToCounter } from './count-job.js';

/** Counting time per result inside the worker; past it the rest is extrapolated (`time`). */
export const COUNT_BUDGET_MS = 500;
/** How long a result waits for its count, queueing included, before it is estimated. */
export const COUNT_TIMEOUT_MS = 10_000;

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

export class TokenCounter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly warmed = new Map<string, Promise<void>>();

  /**
   * Starts the worker if need be and has it load the model's encoding;
   * settles when it has (or after the timeout). Loading takes a core for a
   * quarter of a second, so senders await this before their first send: on a
   * two-core machine it would otherwise share the CPU with the first timings.
   */
  warm(model: string): Promise<void> {
    let w = this.worker ? this.warmed.get(model) : undefined;
    if (!w) {
      w = this.request((id) => ({ type: 'warm', id, model }), {}).then(() => undefined);
      this.warmed.set(model, w);
    }
    return w;
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
      const onAbort = (): void => this.settle(id, null);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => this.settle(id, null), opts.timeoutMs ?? COUNT_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer, off: () => opts.signal?.removeEventListener('abort', onAbort) });
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
    const w = new Worker(workerUrl());
    w.on('message', (reply: FromCounter) => this.settle(reply.id, 'warmed' in reply || reply.expired ? null : reply));
    const gone = (): void => {
      if (this.worker !== w) return;
      this.worker = null;
      this.warmed.clear();
      for (const id of [...this.pending.keys()]) this.settle(id, null);
    };
    w.on('error', gone);
    w.on('exit', gone);
    this.worker = w;
    this.refresh();
    return w;
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

  /** An idle worker must not keep the process alive; one with jobs pending must. */
  private refresh(): void {
    if (!this.worker) return;
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

let shared: TokenCounter | null = null;

/** This thread's counter (one worker per thread that sends). */
export function tokenCounter(): TokenCounter {
  shared ??= new TokenCounter();
  return shared;
}

/**
 * The sending thread's handle on the count host (count-host.ts), which counts
 * on the engine's parent thread: the engine worker is given a MessagePort to
 * it (engine/engine.ts, engine/worker.ts: useCountPort). A thread given no
 * port (the engine run in-process, tests) serves its own counts through an
 * in-thread channel to a host of its own, counting in slices between its
 * other work. No thread of its own: a counting worker cost a V8 isolate
 * (~11 MB) and its heap in every run.
 *
 * The host loads the tables when a run that sends prepares
 * (RelayClient.prepare() awaits warm(), so loading never shares the CPU with
 * the first timings and the first results are not held back by it, as watch's
 * first lines would show), or on the first count after a release; it lets
 * them go once nothing has been asked of it for COUNT_IDLE_MS.
 *
 * Jobs leave in batches, one message per COUNT_BATCH_MS (a postMessage per
 * result was about a quarter of the sending thread's CPU). Every answer is
 * bounded: a job not answered within `timeoutMs`, or when the caller's signal
 * aborts (a run's grace period ending), resolves null at once and the caller
 * estimates from the length. A host that is gone (its port closed) answers
 * every job it held, and every later one, with null.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { CountBatch, CountJob, CountReply, FromCounter, ToCounter } from './count-job.js';
import { COUNT_IDLE_MS, CountHost } from './count-host.js';
import { onAbort } from '../core/abort-fanout.js';

export { COUNT_IDLE_MS } from './count-host.js';

/** Counting time per result in the host; past it the rest is extrapolated (`time`). */
export const COUNT_BUDGET_MS = 500;
/** How long a result waits for its count, queueing included, before it is estimated. */
export const COUNT_TIMEOUT_MS = 10_000;
/**
 * Jobs wait this long to leave together. A result waits for its count anyway
 * (client/counting.ts), a millisecond more is nothing next to a request, and
 * under load one message carries the jobs of many responses.
 */
export const COUNT_BATCH_MS = 1;
/** A batch this long leaves at once. */
const MAX_BATCH = 256;

export type CountAnswer = Extract<CountReply, { expired: false }>;

interface Pending {
  /** Null when not answered in time (or a warm-up answered). */
  resolve: (a: CountAnswer | null) => void;
  /** performance.now() instant after which the job is answered null. */
  expiresAt: number;
  off: () => void;
}

export interface CounterOptions {
  /** Release the tables after this long without a count to make (the counter's own host). */
  idleMs?: number;
  /** The count host's port; without one the counter serves itself in this thread. */
  port?: MessagePort;
}

interface CounterEvents {
  /** Counting started (the host loads the tables on its first job). */
  started: [];
  /** The host let the tables go (idle, or release()). */
  released: [];
}

export class TokenCounter extends EventEmitter<CounterEvents> {
  private port: MessagePort | null = null;
  private ownHost: CountHost | null = null;
  private gone = false;
  private readonly pending = new Map<number, Pending>();
  private outbox: ToCounter[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAt = Number.POSITIVE_INFINITY;
  private nextId = 1;
  private readonly warmed = new Map<string, Promise<void>>();
  private active = false;
  private idle: number;
  /** Times counting started (for tests: once, and again only after a release). */
  spawned = 0;

  constructor(opts: CounterOptions = {}) {
    super();
    this.idle = opts.idleMs ?? COUNT_IDLE_MS;
    if (opts.port) this.usePort(opts.port);
  }

  /** Release after this long with nothing asked (tests shorten it; only the counter's own host follows it). */
  get idleMs(): number {
    return this.idle;
  }
  set idleMs(ms: number) {
    this.idle = ms;
    if (this.ownHost) this.ownHost.idleMs = ms;
  }

  /** The host holds (or is loading) tables for this counter. */
  get running(): boolean {
    return this.active;
  }

  /** Jobs waiting for an answer (for tests). */
  get waiting(): number {
    return this.pending.size;
  }

  /** Counts go to the host behind `port` from now on (the engine worker's, given at start). */
  usePort(port: MessagePort): void {
    this.detach();
    this.gone = false;
    this.port = port;
    port.on('message', (batch: CountBatch<FromCounter>) => this.receive(batch));
    port.once('close', () => {
      if (this.port !== port) return;
      this.gone = true;
      this.port = null;
      this.outbox = [];
      this.failAll();
      this.deactivate();
    });
    port.unref();
  }

  /**
   * Has the host load the model's encoding; settles when it has (or after the
   * timeout). Loading takes a core for a tenth of a second or more, so senders
   * await this before their first send: on a two-core machine it would
   * otherwise share the CPU with the first timings.
   */
  warm(model: string): Promise<void> {
    let w = this.active ? this.warmed.get(model) : undefined;
    if (!w) {
      w = this.request((id) => ({ type: 'warm', id, model }), {}).then(() => undefined);
      this.warmed.set(model, w);
    }
    return w;
  }

  /** Lets the tables go now; jobs still pending are answered null (estimated by their callers). */
  release(): void {
    if (!this.active) return;
    this.failAll();
    if (this.port) this.enqueue({ type: 'release' }, true);
    this.deactivate();
  }

  count(job: Omit<CountJob, 'id' | 'expiresAt' | 'budgetMs'>, opts: { signal?: AbortSignal; timeoutMs?: number; budgetMs?: number } = {}): Promise<CountAnswer | null> {
    const timeoutMs = opts.timeoutMs ?? COUNT_TIMEOUT_MS;
    const budgetMs = opts.budgetMs ?? COUNT_BUDGET_MS;
    return this.request((id) => ({ type: 'count', job: { ...job, id, budgetMs, expiresAt: Date.now() + timeoutMs } }), { ...opts, timeoutMs });
  }

  private request(message: (id: number) => ToCounter, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<CountAnswer | null> {
    if (opts.signal?.aborted || this.gone) return Promise.resolve(null);
    const id = this.nextId++;
    if (!this.active) {
      this.active = true;
      this.spawned++;
      this.emit('started');
    }
    return new Promise<CountAnswer | null>((resolve) => {
      // One listener per run signal however many counts wait on it (core/abort-fanout.ts).
      const off = opts.signal ? onAbort(opts.signal, () => this.settle(id, null)) : () => undefined;
      const expiresAt = performance.now() + (opts.timeoutMs ?? COUNT_TIMEOUT_MS);
      if (this.pending.size === 0) this.hostPort()?.ref();
      this.pending.set(id, { resolve, expiresAt, off });
      this.armSweep(expiresAt);
      this.enqueue(message(id), false);
    });
  }

  /** The host's port; a counter given none serves itself in this thread. Null once the host it was given is gone. */
  private hostPort(): MessagePort | null {
    if (this.port) return this.port;
    if (this.gone) return null;
    const { port1, port2 } = new MessageChannel();
    this.ownHost = new CountHost({ idleMs: this.idle });
    this.ownHost.serve(port1);
    this.usePort(port2);
    return port2;
  }

  private enqueue(msg: ToCounter, now: boolean): void {
    this.outbox.push(msg);
    if (now || this.outbox.length >= MAX_BATCH) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), COUNT_BATCH_MS);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.outbox;
    if (batch.length === 0) return;
    this.outbox = [];
    try {
      const port = this.hostPort();
      if (!port) throw new Error('the count host is gone');
      port.postMessage(batch satisfies CountBatch<ToCounter>);
    } catch {
      for (const m of batch) if (m.type !== 'release') this.settle(m.type === 'warm' ? m.id : m.job.id, null);
    }
  }

  private receive(batch: CountBatch<FromCounter>): void {
    for (const r of batch) {
      if ('notice' in r) {
        // The host let the tables go; jobs still on their way will load them again.
        if (r.notice === 'released' && this.pending.size === 0 && this.outbox.length === 0) this.deactivate();
        continue;
      }
      this.settle(r.id, 'warmed' in r || r.expired ? null : r);
    }
  }

  private deactivate(): void {
    this.warmed.clear();
    if (!this.active) return;
    this.active = false;
    this.emit('released');
  }

  private failAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, null);
  }

  private settle(id: number, answer: CountAnswer | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.off();
    p.resolve(answer);
    if (this.pending.size === 0) {
      // Nothing to wait for: the port must not keep the process alive.
      this.port?.unref();
      if (this.sweepTimer) clearTimeout(this.sweepTimer);
      this.sweepTimer = null;
      this.sweepAt = Number.POSITIVE_INFINITY;
    }
  }

  /** One timer for every job's timeout (a timer per job cost the sending thread), set for the earliest. */
  private armSweep(at: number): void {
    if (this.sweepTimer && at >= this.sweepAt) return;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, at - performance.now()));
  }

  private sweep(): void {
    this.sweepTimer = null;
    this.sweepAt = Number.POSITIVE_INFINITY;
    // Timers fire up to ~1 ms early as performance.now() sees it.
    const now = performance.now() + 1;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, p] of [...this.pending]) {
      if (p.expiresAt <= now) this.settle(id, null);
      else next = Math.min(next, p.expiresAt);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armSweep(next);
  }

  private detach(): void {
    const port = this.port;
    if (!port) return;
    this.port = null;
    this.ownHost = null;
    this.failAll();
    port.close();
  }
}

let shared: TokenCounter | null = null;

/** This thread's counter (the thread that sends). */
export function tokenCounter(): TokenCounter {
  shared ??= new TokenCounter();
  return shared;
}

/** The engine worker's counts go to the count host behind `port` (on the engine's parent thread). */
export function useCountPort(port: MessagePort): void {
  tokenCounter().usePort(port);
}

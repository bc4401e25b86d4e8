/**
 * A bounded delivery queue for one remote sink: one POST in flight at a time
 * (so a firing and its resolution arrive in order), a few tries with backoff,
 * and a cap that drops the oldest waiting notification. A dead receiver costs
 * at most `cap` queued bodies and one timer, and never blocks the caller.
 */
import type { Dispatcher } from 'undici';
import { postJson, type PostTarget } from './http.js';

export interface DeliveryOptions {
  /** Most notifications waiting (not counting the one in flight). */
  cap: number;
  /** Waits between tries; tries = delays + 1. */
  retryDelaysMs: readonly number[];
  /** Per try, connect to last byte. */
  timeoutMs: number;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
  dropped: number;
}

interface Item {
  /** Items with the same key replace each other while waiting, when the sink coalesces. */
  key: string;
  body: unknown;
}

export type DeliveryReport = { ok: true } | { ok: false; reason: string; tries: number };

export class DeliveryQueue {
  readonly counts: DeliveryCounts = { sent: 0, failed: 0, dropped: 0 };
  private readonly waiting: Item[] = [];
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private readonly cancel = new AbortController();

  constructor(
    private readonly target: PostTarget,
    private readonly dispatcher: Dispatcher,
    private readonly opts: DeliveryOptions,
    private readonly report: (r: DeliveryReport) => void,
  ) {}

  push(key: string, body: unknown, coalesce: boolean): void {
    if (this.cancel.signal.aborted) {
      this.counts.dropped++;
      return;
    }
    if (coalesce) {
      const i = this.waiting.findIndex((w) => w.key === key);
      // The newer state supersedes the waiting one; that is an update, not a loss.
      if (i >= 0) this.waiting.splice(i, 1);
    }
    this.waiting.push({ key, body });
    while (this.waiting.length > Math.max(0, this.opts.cap)) {
      this.waiting.shift();
      this.counts.dropped++;
    }
    if (!this.busy) void this.pump();
  }

  pending(): number {
    return this.waiting.length + (this.busy ? 1 : 0);
  }

  /** Resolves when nothing waits and nothing is in flight. */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops at once: the POST in flight is aborted, waiting notifications are dropped. */
  close(): void {
    this.counts.dropped += this.waiting.length;
    this.waiting.length = 0;
    this.cancel.abort();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      let item: Item | undefined;
      while ((item = this.waiting.shift()) !== undefined) {
        await this.deliver(item);
      }
    } catch {
      // deliver() does not throw; this only guards the invariant that the queue never stalls.
    } finally {
      this.busy = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async deliver(item: Item): Promise<void> {
    const tries = this.opts.retryDelaysMs.length + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await postJson(this.target, item.body, this.dispatcher, this.opts.timeoutMs, this.cancel.signal);
      if (outcome.ok) {
        this.counts.sent++;
        this.report({ ok: true });
        return;
      }
      if (this.cancel.signal.aborted) {
        this.counts.dropped++;
        return;
      }
      if (!outcome.retry || attempt >= tries) {
        this.counts.failed++;
        this.report({ ok: false, reason: outcome.reason, tries: attempt });
        return;
      }
      await this.sleep(this.opts.retryDelaysMs[attempt - 1] ?? 0);
      if (this.cancel.signal.aborted) {
        this.counts.dropped++;
        return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.cancel.signal;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      // A retry pending at exit must not keep the process alive.
      timer.unref();
      signal.addEventListener('abort', done);
    });
  }
}

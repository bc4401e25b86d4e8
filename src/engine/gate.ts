import type { ResolvedTarget } from '../core/target.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { TargetSchedule, TrafficPlan } from './messages.js';

/** Sends held back at a full concurrency cap, per target, before new ones are dropped. */
export const MAX_HELD_PER_TARGET = 10_000;

export interface Held {
  spec: RequestSpec;
  probe: string | null;
  scheduledAt: number;
}

/**
 * A target's cap in a run. `--max-in-flight` or `targets.<name>.concurrency`
 * (concurrencyChosen) is a limit the user set and is kept; otherwise a closed
 * loop of N workers raises the default to N, so that its own workers never
 * queue behind each other.
 */
export function effectiveCap(target: ResolvedTarget, plan: TrafficPlan): number {
  const closed = plan.kind === 'replay' && plan.mode.kind === 'closed' ? plan.mode.concurrency : 0;
  const cap = Math.max(1, target.concurrency);
  return target.concurrencyChosen === true ? cap : Math.max(cap, closed);
}

/**
 * One target's admission state: how many are in flight against its cap, the
 * sends held back while it is full (open loop), the closed-loop workers
 * waiting for a slot or for a 429 back-off to end, and what became of every
 * send the plan owed it: scheduled = sent + dropped + skippedBackoff once the
 * run is over (held sends are still owed while it runs).
 */
export class TargetGate {
  inFlight = 0;
  backoffUntilPerf = 0;
  readonly held: Held[] = [];
  readonly counts = { scheduled: 0, sent: 0, capWaits: 0, dropped: 0, skippedBackoff: 0 };
  private waiters: (() => void)[] = [];

  constructor(
    readonly target: ResolvedTarget,
    readonly cap: number,
  ) {}

  get full(): boolean {
    return this.inFlight >= this.cap;
  }

  inBackoff(now: number): boolean {
    return now < this.backoffUntilPerf;
  }

  /** Open loop at a full cap: hold the send for the next free slot, or drop it when the hold-back queue is full. */
  hold(h: Held): 'held' | 'dropped' {
    this.counts.capWaits += 1;
    if (this.held.length >= MAX_HELD_PER_TARGET) {
      this.counts.dropped += 1;
      return 'dropped';
    }
    this.held.push(h);
    return 'held';
  }

  /** A 429 back-off began: sends held for later fall inside it and are skipped, as new ones will be. */
  skipHeld(): void {
    this.counts.skippedBackoff += this.held.length;
    this.held.length = 0;
  }

  /** The run stopped: whatever is still held was never sent. */
  dropHeld(): number {
    const n = this.held.length;
    this.counts.dropped += n;
    this.held.length = 0;
    return n;
  }

  /** Closed loop: resolves when a slot may have freed (or the run stops); the caller checks again. */
  waitForSlot(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every closed-loop waiter; each checks the cap again before it sends. */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  schedule(spanMs: number): TargetSchedule {
    const c = this.counts;
    return {
      scheduled: c.scheduled,
      sent: c.sent,
      capWaits: c.capWaits,
      dropped: c.dropped,
      skippedBackoff: c.skippedBackoff,
      achievedRatePerSec: spanMs > 0 ? (c.sent * 1000) / spanMs : null,
    };
  }
}

import { performance } from 'node:perf_hooks';
import type { RequestResult } from '../core/result.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { EngineState, ReplayEntry, StoppedBy } from './messages.js';
import { closedLoopCursor } from './sources.js';
import type { SaturationMonitor } from './saturation.js';
import type { TargetSlot } from './slot.js';

/** What the closed loop needs of the runner. */
export interface ClosedLoopHost {
  readonly state: EngineState;
  readonly saturation: SaturationMonitor;
  slot(name: string): TargetSlot | undefined;
  /** -n N lines taken. */
  limitReached(): boolean;
  /** The plan ends by itself no later than -n would stop it. */
  planEndsWithin(): boolean;
  send(slot: TargetSlot, spec: RequestSpec, probe: string | null, scheduledAt: number, held: boolean): Promise<RequestResult | null>;
  stop(reason: StoppedBy): void;
  /** The last worker is done and -n did not stop the run: the plan may have run out. */
  planRanOut(): void;
  /** replay --split: the one target of a send due at dueMs; null without a split. */
  splitTo(dueMs: number): string[] | null;
}

/**
 * The closed loop (replay -c N, probe -c N): N workers, each taking the next
 * line when its last one finished, sending it to every target of the line.
 */
export class ClosedLoop {
  private readonly next: () => ReplayEntry | null;
  private workers = 0;
  /** Lines taken (each goes to every target; a cache pair counts two); -n counts them. */
  taken = 0;
  /** Workers sleeping out a 429 back-off; a stop wakes them. */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly host: ClosedLoopHost,
    entries: ReplayEntry[],
    loop: boolean,
  ) {
    this.next = closedLoopCursor(entries, loop);
  }

  /** Workers still running. */
  get running(): number {
    return this.workers;
  }

  start(concurrency: number, targetNames: string[]): void {
    for (let i = 0; i < concurrency; i++) void this.worker(targetNames);
  }

  /** The run stopped: wake every worker sleeping out a back-off. */
  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  private active(): boolean {
    return this.host.state === 'running' || this.host.state === 'paused';
  }

  private async worker(targetNames: string[]): Promise<void> {
    this.workers += 1;
    try {
      while (this.active()) {
        if (this.host.state === 'paused') {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        if (this.host.limitReached()) break;
        const entry = this.next();
        if (entry === null) break;
        const spec = entry.spec;
        // A cache pair is two requests toward -n (the engine sends its second when the first ends: runner.ts send).
        this.taken += spec.expect?.then ? 2 : 1;
        const now = performance.now();
        const sent = await Promise.all(
          (this.host.splitTo(now) ?? entry.targets ?? targetNames).map((name) => {
            const slot = this.host.slot(name);
            return slot ? this.send(slot, spec, now) : Promise.resolve(null);
          }),
        );
        // Refused by the spend guard while others settle: wait for room instead of spinning.
        if (sent.every((r) => r === null)) await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      this.workers -= 1;
      if (this.workers === 0) {
        if (this.host.state === 'running' && this.host.limitReached() && !this.host.planEndsWithin()) this.host.stop('requests');
        else this.host.planRanOut();
      }
    }
  }

  /**
   * A closed-loop send keeps to the same rules as the open loop's: it waits
   * out a 429 back-off (as a client told "retry after" would) and waits for a
   * free slot at the target's cap. The wait is the request's queueMs; a run
   * that stops meanwhile drops it.
   */
  private async send(slot: TargetSlot, spec: RequestSpec, scheduledAt: number): Promise<RequestResult | null> {
    const gate = slot.gate;
    gate.counts.scheduled += 1;
    let waited = false;
    let backedOff = false;
    for (;;) {
      if (!this.active()) {
        gate.counts.dropped += 1;
        return null;
      }
      const now = performance.now();
      if (gate.inBackoff(now)) {
        backedOff = true;
        await this.sleep(gate.backoffUntilPerf - now);
        continue;
      }
      if (gate.full) {
        if (!waited) {
          waited = true;
          gate.counts.capWaits += 1;
          this.host.saturation.capWaits += 1;
        }
        await gate.waitForSlot();
        continue;
      }
      return this.host.send(slot, spec, null, scheduledAt, waited || backedOff);
    }
  }

  /** A timer a stop cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(1, ms));
      this.sleepers.add(wake);
    });
  }
}

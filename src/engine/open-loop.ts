import { performance } from 'node:perf_hooks';
import type { RequestResult } from '../core/result.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { EngineState, TrafficPlan } from './messages.js';
import { openLoopSources, SourceHeap, type DueSend } from './sources.js';
import { dueAfterEnd } from './limits.js';
import type { SaturationMonitor } from './saturation.js';
import type { TargetSlot } from './slot.js';
import { InstantTimer } from './wait.js';

/**
 * What runs in the gaps between sends (gap-work.ts, gap-gc.ts): told each
 * next instant once the loop has fired what was due, and when the loop has
 * none pending.
 */
export interface GapListener {
  after(instant: number): void;
  cancel(): void;
}

/** What the open loop needs of the runner. */
export interface OpenLoopHost {
  readonly state: EngineState;
  readonly saturation: SaturationMonitor;
  slot(name: string): TargetSlot | undefined;
  /** -n N: this target has had its N (a cache pair's second counts from when its first is sent). */
  quotaMet(slot: TargetSlot): boolean;
  send(slot: TargetSlot, spec: RequestSpec, probe: string | null, scheduledAt: number, held: boolean): Promise<RequestResult | null>;
  /** Nothing left to schedule: the plan ran out. */
  planRanOut(): void;
  /** replay --split: the one target of a send due at dueMs; null without a split. */
  splitTo(dueMs: number): string[] | null;
}

/**
 * The open loop: sends at instants computed in advance (sources.ts), never
 * relative to the previous send, so a slow response cannot push later sends
 * back. A pause shifts every later instant by its length.
 */
export class OpenLoop {
  private readonly heap = new SourceHeap();
  private readonly timer = new InstantTimer();
  /** Time spent paused, added to every scheduled instant so the plan resumes where it left off. */
  private shift = 0;
  private pausedAt: number | null = null;

  constructor(
    private readonly host: OpenLoopHost,
    plan: TrafficPlan,
    private readonly planStart: number,
    private readonly durationMs: number | null,
    /** In this order: the worker's tick (gap-work.ts), scavenges (gap-gc.ts; absent: V8 alone decides when). */
    private readonly gaps: readonly GapListener[] = [],
  ) {
    for (const s of openLoopSources(plan, planStart)) this.heap.push(s);
  }

  /** Sources with sends still to come. */
  get pending(): number {
    return this.heap.size;
  }

  schedule(): void {
    if (this.host.state !== 'running') return;
    const now = performance.now();
    for (;;) {
      const top = this.heap.peek();
      const due = top?.peek();
      if (!top || due === null || due === undefined) break;
      // The next send falls after the end; the duration timer ends the run on time.
      if (dueAfterEnd(due, this.planStart, this.durationMs)) return this.idle();
      if (due + this.shift > now) {
        this.timer.at(due + this.shift, () => this.schedule());
        for (const gap of this.gaps) gap.after(due + this.shift);
        return;
      }
      this.heap.pop();
      const send = top.take();
      this.heap.push(top);
      this.fire(send);
      if (this.host.state !== 'running') return this.idle();
    }
    this.idle();
    this.host.planRanOut();
  }

  pause(): void {
    this.pausedAt = performance.now();
    this.cancel();
  }

  resume(): void {
    this.shift += performance.now() - (this.pausedAt ?? performance.now());
    this.pausedAt = null;
  }

  cancel(): void {
    this.timer.cancel();
    this.idle();
  }

  /** No instant pending. */
  private idle(): void {
    for (const gap of this.gaps) gap.cancel();
  }

  private fire(send: DueSend): void {
    const scheduledAt = send.dueMs + this.shift;
    for (const name of this.host.splitTo(send.dueMs) ?? send.targets) {
      const slot = this.host.slot(name);
      if (!slot || this.host.quotaMet(slot)) continue;
      const gate = slot.gate;
      gate.counts.scheduled += 1;
      if (gate.inBackoff(performance.now())) {
        gate.counts.skippedBackoff += 1;
        slot.info.backoffSkipped += 1;
        continue;
      }
      if (gate.full) {
        this.host.saturation.capWaits += 1;
        if (gate.hold({ spec: send.spec, probe: send.probe, scheduledAt }) === 'dropped') this.host.saturation.dropped += 1;
        continue;
      }
      void this.host.send(slot, send.spec, send.probe, scheduledAt, false);
    }
  }
}

import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import hdr from 'hdr-histogram-js';
import type { RunSaturation, Saturation } from './messages.js';
import { LOOP_DELAY_SATURATED_MS, SaturationAccount } from './saturation-account.js';

/** A send more than this late counts as late. */
export const LATE_SEND_MS = 5;
/**
 * The sampling timer's period. Node's histogram records each whole period
 * (an idle loop reads ~10 ms), so the delay is what lies beyond it.
 */
const LOOP_RESOLUTION_MS = 10;

/**
 * Is the client keeping up? Event-loop delay in the worker, lateness of sends
 * against their scheduled instants, and hold-backs at concurrency caps. When
 * it is not, the numbers measure relaymon as much as the relay, and the
 * snapshot says so.
 */
export class SaturationMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private lag = hdr.build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, useWebAssembly: false });
  capWaits = 0;
  lateSends = 0;
  dropped = 0;
  private capWaitsAtLastTick = 0;
  private droppedAtLastTick = 0;
  private lateAtLastTick = 0;
  /** The latest send this tick that waited for nothing but relaymon (no cap, no back-off). */
  private ownLagThisTick: number | null = null;
  private lastReadAt: number;
  private readonly account = new SaturationAccount();

  constructor() {
    this.loop.enable();
    this.lastReadAt = performance.now();
  }

  /**
   * lateness = actual send − scheduled send, ms. held: the send waited at a
   * full cap or out a 429 back-off, so its lateness is the schedule's doing,
   * not relaymon's own; it counts in the live figures but not in the run's
   * saturation account.
   */
  recordSend(latenessMs: number, held = false): void {
    const us = Math.max(0, Math.round(latenessMs * 1000));
    this.lag.recordValue(Math.min(us, 3_600_000_000));
    if (latenessMs > LATE_SEND_MS) this.lateSends += 1;
    if (!held) this.ownLagThisTick = Math.max(this.ownLagThisTick ?? 0, latenessMs);
  }

  /** Called once per tick (and once at the end); event-loop figures cover the time since the last call. */
  read(inFlight: number, now = performance.now()): Saturation {
    const beyond = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    const p99 = this.loop.count > 0 ? beyond(this.loop.percentile(99)) : 0;
    const max = this.loop.count > 0 ? beyond(this.loop.max) : 0;
    this.loop.reset();
    const hasLag = this.lag.totalCount > 0;
    const lagMax = hasLag ? this.lag.maxValue / 1000 : null;
    // A percentile is a bucket's upper edge, so it can sit a hair above the exact maximum.
    const lagAt = (p: number): number | null => (hasLag && lagMax !== null ? Math.min(lagMax, this.lag.getValueAtPercentile(p) / 1000) : null);
    const lagP99 = lagAt(99);
    const reasons: string[] = [];
    if (p99 > LOOP_DELAY_SATURATED_MS) reasons.push(`event loop delay p99 ${p99.toFixed(0)} ms`);
    if (this.capWaits > this.capWaitsAtLastTick) reasons.push('concurrency cap full');
    if (this.dropped > this.droppedAtLastTick) reasons.push('sends dropped: hold-back queue full');
    if (this.lateSends > this.lateAtLastTick) reasons.push(`${this.lateSends - this.lateAtLastTick} sends over ${LATE_SEND_MS} ms late`);
    this.capWaitsAtLastTick = this.capWaits;
    this.lateAtLastTick = this.lateSends;
    this.droppedAtLastTick = this.dropped;
    this.account.add({ durationMs: now - this.lastReadAt, eventLoopDelayP99Ms: p99, ownLagMaxMs: this.ownLagThisTick });
    this.lastReadAt = now;
    this.ownLagThisTick = null;
    return {
      eventLoopDelayP99Ms: p99,
      eventLoopDelayMaxMs: max,
      inFlight,
      capWaits: this.capWaits,
      lateSends: this.lateSends,
      sendLagMs: {
        p50: lagAt(50),
        p99: lagP99,
        max: lagMax,
      },
      dropped: this.dropped,
      saturated: reasons.length > 0,
      reasons,
    };
  }

  reset(): void {
    this.lag.reset();
    this.capWaits = 0;
    this.lateSends = 0;
    this.dropped = 0;
    this.capWaitsAtLastTick = 0;
    this.droppedAtLastTick = 0;
    this.lateAtLastTick = 0;
    this.ownLagThisTick = null;
    this.account.reset();
  }

  /** The run's account of its own saturation so far (the ticks read until now). */
  runTotal(): RunSaturation {
    return this.account.total();
  }

  close(): void {
    this.loop.disable();
  }
}

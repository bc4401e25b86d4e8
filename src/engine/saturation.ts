import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { HIGHEST_VALUE, indexOfValue, SparseHistogram } from '../hdr/histogram.js';
import { addIndexBatch } from '../hdr/batch.js';
import { percentilesOf } from '../hdr/quantiles.js';
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
  /**
   * Send lateness over the run, µs, in the HDR layout of src/hdr/ (same buckets and percentiles as the
   * hdr-histogram-js PackedHistogram it replaces). Its percentiles cost the non-empty slots, not a walk of
   * all 23,552 packed slots: read at every tick, the packed one blocked the worker's loop for ~10 ms every
   * 250 ms at 200 sends/s (CPU profile of the engine worker), and the sends due meanwhile left that late.
   * Sends are buffered as bucket indices and folded in at each read.
   */
  private readonly lag = new SparseHistogram();
  private lagBatch = new Uint16Array(256);
  private lagPending = 0;
  /** The largest lateness recorded, µs. */
  private lagMaxUs = -1;
  private readonly lagOut = new Float64Array(2);
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
    const us = Math.min(HIGHEST_VALUE, Math.max(0, Math.round(latenessMs * 1000)));
    if (this.lagPending === this.lagBatch.length) {
      const grown = new Uint16Array(this.lagBatch.length * 2);
      grown.set(this.lagBatch);
      this.lagBatch = grown;
    }
    this.lagBatch[this.lagPending++] = indexOfValue(us);
    if (us > this.lagMaxUs) this.lagMaxUs = us;
    if (latenessMs > LATE_SEND_MS) this.lateSends += 1;
    if (!held) this.ownLagThisTick = Math.max(this.ownLagThisTick ?? 0, latenessMs);
  }

  /**
   * The plan starts now: what the loop went through before it (loading prices, starting the counting
   * worker, the warm-up's cold code: engine/warm.ts) is not the run's, and would otherwise be the first
   * tick's loop delay.
   */
  begin(now = performance.now()): void {
    this.loop.reset();
    this.lastReadAt = now;
  }

  /** Called once per tick (and once at the end); event-loop figures cover the time since the last call. */
  read(inFlight: number, now = performance.now()): Saturation {
    const beyond = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    const p99 = this.loop.count > 0 ? beyond(this.loop.percentile(99)) : 0;
    const max = this.loop.count > 0 ? beyond(this.loop.max) : 0;
    this.loop.reset();
    if (this.lagPending > 0) {
      addIndexBatch(this.lag, this.lagBatch.subarray(0, this.lagPending));
      this.lagPending = 0;
    }
    const hasLag = this.lag.total > 0;
    const lagMax = hasLag ? this.lagMaxUs / 1000 : null;
    if (hasLag) percentilesOf([this.lag], [50, 99], this.lagOut);
    // A percentile is a bucket's upper edge, so it can sit a hair above the exact maximum.
    const lagAt = (k: number): number | null => (hasLag && lagMax !== null ? Math.min(lagMax, this.lagOut[k]! / 1000) : null);
    const lagP50 = lagAt(0);
    const lagP99 = lagAt(1);
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
        p50: lagP50,
        p99: lagP99,
        max: lagMax,
      },
      dropped: this.dropped,
      saturated: reasons.length > 0,
      reasons,
    };
  }

  reset(): void {
    this.lag.clear();
    this.lagPending = 0;
    this.lagMaxUs = -1;
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

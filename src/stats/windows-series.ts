/**
 * Sparkline points per target: one per closed 1 s slot, a fixed ring of
 * scalars (no histograms kept), computed once when the slot closes.
 */
import { type Bucket, D_LATENCY, D_TTFT } from './windows-bucket.js';
import { SLOT_MS } from './windows-node.js';
import type { Series } from './windows-types.js';
import { p95Of } from './windows-exact.js';

export const SERIES_POINTS = 120;

export class SeriesRing {
  private readonly rps = new Float64Array(SERIES_POINTS);
  private readonly errorRate = new Float64Array(SERIES_POINTS).fill(NaN);
  private readonly latencyP95 = new Float64Array(SERIES_POINTS).fill(NaN);
  private readonly ttftP95 = new Float64Array(SERIES_POINTS).fill(NaN);
  /** Next position to write; also the oldest point. */
  private head = 0;
  private cached: Series | null = null;

  /** The point of one closed second: the target's cells' slots for it. */
  push(slots: readonly Bucket[]): void {
    const i = this.head;
    let requests = 0;
    let errors = 0;
    for (const b of slots) {
      requests += b.requests;
      errors += b.errors;
    }
    if (requests > 0) {
      this.rps[i] = (requests * 1000) / SLOT_MS;
      this.errorRate[i] = errors / requests;
      this.latencyP95[i] = p95Of(slots, D_LATENCY) ?? NaN;
      this.ttftP95[i] = p95Of(slots, D_TTFT) ?? NaN;
    } else this.blank(i);
    this.head = (i + 1) % SERIES_POINTS;
    this.cached = null;
  }

  /** n empty seconds (a pause in traffic). */
  pushEmpty(n: number): void {
    for (let k = 0; k < Math.min(n, SERIES_POINTS); k++) {
      this.blank(this.head);
      this.head = (this.head + 1) % SERIES_POINTS;
    }
    if (n > 0) this.cached = null;
  }

  private blank(i: number): void {
    this.rps[i] = 0;
    this.errorRate[i] = NaN;
    this.latencyP95[i] = NaN;
    this.ttftP95[i] = NaN;
  }

  /** Oldest first. The same object until the next push: treat it as read-only. */
  toSeries(): Series {
    if (this.cached) return this.cached;
    const rps: number[] = [];
    const errorRate: (number | null)[] = [];
    const latencyP95Ms: (number | null)[] = [];
    const ttftP95Ms: (number | null)[] = [];
    const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
    for (let k = 0; k < SERIES_POINTS; k++) {
      const i = (this.head + k) % SERIES_POINTS;
      rps.push(this.rps[i]!);
      errorRate.push(orNull(this.errorRate[i]!));
      latencyP95Ms.push(orNull(this.latencyP95[i]!));
      ttftP95Ms.push(orNull(this.ttftP95[i]!));
    }
    this.cached = { stepMs: SLOT_MS, points: SERIES_POINTS, rps, errorRate, latencyP95Ms, ttftP95Ms };
    return this.cached;
  }
}

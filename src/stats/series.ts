/**
 * Sparkline and chart points per target: one per closed 1 s slot, a fixed
 * ring of scalars (no histograms kept), computed once when the slot closes.
 * The percentiles are exact for their second (read from the slot's HDR
 * histograms here, in the worker, where the histograms are); the dashboard's
 * chart (src/ui/core/chart-series.ts) keeps its own bounded history of them.
 */
import { COL, DIST, type Bucket } from './bucket.js';
import { HdrTrend } from './readout.js';
import { SLOT_MS } from './slots.js';

/** Sparkline data: the last `points` closed one-second slots, oldest first. */
export interface Series {
  stepMs: number;
  points: number;
  /** Slots closed since the windows started (or were reset): the newest point is slot closed − 1. */
  closed: number;
  rps: number[];
  /** null for a second without requests. */
  errorRate: (number | null)[];
  latencyP95Ms: (number | null)[];
  ttftP95Ms: (number | null)[];
  latencyP50Ms: (number | null)[];
  latencyP99Ms: (number | null)[];
  ttftP50Ms: (number | null)[];
  ttftP99Ms: (number | null)[];
  itlP50Ms: (number | null)[];
  itlP95Ms: (number | null)[];
  itlP99Ms: (number | null)[];
  /** Cost of the second's priced requests; null when none was priced. */
  costUsd: (number | null)[];
}

export const SERIES_POINTS = 120;

/** The per-second percentile columns, in the order they are computed. */
const PCT_KEYS = ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'ttftP50Ms', 'ttftP95Ms', 'ttftP99Ms', 'itlP50Ms', 'itlP95Ms', 'itlP99Ms'] as const;
type PctKey = (typeof PCT_KEYS)[number];
const PCT_DISTS = ['latency', 'ttft', 'itl'] as const;
const PCTS = [50, 95, 99];
const pctTrend = new HdrTrend();
const COL_PRICED = COL['costUsdKnown']!;
const pctOut = new Float64Array(PCTS.length);

export class SeriesRing {
  private readonly rps = new Float64Array(SERIES_POINTS);
  private readonly errorRate = new Float64Array(SERIES_POINTS).fill(NaN);
  private readonly cost = new Float64Array(SERIES_POINTS).fill(NaN);
  private readonly pct: Record<PctKey, Float64Array> = Object.fromEntries(PCT_KEYS.map((k) => [k, new Float64Array(SERIES_POINTS).fill(NaN)])) as Record<PctKey, Float64Array>;
  /** Next position to write; also the oldest point. */
  private head = 0;
  private closed = 0;
  private cached: Series | null = null;

  /** The point of one closed second: the target's cells' slots for it. */
  push(slots: readonly Bucket[]): void {
    const i = this.head;
    let requests = 0;
    let errors = 0;
    let cost = 0;
    let priced = 0;
    for (const b of slots) {
      requests += b.n[COL.requests]!;
      errors += b.n[COL.errors]!;
      cost += b.n[COL.costUsd]!;
      priced += b.n[COL_PRICED]!;
    }
    if (requests > 0 || priced > 0) {
      this.rps[i] = (requests * 1000) / SLOT_MS;
      this.errorRate[i] = requests > 0 ? errors / requests : NaN;
      this.cost[i] = priced > 0 ? cost : NaN;
      for (let d = 0; d < PCT_DISTS.length; d++) {
        const t = pctTrend.over(slots, DIST[PCT_DISTS[d]!]!);
        if (t.count > 0) t.percentiles(PCTS, pctOut);
        for (let k = 0; k < PCTS.length; k++) this.pct[PCT_KEYS[d * PCTS.length + k]!][i] = t.count > 0 ? pctOut[k]! : NaN;
      }
    } else this.blank(i);
    this.head = (i + 1) % SERIES_POINTS;
    this.closed++;
    this.cached = null;
  }

  /** n empty seconds (a pause in traffic). */
  pushEmpty(n: number): void {
    for (let k = 0; k < Math.min(n, SERIES_POINTS); k++) {
      this.blank(this.head);
      this.head = (this.head + 1) % SERIES_POINTS;
    }
    if (n > 0) {
      this.closed += n;
      this.cached = null;
    }
  }

  private blank(i: number): void {
    this.rps[i] = 0;
    this.errorRate[i] = NaN;
    this.cost[i] = NaN;
    for (const k of PCT_KEYS) this.pct[k][i] = NaN;
  }

  /** Oldest first. The same object until the next push: treat it as read-only. */
  toSeries(): Series {
    if (this.cached) return this.cached;
    const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
    const read = (a: Float64Array): (number | null)[] => {
      const out: (number | null)[] = [];
      for (let k = 0; k < SERIES_POINTS; k++) out.push(orNull(a[(this.head + k) % SERIES_POINTS]!));
      return out;
    };
    const rps: number[] = [];
    for (let k = 0; k < SERIES_POINTS; k++) rps.push(this.rps[(this.head + k) % SERIES_POINTS]!);
    const pct = Object.fromEntries(PCT_KEYS.map((k) => [k, read(this.pct[k])])) as Record<PctKey, (number | null)[]>;
    this.cached = { stepMs: SLOT_MS, points: SERIES_POINTS, closed: this.closed, rps, errorRate: read(this.errorRate), costUsd: read(this.cost), ...pct };
    return this.cached;
  }
}

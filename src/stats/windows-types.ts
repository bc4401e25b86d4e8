/**
 * What the aggregator hands out: plain JSON (no class instances, no Maps), so
 * a snapshot crosses postMessage as is. The dashboard, alert rules and
 * exporters read only this.
 *
 * Window edges: a window is "the last N seconds, plus the part of the current
 * slot that has elapsed". '1m' is the 60 closed 1 s slots before the current
 * one plus the current one (60–61 s); '5m' and '15m' are 20 and 60 closed
 * 15 s slots plus the current 15 s slot so far (300–315 s, 900–915 s). So a
 * result recorded at t is in '1m' until t + 60 s … t + 61 s, in '5m' until
 * t + 300 s … t + 315 s. `windowMs` says the span actually covered (shorter
 * at the start of a run), and every rate divides by it.
 */
import type { TimeStats } from './summary.js';
import type { WindowName } from './windows-node.js';
import type { HonestyWindow } from './windows-honesty.js';

export type { HonestyWindow, ReportedCost, UsageGap } from './windows-honesty.js';

export type { WindowName } from './windows-node.js';
export { WINDOW_NAMES, WINDOW_SPAN_MS } from './windows-node.js';

/** One window of one cell or roll-up; the relay-honesty counts are the HonestyWindow fields. */
export interface WindowStats extends HonestyWindow {
  requests: number;
  errors: number;
  /** errors / requests; 0 when there were no requests. */
  errorRate: number;
  /** errorType → count, failed requests only ('unknown' for a failure without a type). */
  errorTypes: Record<string, number>;
  /** Requests relaymon cut short when the run stopped: in none of requests, errors or the timings (summary.ts isUnfinished). */
  unfinished: number;
  /** HTTP status → count, every request ('none' when no HTTP answer). */
  statuses: Record<string, number>;
  /** requests / windowMs, per second (for 'all': since start). */
  rps: number;
  /** The timings are over successful requests only (summary.ts Summary). */
  latencyMs: TimeStats;
  latencyScheduledMs: TimeStats;
  ttfbMs: TimeStats;
  ttftMs: TimeStats;
  ttftContentMs: TimeStats;
  itlMs: TimeStats;
  /** Gaps between token-bearing chunks, every gap of every request. */
  chunkGapMs: TimeStats;
  outputTokensPerSecond: TimeStats;
  inputTokens: number;
  outputTokens: number;
  /** Sum of the known costs; null when no request in the window had one. */
  costUsd: number | null;
  unpricedRequests: number;
  /** costUsd over the window's span, per hour; null without a priced request. */
  costPerHourUsd: number | null;
  /** costPerHourUsd × 720. */
  cost30dUsd: number | null;
  usageReported: number;
  usageEstimated: number;
  /** Responses naming a different model than requested (aliases normalised). */
  modelMismatches: number;
  /** Responses that named a model at all (the denominator of a mismatch rate). */
  namedModels: number;
  /** Values beyond one hour (or 3.6 M tokens/s), counted at the histogram's top. */
  clampedValues: number;
  /** The span actually covered, ms. */
  windowMs: number;
}

export type WindowSet<W extends WindowName = WindowName> = Record<W, WindowStats>;

/** Sparkline data: the last `points` closed one-second slots, oldest first. */
export interface Series {
  stepMs: number;
  points: number;
  rps: number[];
  /** null for a second without requests. */
  errorRate: (number | null)[];
  latencyP95Ms: (number | null)[];
  ttftP95Ms: (number | null)[];
}

export interface TargetStats<W extends WindowName = WindowName> {
  target: string;
  windows: WindowSet<W>;
  /** Per requested model, verbatim (all probes together), in order of first appearance. */
  models: { model: string; windows: WindowSet<W> }[];
  /** Per probe (all models together); results without a probe (replay) appear in no probe row. */
  probes: { probe: string; windows: WindowSet<W> }[];
  series: Series;
}

export interface StatsSnapshot<W extends WindowName = WindowName> {
  /** The nowMs the snapshot was taken at (the caller's monotonic clock). */
  atMs: number;
  elapsedMs: number;
  /** Everything together. */
  windows: WindowSet<W>;
  /** In order of first appearance. */
  targets: TargetStats<W>[];
}

export interface SnapshotOptions<W extends WindowName = WindowName> {
  /** Compute only these windows (default: all four). */
  windows?: readonly W[];
}

/** Live storage, for memory tests and the benchmark. */
export interface AggregatorFootprint {
  cells: number;
  nodes: number;
  /** Distinct buckets held (slots, open slots, aggregates). */
  buckets: number;
  /** Non-null closed slots in all rings. */
  liveSlots: number;
  /** Non-empty histograms across those buckets. */
  histograms: number;
  /** Approximate bytes held by buckets, histograms and batch buffers. */
  bytes: number;
}

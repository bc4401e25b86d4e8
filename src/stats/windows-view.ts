/**
 * Reading windows for snapshots: the buckets that make up a window right now
 * (running aggregate + open slots) are summed on the fly into WindowStats.
 * Percentiles come from the histograms (HDR precision, clamped into the exact
 * [min, max]); avg, min and max are exact.
 */
import { ERROR_TYPES } from '../core/result.js';
import type { TimeStats } from './summary.js';
import { percentilesOfPair } from './histogram-quantiles.js';
import { exactOf, toUnit } from './windows-exact.js';
import { SparseHistogram } from './histogram.js';
import {
  type Bucket,
  D_ITL,
  D_LATENCY,
  D_LATENCY_SCHEDULED,
  D_TPS,
  D_TTFB,
  D_TTFT,
  D_TTFT_CONTENT,
  D_GAP,
  DIST_COUNT,
  type DistName,
  NO_STATUS,
  UNKNOWN_ERROR,
} from './windows-bucket.js';
import type { WindowStats } from './windows-types.js';
import { type Owner, W_1M } from './windows-node.js';
import { addHonesty, H_COUNT, honestyWindow } from './windows-honesty.js';

/** WindowStats minus what depends on the window's span (recomputed every snapshot). */
export type WindowBase = Omit<WindowStats, 'rps' | 'costPerHourUsd' | 'cost30dUsd' | 'windowMs'>;

const SNAPSHOT_PERCENTILES = [50, 90, 95, 99] as const;
const HOURS_PER_30D = 720;
const pctOut = new Float64Array(SNAPSHOT_PERCENTILES.length);

const EMPTY_TIME: TimeStats = Object.freeze({ p50: null, p90: null, p95: null, p99: null, avg: null, min: null, max: null });

/**
 * Time statistics of distribution m over `parts`, whose histograms sum to
 * a + b: a is the window's running aggregate, which keeps running counts
 * between changes, b the open slots merged; so a snapshot costs the size of
 * the open slots, not of the window.
 */
function timeStatsOf(parts: readonly Bucket[], m: number, a: SparseHistogram | null, b: SparseHistogram | null): TimeStats {
  const e = exactOf(parts, m);
  if (e.count === 0) return EMPTY_TIME;
  percentilesOfPair(a, b, SNAPSHOT_PERCENTILES, pctOut);
  return {
    p50: toUnit(pctOut[0]!, e),
    p90: toUnit(pctOut[1]!, e),
    p95: toUnit(pctOut[2]!, e),
    p99: toUnit(pctOut[3]!, e),
    avg: e.sum / e.count,
    min: e.min,
    max: e.max,
  };
}

const secondsScratch = new SparseHistogram(1024);
const quarterScratch = new SparseHistogram(4096);

/** The non-empty histograms of distribution m in `bs`, summed (into `scratch` when there are several). */
function merged(bs: readonly (Bucket | null)[], m: number, scratch: SparseHistogram): SparseHistogram | null {
  let only: SparseHistogram | null = null;
  let n = 0;
  for (const b of bs) {
    const h = b?.hist[m];
    if (h && h.total > 0) {
      only = h;
      n++;
    }
  }
  if (n <= 1) return only;
  scratch.clear();
  for (const b of bs) {
    const h = b?.hist[m];
    if (h && h.total > 0) scratch.add(h);
  }
  return scratch;
}

function mergedPair(a: SparseHistogram | null, b: SparseHistogram | null, scratch: SparseHistogram): SparseHistogram | null {
  if (!a || a.total === 0) return b;
  if (!b || b.total === 0) return a;
  scratch.clear();
  scratch.add(a);
  scratch.add(b);
  return scratch;
}

/**
 * The data-dependent part of windows `ws` (W_1M…W_ALL) of one owner. The
 * open slots are merged once per distribution and shared by the windows.
 */
export function summarizeWindows(owner: Owner, ws: readonly number[]): WindowBase[] {
  const seconds = owner.openSeconds();
  const quarter = owner.open15;
  const parts = ws.map((w) => [owner.agg(w), ...(w !== W_1M && quarter ? [quarter] : []), ...seconds]);
  const times = ws.map((): TimeStats[] => []);
  const needQuarter = ws.some((w) => w !== W_1M);
  for (let m = 0; m < DIST_COUNT; m++) {
    const b1 = merged(seconds, m, secondsScratch);
    const b15 = needQuarter ? mergedPair(quarter?.hist[m] ?? null, b1, quarterScratch) : null;
    ws.forEach((w, i) => times[i]!.push(timeStatsOf(parts[i]!, m, owner.agg(w).hist[m] ?? null, w === W_1M ? b1 : b15)));
  }
  return parts.map((p, i) => withTimes(countersOf(p), times[i]!));
}

function withTimes(c: Counters, t: readonly TimeStats[]): WindowBase {
  return {
    requests: c.requests,
    errors: c.errors,
    errorRate: c.errorRate,
    errorTypes: c.errorTypes,
    unfinished: c.unfinished,
    statuses: c.statuses,
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens,
    costUsd: c.costUsd,
    unpricedRequests: c.unpricedRequests,
    usageReported: c.usageReported,
    usageEstimated: c.usageEstimated,
    modelMismatches: c.modelMismatches,
    namedModels: c.namedModels,
    clampedValues: c.clampedValues,
    latencyMs: t[D_LATENCY]!,
    latencyScheduledMs: t[D_LATENCY_SCHEDULED]!,
    ttfbMs: t[D_TTFB]!,
    ttftMs: t[D_TTFT]!,
    ttftContentMs: t[D_TTFT_CONTENT]!,
    itlMs: t[D_ITL]!,
    chunkGapMs: t[D_GAP]!,
    outputTokensPerSecond: t[D_TPS]!,
    usageCompared: c.usageCompared,
    usageMismatches: c.usageMismatches,
    usageGap: c.usageGap,
    reportedCost: c.reportedCost,
    fingerprinted: c.fingerprinted,
    fingerprintChanges: c.fingerprintChanges,
    streams: c.streams,
    streamsWithoutUsage: c.streamsWithoutUsage,
    streamsOutOfOrder: c.streamsOutOfOrder,
    streamsUnterminated: c.streamsUnterminated,
    streamsUsageDecreased: c.streamsUsageDecreased,
  };
}

/** The stats of no data at all. */
export function emptyBase(): WindowBase {
  return withTimes(countersOf([]), new Array<TimeStats>(DIST_COUNT).fill(EMPTY_TIME));
}

type Counters = Omit<WindowBase, DistName>;

function countersOf(parts: readonly Bucket[]): Counters {
  let requests = 0;
  let errors = 0;
  let unfinished = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let cost = 0;
  let priced = 0;
  let unpriced = 0;
  let usageReported = 0;
  let usageEstimated = 0;
  let modelMismatches = 0;
  let namedModels = 0;
  let clamped = 0;
  const honesty = new Float64Array(H_COUNT);
  const types = new Float64Array(ERROR_TYPES.length + 1);
  const statuses: Record<string, number> = {};
  for (const p of parts) {
    requests += p.requests;
    errors += p.errors;
    unfinished += p.unfinished;
    inputTokens += p.inputTokens;
    outputTokens += p.outputTokens;
    cost += p.costSum;
    priced += p.priced;
    unpriced += p.unpriced;
    usageReported += p.usageReported;
    usageEstimated += p.usageEstimated;
    modelMismatches += p.modelMismatches;
    namedModels += p.namedModels;
    clamped += p.clamped;
    addHonesty(honesty, p.honesty);
    if (p.errors > 0) for (let i = 0; i < types.length; i++) types[i]! += p.errorTypes[i]!;
    for (const [k, v] of p.statuses) {
      const key = k === NO_STATUS ? 'none' : String(k);
      statuses[key] = (statuses[key] ?? 0) + v;
    }
  }
  const errorTypes: Record<string, number> = {};
  for (let i = 0; i < types.length; i++) {
    if (types[i]! > 0) errorTypes[i === UNKNOWN_ERROR ? 'unknown' : ERROR_TYPES[i]!] = types[i]!;
  }
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    errorTypes,
    unfinished,
    statuses,
    inputTokens,
    outputTokens,
    costUsd: priced > 0 ? cost : null,
    unpricedRequests: unpriced,
    usageReported,
    usageEstimated,
    modelMismatches,
    namedModels,
    clampedValues: clamped,
    ...honestyWindow(honesty),
  };
}


/** Adds what depends on the span. Spelled out field by field: object spread is the slow part of a snapshot. */
export function finish(b: WindowBase, windowMs: number): WindowStats {
  const perHour = b.costUsd !== null && windowMs > 0 ? b.costUsd / (windowMs / 3_600_000) : null;
  return {
    requests: b.requests,
    errors: b.errors,
    errorRate: b.errorRate,
    errorTypes: b.errorTypes,
    unfinished: b.unfinished,
    statuses: b.statuses,
    rps: windowMs > 0 ? (b.requests * 1000) / windowMs : 0,
    latencyMs: b.latencyMs,
    latencyScheduledMs: b.latencyScheduledMs,
    ttfbMs: b.ttfbMs,
    ttftMs: b.ttftMs,
    ttftContentMs: b.ttftContentMs,
    itlMs: b.itlMs,
    chunkGapMs: b.chunkGapMs,
    outputTokensPerSecond: b.outputTokensPerSecond,
    inputTokens: b.inputTokens,
    outputTokens: b.outputTokens,
    costUsd: b.costUsd,
    unpricedRequests: b.unpricedRequests,
    costPerHourUsd: perHour,
    cost30dUsd: perHour === null ? null : perHour * HOURS_PER_30D,
    usageReported: b.usageReported,
    usageEstimated: b.usageEstimated,
    modelMismatches: b.modelMismatches,
    namedModels: b.namedModels,
    clampedValues: b.clampedValues,
    windowMs,
    usageCompared: b.usageCompared,
    usageMismatches: b.usageMismatches,
    usageGap: b.usageGap,
    reportedCost: b.reportedCost,
    fingerprinted: b.fingerprinted,
    fingerprintChanges: b.fingerprintChanges,
    streams: b.streams,
    streamsWithoutUsage: b.streamsWithoutUsage,
    streamsOutOfOrder: b.streamsOutOfOrder,
    streamsUnterminated: b.streamsUnterminated,
    streamsUsageDecreased: b.streamsUsageDecreased,
  };
}

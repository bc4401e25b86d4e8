/** Valid EngineSnapshot / StatsSnapshot values for the dashboard's tests. */
import type { AlertStateView } from '../../../src/alerts/rule-state.js';
import type { EngineSnapshot, RecentError, TargetInfo } from '../../../src/engine/messages.js';
import type { TimeStats } from '../../../src/stats/summary.js';
import type { Series, StatsSnapshot, TargetStats, WindowSet, WindowStats } from '../../../src/stats/windows.js';

export function time(p50: number | null, scale = 1): TimeStats {
  if (p50 === null) return { p50: null, p90: null, p95: null, p99: null, avg: null, min: null, max: null };
  return {
    p50,
    p90: p50 * 1.6 * scale,
    p95: p50 * 2 * scale,
    p99: p50 * 3 * scale,
    avg: p50 * 1.2,
    min: p50 * 0.5,
    max: p50 * 4 * scale,
  };
}

export function windowStats(o: Partial<WindowStats> = {}): WindowStats {
  const requests = o.requests ?? 120;
  const errors = o.errors ?? 0;
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : 0,
    errorTypes: {},
    unfinished: 0,
    statuses: { '200': requests - errors },
    rps: requests / 60,
    latencyMs: time(400),
    latencyScheduledMs: time(410),
    ttfbMs: time(120),
    ttftMs: time(150),
    ttftContentMs: time(160),
    itlMs: time(12),
    chunkGapMs: time(11),
    outputTokensPerSecond: time(85),
    inputTokens: 24_000,
    outputTokens: 36_500,
    cachedInputTokens: 0,
    usageMissing: 0,
    costUsd: 0.42,
    unpricedRequests: 0,
    costPerHourUsd: 25.2,
    cost30dUsd: 25.2 * 720,
    usageReported: requests,
    usageEstimated: 0,
    modelMismatches: 0,
    namedModels: requests,
    clampedValues: 0,
    windowMs: 60_000,
    usageCompared: requests,
    usageMismatches: 0,
    usageGap: { billedInputTokens: 24_000, countedInputTokens: 24_000, billedOutputTokens: 36_500, countedOutputTokens: 36_500, ratio: 0 },
    reportedCost: { requests: 0, reportedUsd: null, computedUsd: null, gapUsd: null },
    fingerprinted: requests,
    fingerprintChanges: 0,
    streams: requests,
    streamsWithoutUsage: 0,
    streamsOutOfOrder: 0,
    streamsUnterminated: 0,
    streamsUsageDecreased: 0,
    ...o,
  };
}

export const EMPTY_WINDOW: WindowStats = windowStats({
  requests: 0,
  errors: 0,
  statuses: {},
  rps: 0,
  latencyMs: time(null),
  latencyScheduledMs: time(null),
  ttfbMs: time(null),
  ttftMs: time(null),
  ttftContentMs: time(null),
  itlMs: time(null),
  chunkGapMs: time(null),
  outputTokensPerSecond: time(null),
  inputTokens: 0,
  outputTokens: 0,
  costUsd: null,
  costPerHourUsd: null,
  cost30dUsd: null,
  usageReported: 0,
  namedModels: 0,
  windowMs: 0,
});

export function windowSet(w: WindowStats): WindowSet {
  return { '1m': w, '5m': w, '15m': w, all: w };
}

export function series(latencyP95Ms: (number | null)[]): Series {
  return {
    stepMs: 1000,
    points: latencyP95Ms.length,
    rps: latencyP95Ms.map((v) => (v === null ? 0 : 2)),
    errorRate: latencyP95Ms.map((v) => (v === null ? null : 0)),
    latencyP95Ms,
    ttftP95Ms: latencyP95Ms.map((v) => (v === null ? null : v / 2)),
    closed: latencyP95Ms.length,
    latencyP50Ms: latencyP95Ms.map((v) => (v === null ? null : v / 2)),
    latencyP99Ms: latencyP95Ms.map((v) => (v === null ? null : v * 1.5)),
    ttftP50Ms: latencyP95Ms.map((v) => (v === null ? null : v / 4)),
    ttftP99Ms: latencyP95Ms.map((v) => (v === null ? null : v)),
    itlP50Ms: latencyP95Ms.map((v) => (v === null ? null : v / 40)),
    itlP95Ms: latencyP95Ms.map((v) => (v === null ? null : v / 20)),
    itlP99Ms: latencyP95Ms.map((v) => (v === null ? null : v / 10)),
    costUsd: latencyP95Ms.map((v) => (v === null ? null : 0.001)),
  };
}

export function targetStats(target: string, w: WindowStats, p95Series?: (number | null)[]): TargetStats {
  const set = windowSet(w);
  return {
    target,
    windows: set,
    models: [{ model: 'gpt-4o-mini', windows: set }],
    probes: [{ probe: 'chat', windows: set }],
    series: series(p95Series ?? Array.from({ length: 60 }, (_, i) => 700 + (i % 10) * 30)),
  };
}

export function statsSnapshot(targets: TargetStats[], total?: WindowStats): StatsSnapshot {
  return { atMs: 60_000, elapsedMs: 60_000, windows: windowSet(total ?? windowStats()), targets };
}

export function targetInfo(name: string): TargetInfo {
  return {
    name,
    baseUrl: `http://127.0.0.1:9/${name}`,
    protocol: 'openai',
    cap: 8,
    schedule: { scheduled: 0, sent: 0, capWaits: 0, dropped: 0, skippedBackoff: 0, achievedRatePerSec: null },
    backoffs: 0,
    backoffSkipped: 0,
    backoffUntil: null,
  };
}

export function engineSnapshot(o: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return {
    state: 'running',
    startedAt: Date.UTC(2026, 0, 1, 12, 0, 0),
    elapsedMs: 65_000,
    stats: null,
    targets: [],
    saturation: {
      eventLoopDelayP99Ms: 2,
      eventLoopDelayMaxMs: 4,
      inFlight: 3,
      capWaits: 0,
      lateSends: 0,
      sendLagMs: { p50: 0.4, p99: 1.2, max: 3 },
      dropped: 0,
      saturated: false,
      reasons: [],
    },
    recentErrors: [],
    progress: { sent: 120, done: 118, errors: 0, total: null },
    results: [],
    alerts: [],
    alertTransitions: [],
    spend: { spentUsd: 0.42, budgetUsd: null, refused: 0 },
    ...o,
  };
}

/** Three healthy targets with a minute of data. */
export function normalSnapshot(): EngineSnapshot {
  const names = ['direct', 'relay', 'backup'];
  const stats = statsSnapshot(names.map((n) => targetStats(n, windowStats())));
  return engineSnapshot({ stats, targets: names.map(targetInfo) });
}

export function recentError(o: Partial<RecentError> = {}): RecentError {
  return {
    time: Date.UTC(2026, 0, 1, 12, 0, 30),
    target: 'relay',
    model: 'gpt-4o-mini',
    errorType: 'rate_limited',
    httpStatus: 429,
    requestId: 'req_abc123',
    message: 'Too Many Requests',
    ...o,
  };
}

export function alertView(o: Partial<AlertStateView> = {}): AlertStateView {
  return {
    name: 'ttft_target_relay_p95',
    state: 'firing',
    value: 1203,
    since: 50_000,
    expression: 'ttft{target:relay}:p(95)<800',
    window: '1m',
    lastFiredAt: 50_000,
    lastResolvedAt: null,
    ...o,
  };
}

/** A relay failing a third of its requests, with a saturated client and alerts firing. */
export function errorHeavySnapshot(): EngineSnapshot {
  const bad = windowStats({
    requests: 90,
    errors: 30,
    errorTypes: { rate_limited: 21, timeout: 6, server_error: 3 },
    statuses: { '200': 60, '429': 21, '503': 3, none: 6 },
    latencyMs: time(900, 3),
    ttftMs: time(700, 2),
    usageEstimated: 12,
  });
  const stats = statsSnapshot([
    targetStats('direct', windowStats()),
    targetStats('relay', bad, [800, null, 2400, 5000, null, 1200]),
  ]);
  return engineSnapshot({
    stats,
    targets: ['direct', 'relay'].map(targetInfo),
    saturation: {
      ...engineSnapshot().saturation,
      saturated: true,
      reasons: ['event-loop delay p99 48ms > 20ms', '31 sends later than 5ms'],
    },
    recentErrors: [
      recentError(),
      recentError({ time: Date.UTC(2026, 0, 1, 12, 0, 31), errorType: 'timeout', httpStatus: null, requestId: null }),
      recentError({ time: Date.UTC(2026, 0, 1, 12, 0, 32), errorType: 'server_error', httpStatus: 503, requestId: 'req_zz9' }),
    ],
    alerts: [
      alertView(),
      alertView({ name: 'errors_relay', state: 'pending', value: 0.3333, expression: 'errors{target:relay}:rate<0.05' }),
      alertView({ name: 'latency_direct', state: 'resolved', value: 300, expression: 'latency{target:direct}:p(95)<1000' }),
      alertView({ name: 'quiet', state: 'ok', value: 1, expression: 'requests:count>0' }),
    ],
    progress: { sent: 210, done: 205, errors: 30, total: null },
  });
}

/** The first tick: targets known, nothing measured. */
export function emptySnapshot(): EngineSnapshot {
  return engineSnapshot({
    state: 'starting',
    elapsedMs: 0,
    stats: null,
    targets: ['direct', 'relay'].map(targetInfo),
    progress: { sent: 0, done: 0, errors: 0, total: null },
    spend: { spentUsd: 0, budgetUsd: 5, refused: 0 },
  });
}

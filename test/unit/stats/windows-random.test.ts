import { describe, expect, it } from 'vitest';
import type { RequestResult } from '../../../src/core/result.js';
import { mulberry32 } from '../../../src/core/random.js';
import { addIndexBatch } from '../../../src/hdr/batch.js';
import { matchesTags, queryFromResults } from '../../../src/stats/summary.js';
import { sortedValues, summarize, type TimeStats } from '../../../src/stats/summary.js';
import { METRIC_NAMES, VALID_AGGREGATIONS, type Aggregation, type MetricName, type TagFilter } from '../../../src/stats/thresholds.js';
import { TRENDS } from '../../../src/metrics/catalog.js';
import { Bucket, COL, DIST_COUNT } from '../../../src/stats/bucket.js';
import { Ring } from '../../../src/stats/ring.js';
import { WINDOW_NAMES, WindowedStats, type HonestyWindow, type WindowStats } from '../../../src/stats/windows.js';
import { honestyOfResults } from '../../../src/stats/summary.js';
import { expectedSpan, hdrTolerance, inWindow, nearestRank, randomResult, randomTraffic } from './windows-gen.js';

function bucketOf(rs: readonly RequestResult[]): Bucket {
  const b = new Bucket();
  for (const r of rs) {
    b.countRequest(r);
    if (!r.ok) continue;
    TRENDS.forEach((t, m) => {
      if (t.many) for (const v of t.many(r)) put(b, m, v);
      else put(b, m, t.read(r));
    });
  }
  return b;
}
function put(b: Bucket, m: number, v: number | null): void {
  const ix = b.value(b.dists[m]!, v);
  if (ix >= 0) addIndexBatch(b.dists[m]!.histogram(), Uint16Array.of(ix));
}

function expectSameBucket(a: Bucket, b: Bucket): void {
  // Every column, by name; float sums (cost) to 9 decimals.
  const columns = (x: Bucket) => Object.fromEntries(Object.entries(COL).map(([k, i]) => [k, Math.round(x.n[i!]! * 1e9) / 1e9]));
  expect(columns(a)).toEqual(columns(b));
  expect([...a.errorTypes]).toEqual([...b.errorTypes]);
  expect(new Map(a.statuses)).toEqual(new Map(b.statuses));
  for (let m = 0; m < DIST_COUNT; m++) {
    const da = a.dists[m]!;
    const db = b.dists[m]!;
    expect(da.count).toBe(db.count);
    expect(da.sum).toBeCloseTo(db.sum, 6);
    expect([da.min, da.max]).toEqual([db.min, db.max]);
    const ha = da.hist;
    const hb = db.hist;
    expect(ha ? [...ha.idx.subarray(0, ha.size)] : []).toEqual(hb ? [...hb.idx.subarray(0, hb.size)] : []);
    expect(ha ? [...ha.cnt.subarray(0, ha.size)] : []).toEqual(hb ? [...hb.cnt.subarray(0, hb.size)] : []);
  }
}

describe('ring aggregates', () => {
  it('incremental add/subtract equals a fresh merge of the same slots (randomised, seeded)', () => {
    const rng = mulberry32(11);
    const ring = new Ring(60, [20, 60]);
    let id = -1;
    for (let step = 0; step < 400; step++) {
      // Mostly consecutive slots, some empty, some short gaps, now and then a gap longer than the ring.
      const u = rng();
      id += u < 0.8 ? 1 : u < 0.97 ? 2 + Math.floor(rng() * 30) : 61 + Math.floor(rng() * 100);
      const b = rng() < 0.2 ? null : bucketOf(Array.from({ length: 1 + Math.floor(rng() * 8) }, () => randomResult(rng, 0)));
      ring.close(id, b);
      ring.views.forEach((v, k) => {
        const fresh = new Bucket();
        for (const s of ring.inView(v.len)) fresh.add(s);
        expectSameBucket(ring.agg(k), fresh);
      });
      expect(ring.live).toBeLessThanOrEqual(60);
    }
  });
});

function expectTime(ts: TimeStats, values: readonly (number | null)[]): void {
  const s = sortedValues(values);
  if (s.length === 0) {
    expect(ts).toEqual({ p50: null, p90: null, p95: null, p99: null, avg: null, min: null, max: null });
    return;
  }
  expect(ts.min).toBe(s[0]);
  expect(ts.max).toBe(s[s.length - 1]);
  expect(ts.avg).toBeCloseTo(s.reduce((a, v) => a + v, 0) / s.length, 6);
  for (const [k, p] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
    const exact = nearestRank(s, p);
    expect(Math.abs(ts[k]! - exact)).toBeLessThanOrEqual(hdrTolerance(exact));
  }
}

function expectWindow(ws: WindowStats, all: readonly RequestResult[], span: number): void {
  const sum = summarize(all);
  // Unfinished requests (cut short by relaymon's stop) count nowhere but `unfinished`, tokens and cost;
  // timings are over successes only.
  const rs = all.filter((r) => r.errorType !== 'cancelled');
  const ok = rs.filter((r) => r.ok);
  expect(ws.windowMs).toBe(span);
  expect(ws.requests).toBe(sum.requests);
  expect(ws.requests).toBe(rs.length);
  expect(ws.unfinished).toBe(sum.unfinished);
  expect(ws.unfinished).toBe(all.length - rs.length);
  expect(ws.errors).toBe(sum.errors);
  expect(ws.errorRate).toBeCloseTo(sum.errorRate, 12);
  expect(ws.errorTypes).toEqual(sum.errorTypes);
  expect(ws.errorTypes['cancelled']).toBeUndefined();
  const statuses: Record<string, number> = {};
  for (const r of rs) statuses[r.httpStatus === null ? 'none' : String(r.httpStatus)] = (statuses[r.httpStatus === null ? 'none' : String(r.httpStatus)] ?? 0) + 1;
  expect(ws.statuses).toEqual(statuses);
  expect(ws.rps).toBeCloseTo(span > 0 ? (rs.length * 1000) / span : 0, 9);
  expect([ws.inputTokens, ws.outputTokens, ws.unpricedRequests]).toEqual([sum.inputTokens, sum.outputTokens, sum.unpricedRequests]);
  if (sum.costUsd === null) expect(ws.costUsd).toBeNull();
  else expect(ws.costUsd).toBeCloseTo(sum.costUsd, 12);
  expect(ws.usageReported).toBe(rs.filter((r) => r.usageSource === 'reported').length);
  expect(ws.usageEstimated).toBe(rs.filter((r) => r.usageSource === 'estimated').length);
  expect(ws.modelMismatches).toBe(rs.filter((r) => r.responseModel !== null && r.modelMismatch).length);
  expectHonesty(ws, honestyOfResults(rs));
  expectTime(ws.latencyMs, ok.map((r) => r.latencyMs));
  expectTime(ws.latencyScheduledMs, ok.map((r) => r.latencyScheduledMs));
  expectTime(ws.ttfbMs, ok.map((r) => r.ttfbMs));
  expectTime(ws.ttftMs, ok.map((r) => r.ttftMs));
  expectTime(ws.ttftContentMs, ok.map((r) => r.ttftContentMs));
  expectTime(ws.itlMs, ok.map((r) => r.itlMs));
  expectTime(ws.chunkGapMs, ok.flatMap((r) => r.chunkGapsMs));
  expectTime(ws.outputTokensPerSecond, ok.map((r) => r.outputTokensPerSecond));
  for (const k of ['latencyMs', 'latencyScheduledMs', 'ttfbMs', 'ttftMs', 'ttftContentMs', 'itlMs', 'outputTokensPerSecond'] as const) {
    expect([k, ws[k]]).toEqual([k, sum[k]].map((v, i) => (i === 0 ? v : expect.objectContaining({ min: (v as TimeStats).min, max: (v as TimeStats).max }))));
  }
}

function expectHonesty(ws: WindowStats, want: HonestyWindow): void {
  const { usageGap, reportedCost, ...counts } = want;
  for (const [k, v] of Object.entries(counts)) expect([k, ws[k as keyof typeof counts]]).toEqual([k, v]);
  expect(ws.usageGap).toEqual({ ...usageGap, ratio: usageGap.ratio === null ? null : expect.closeTo(usageGap.ratio, 12) });
  expect(ws.reportedCost.requests).toBe(reportedCost.requests);
  for (const k of ['reportedUsd', 'computedUsd', 'gapUsd'] as const) {
    const v = reportedCost[k];
    if (v === null) expect(ws.reportedCost[k]).toBeNull();
    else expect(ws.reportedCost[k]).toBeCloseTo(v, 9);
  }
}

const START = 5_000;
// Busy stretches with pauses of 70 s and ~18 min between them: slots expire
// while nothing is recorded, and a ring is cleared in one step.
const busy = mulberry32(12);
const traffic = [
  ...randomTraffic(busy, 1400, START, 400_000),
  ...randomTraffic(busy, 300, START + 470_000, 30_000),
  ...randomTraffic(busy, 800, START + 1_600_000, 300_000),
];
// Checkpoints: spread over the run, plus instants on and just before slot edges.
const checkpoints = [START, START + 999, START + 1000, START + 59_999, START + 61_000, START + 314_999, START + 315_000];
for (let t = START + 3_333; t < START + 2_000_000; t += 77_777) checkpoints.push(t);
checkpoints.push(START + 500_000 + 60_500, START + 500_000 + 61_500, START + 1_600_000 + 10);
checkpoints.sort((a, b) => a - b);

describe('windows against the raw results (randomised, seeded)', () => {
  it('every window of every roll-up matches summarize() on the results it should hold', () => {
    const stats = new WindowedStats({ startMs: START });
    let next = 0;
    for (const now of checkpoints) {
      while (next < traffic.length && traffic[next]!.at <= now) stats.record(traffic[next]!.r, traffic[next++]!.at);
      const snap = stats.snapshot(now);
      expect(snap.elapsedMs).toBe(now - START);
      for (const w of WINDOW_NAMES) {
        const rs = inWindow(traffic.slice(0, next), w, START, now);
        const span = expectedSpan(w, START, now);
        expectWindow(snap.windows[w], rs, span);
        for (const t of snap.targets) {
          const ofTarget = rs.filter((r) => r.target === t.target);
          expectWindow(t.windows[w], ofTarget, span);
          for (const m of t.models) expectWindow(m.windows[w], ofTarget.filter((r) => r.model === m.model), span);
          for (const p of t.probes) expectWindow(p.windows[w], ofTarget.filter((r) => r.probe === p.probe), span);
        }
      }
    }
    expect(next).toBe(traffic.length);
  });

  it('query() answers what queryFromResults answers on the same results', () => {
    const traffic = randomTraffic(mulberry32(13), 1200, START, 1_200_000);
    const stats = new WindowedStats({ startMs: START });
    const tags: TagFilter[] = [
      {},
      { target: 'a' },
      { target: 'nope' },
      { model: 'gpt-4o' },
      { probe: 'p1' },
      { target: 'b', model: 'openai/gpt-4o-2024-08-06' },
      { target: 'a', probe: 'p2', model: 'claude-sonnet-4-5' },
    ];
    let next = 0;
    let compared = 0;
    for (const now of [START + 30_500, START + 250_000, START + 700_321, START + 1_100_000, START + 1_300_000]) {
      while (next < traffic.length && traffic[next]!.at <= now) stats.record(traffic[next]!.r, traffic[next++]!.at);
      for (const w of WINDOW_NAMES) {
        const ours = stats.query(w, now);
        const rs = inWindow(traffic.slice(0, next), w, START, now);
        const exact = queryFromResults(rs, expectedSpan(w, START, now));
        for (const tag of tags) {
          const sorted = new Map<MetricName, number[]>();
          for (const metric of METRIC_NAMES) {
            for (const name of VALID_AGGREGATIONS[metric]) {
              const aggs: Aggregation[] = name === 'p' ? [50, 99, 99.9].map((p) => ({ kind: 'p', p })) : [{ kind: name }];
              for (const a of aggs) {
                const got = ours(metric, a, tag);
                const want = exact(metric, a, tag);
                compared++;
                if (want === null || got === null) {
                  expect([metric, a, tag, got]).toEqual([metric, a, tag, want]);
                } else if (a.kind === 'p' || a.kind === 'med') {
                  if (!sorted.has(metric)) sorted.set(metric, sortedValues(rs.filter((r) => r.ok && matchesTags(r, tag)).map(FIELD[metric]!)));
                  expectPercentile(got, want, sorted.get(metric)!, a.kind === 'p' ? a.p : 50);
                } else {
                  expect(got).toBeCloseTo(want, 9);
                }
              }
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });
});

const FIELD: Partial<Record<MetricName, (r: RequestResult) => number | null>> = {
  latency: (r) => r.latencyMs,
  latency_scheduled: (r) => r.latencyScheduledMs,
  ttfb: (r) => r.ttfbMs,
  ttft: (r) => r.ttftMs,
  ttft_content: (r) => r.ttftContentMs,
  itl: (r) => r.itlMs,
  tokens_per_s: (r) => r.outputTokensPerSecond,
};

/**
 * HDR reports a nearest-rank value (within its precision); queryFromResults
 * interpolates linearly between ranks ⌊h⌋ and ⌈h⌉, h = (n − 1)·p/100. The
 * nearest rank ⌈n·p/100⌉ is always one of those two, so ours must be within
 * HDR precision of the nearest-rank value and between the two neighbours.
 */
function expectPercentile(got: number, want: number, s: readonly number[], p: number): void {
  const exact = nearestRank(s, p);
  expect(Math.abs(got - exact)).toBeLessThanOrEqual(hdrTolerance(exact));
  const h = ((s.length - 1) * p) / 100;
  const lo = s[Math.floor(h)]!;
  const hi = s[Math.ceil(h)]!;
  // (interpolation itself may overshoot by a rounding error)
  expect(want).toBeGreaterThanOrEqual(lo - 1e-9);
  expect(want).toBeLessThanOrEqual(hi + 1e-9);
  expect(got).toBeGreaterThanOrEqual(lo - hdrTolerance(lo));
  expect(got).toBeLessThanOrEqual(hi + hdrTolerance(hi));
}

/**
 * A report's figures from a stream of results, a run's (as its snapshots
 * bring them) or a request log's (line by line): every result goes into a
 * WindowedStats, the statistics the engine itself keeps (src/stats/windows.ts),
 * whose `all` window gives each target's summary and honesty and answers the
 * thresholds exactly as a run's end does; and its charted numbers into
 * compact columns (samples.ts).
 */
import type { RequestResult } from '../core/result.js';
import { WindowedStats, type HonestyWindow, type WindowStats } from '../stats/windows.js';
import { toSummary } from '../stats/summary.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from '../stats/thresholds.js';
import { honestyLines } from '../export/honesty-text.js';
import type { ChartSpec, ReportTarget } from './data.js';
import { TargetSamples } from './samples.js';
import { distributionCharts, timeCharts } from './charts.js';

export interface Collected {
  targets: ReportTarget[];
  charts: ChartSpec[];
  /** Everything together, for the exit code (run/outcome.ts reads requests, unfinished, errorTypes). */
  all: WindowStats;
  anyHttpAnswer: boolean;
  /** Epoch ms: the run's start and its last finished request. */
  originMs: number;
  endMs: number;
  requests: number;
}

export class ReportCollector {
  private readonly stats: WindowedStats;
  private readonly samples = new Map<string, TargetSamples>();
  private originMs: number | null;
  private endMs = -Infinity;
  private anyHttp = false;
  private count = 0;

  /** `originMs`: the run's start (epoch ms); without it, the first result's send. */
  constructor(originMs?: number) {
    this.originMs = originMs ?? null;
    this.stats = new WindowedStats(originMs === undefined ? {} : { startMs: originMs });
  }

  get requests(): number {
    return this.count;
  }

  add(r: RequestResult): void {
    this.originMs ??= r.startedAt;
    // The end of a request on the wall clock: its send plus its latency (a log holds no other end instant on one clock).
    const end = r.startedAt + r.latencyMs;
    if (end > this.endMs) this.endMs = end;
    // Windows only move forward; a result finishing "before" an earlier one (lines are in finish order, ends rounded) joins the open slot.
    this.stats.record(r, end);
    let t = this.samples.get(r.target);
    if (!t) this.samples.set(r.target, (t = new TargetSamples(r.target)));
    t.add(r, end);
    if (r.httpStatus !== null) this.anyHttp = true;
    this.count++;
  }

  /** Evaluates `thresholds` on the whole run, as the engine does at its end (engine/finish.ts). */
  thresholds(thresholds: readonly Threshold[]): ThresholdResult[] {
    return evaluateThresholds([...thresholds], this.stats.query('all', this.endAt()));
  }

  private endAt(): number {
    return Number.isFinite(this.endMs) ? this.endMs : (this.originMs ?? 0);
  }

  /**
   * The distributions of `names` only (a candidate beside the reference),
   * each chart's id prefixed: evaluate's page per candidate.
   */
  distributionsOf(names: readonly string[], prefix: string): ChartSpec[] {
    const samples = names.map((n) => this.samples.get(n)).filter((s): s is TargetSamples => s !== undefined);
    return distributionCharts(samples).map((c) => ({ ...c, id: `${prefix}${c.id}` }));
  }

  finish(meta: ReadonlyMap<string, { baseUrl: string | null; protocol: string | null }> = new Map()): Collected {
    const endMs = this.endAt();
    const originMs = this.originMs ?? endMs;
    const snap = this.stats.snapshot(endMs, { windows: ['all'] });
    const order = snap.targets.map((c) => c.target);
    const targets: ReportTarget[] = snap.targets.map((cell) => {
      const w = cell.windows.all;
      const s = this.samples.get(cell.target);
      const m = meta.get(cell.target);
      return {
        name: cell.target,
        baseUrl: m?.baseUrl ?? null,
        protocol: m?.protocol ?? s?.protocol ?? null,
        summary: toSummary(w),
        honesty: honestyOf(w),
        honestyLines: honestyLines(w),
        failedChecks: s?.failedChecks ?? {},
      };
    });
    const samples = order.map((n) => this.samples.get(n)!).filter(Boolean);
    const charts = [...distributionCharts(samples), ...timeCharts(samples, originMs, endMs)];
    return { targets, charts, all: snap.windows.all, anyHttpAnswer: this.anyHttp, originMs, endMs, requests: this.count };
  }
}

/** The honesty fields of a window, without its timings and counters. */
function honestyOf(w: WindowStats): HonestyWindow {
  return {
    usageCompared: w.usageCompared,
    usageMismatches: w.usageMismatches,
    usageGap: w.usageGap,
    reportedCost: w.reportedCost,
    fingerprinted: w.fingerprinted,
    fingerprintChanges: w.fingerprintChanges,
    streams: w.streams,
    streamsWithoutUsage: w.streamsWithoutUsage,
    streamsOutOfOrder: w.streamsOutOfOrder,
    streamsUnterminated: w.streamsUnterminated,
    streamsUsageDecreased: w.streamsUsageDecreased,
  };
}

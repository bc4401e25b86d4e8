/**
 * `relaymon compare`: the same traffic through two targets, side by side.
 * Builds the report (the documented `compare --json` shape) from the raw
 * results of the run. Pure.
 */
import type { Protocol, RequestResult } from '../core/result.js';
import { mulberry32 } from '../core/random.js';
import { honestyOfResults } from '../stats/summary.js';
import type { HonestyWindow } from '../stats/windows.js';
import { billedCost } from '../stats/summary.js';
import { usageRatio } from '../honesty/reconcile.js';
import { bootstrapMedianDifference, fisherExact, mannWhitney, median, percentile } from './compare-stats.js';
import { DEFAULT_COMPARE_OPTIONS, type CompareOptions } from './options.js';

export { DEFAULT_COMPARE_OPTIONS, type CompareOptions };

export const COMPARE_METRICS = [
  { metric: 'latency', unit: 'ms', field: (r: RequestResult) => r.latencyMs },
  { metric: 'ttfb', unit: 'ms', field: (r: RequestResult) => r.ttfbMs },
  { metric: 'ttft', unit: 'ms', field: (r: RequestResult) => r.ttftMs },
  { metric: 'itl', unit: 'ms', field: (r: RequestResult) => r.itlMs },
  { metric: 'tokens_per_s', unit: 'tokens/s', field: (r: RequestResult) => r.outputTokensPerSecond },
] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number]['metric'];

export interface SampleSummary {
  n: number;
  p50: number | null;
  p95: number | null;
}

export interface MetricComparison {
  metric: CompareMetric;
  unit: 'ms' | 'tokens/s';
  a: SampleSummary;
  b: SampleSummary;
  /** median(a) − median(b), with the bootstrap interval at `confidence`; nulls without data. */
  difference: { median: number | null; low: number | null; high: number | null };
  /** Two-sided Mann–Whitney U; null with fewer than 5 samples on a side. */
  pValue: number | null;
  significant: boolean;
}

export interface ErrorComparison {
  a: { requests: number; errors: number; rate: number | null };
  b: { requests: number; errors: number; rate: number | null };
  /** rate(a) − rate(b). */
  difference: number | null;
  /** Fisher's exact test, two-sided. */
  pValue: number | null;
  significant: boolean;
}

export interface CompareTarget {
  name: string;
  baseUrl: string;
  protocol: Protocol;
  requests: number;
  errors: number;
  /** Failures by errorType (the closed vocabulary). */
  errorTypes: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  /** Sum of the known costs (a failure the relay billed nothing for counts $0, as in the windows); null when none was known. */
  costUsd: number | null;
  /** costUsd per million tokens billed (input and output of the priced requests); null when none was priced. */
  costPer1MTokensUsd: number | null;
  /**
   * The same per million tokens relaymon counted (what was delivered), over
   * the priced requests it counted in full; above costPer1MTokensUsd when the
   * relay bills more tokens than it delivers.
   */
  costPer1MCountedTokensUsd: number | null;
  honesty: CompareHonesty;
}

export interface CompareHonesty
  extends Pick<
    HonestyWindow,
    'usageCompared' | 'usageMismatches' | 'fingerprintChanges' | 'streams' | 'streamsWithoutUsage' | 'streamsOutOfOrder' | 'streamsUnterminated' | 'streamsUsageDecreased'
  > {
  /** (billed − counted) / counted over the reconciled responses; 0.38 is "+38% billed". */
  usageGapRatio: number | null;
  /**
   * billed / counted per direction (1 = honest) over the responses counted
   * exactly, what `cost --mix` projects with; null without such responses
   * (an estimate's ratio mixes inflation with the tokenizer's difference).
   */
  usageRatio: { input: number | null; output: number | null };
  modelMismatches: number;
  namedModels: number;
}

export interface CompareReport {
  alpha: number;
  minEffect: number;
  confidence: number;
  seed: number;
  /** The first named target is `a`, the second `b`; differences are a − b. */
  targets: [CompareTarget, CompareTarget];
  metrics: MetricComparison[];
  errors: ErrorComparison;
}

export interface TargetRef {
  name: string;
  baseUrl: string;
  protocol: Protocol;
}

/**
 * Timings come from successful requests only: a refused connection is fast
 * and says nothing about the relay's speed; failures are compared as error
 * rates. Requests relaymon cancelled itself count nowhere.
 */
export function compareResults(
  a: TargetRef,
  b: TargetRef,
  results: readonly RequestResult[],
  opts: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): CompareReport {
  const mine = (t: TargetRef) => results.filter((r) => r.target === t.name && r.errorType !== 'cancelled');
  const ra = mine(a);
  const rb = mine(b);
  const rng = mulberry32(opts.seed);
  const metrics = COMPARE_METRICS.map((m) => compareMetric(m.metric, m.unit, values(ra, m.field), values(rb, m.field), opts, rng));
  return {
    alpha: opts.alpha,
    minEffect: opts.minEffect,
    confidence: opts.confidence,
    seed: opts.seed,
    targets: [targetSummary(a, ra), targetSummary(b, rb)],
    metrics,
    errors: compareErrors(ra, rb, opts.alpha),
  };
}

function values(rs: readonly RequestResult[], field: (r: RequestResult) => number | null): number[] {
  const out: number[] = [];
  for (const r of rs) {
    if (!r.ok) continue;
    const v = field(r);
    if (v !== null && Number.isFinite(v)) out.push(v);
  }
  return out;
}

function summary(xs: readonly number[]): SampleSummary {
  return { n: xs.length, p50: median(xs), p95: percentile(xs, 0.95) };
}

export function compareMetric(
  metric: CompareMetric,
  unit: 'ms' | 'tokens/s',
  xa: readonly number[],
  xb: readonly number[],
  opts: CompareOptions,
  rng: () => number,
): MetricComparison {
  const sa = summary(xa);
  const sb = summary(xb);
  const diff = sa.p50 !== null && sb.p50 !== null ? sa.p50 - sb.p50 : null;
  const ci = bootstrapMedianDifference(xa, xb, rng, { confidence: opts.confidence });
  const test = mannWhitney(xa, xb);
  const material = diff !== null && sb.p50 !== null && Math.abs(diff) >= opts.minEffect * Math.abs(sb.p50);
  return {
    metric,
    unit,
    a: sa,
    b: sb,
    difference: { median: diff, low: ci?.low ?? null, high: ci?.high ?? null },
    pValue: test?.pValue ?? null,
    significant: test !== null && test.pValue < opts.alpha && material,
  };
}

function compareErrors(ra: readonly RequestResult[], rb: readonly RequestResult[], alpha: number): ErrorComparison {
  const side = (rs: readonly RequestResult[]) => {
    const errors = rs.filter((r) => !r.ok).length;
    return { requests: rs.length, errors, rate: rs.length === 0 ? null : errors / rs.length };
  };
  const a = side(ra);
  const b = side(rb);
  const p = a.requests > 0 && b.requests > 0 ? fisherExact(a.errors, a.requests, b.errors, b.requests) : null;
  return {
    a,
    b,
    difference: a.rate !== null && b.rate !== null ? a.rate - b.rate : null,
    pValue: p,
    significant: p !== null && p < alpha,
  };
}

function targetSummary(t: TargetRef, rs: readonly RequestResult[]): CompareTarget {
  let inputTokens = 0;
  let outputTokens = 0;
  let cost: number | null = null;
  let pricedTokens = 0;
  let countedCost = 0;
  let countedTokens = 0;
  let modelMismatches = 0;
  let namedModels = 0;
  for (const r of rs) {
    inputTokens += r.inputTokens ?? 0;
    outputTokens += r.outputTokens ?? 0;
    // Totals count like the windows do (billedCost: a failure nothing was billed for adds $0).
    const billed = billedCost(r);
    if (billed !== null) cost = (cost ?? 0) + billed;
    if (r.costUsd !== null) {
      pricedTokens += (r.inputTokens ?? 0) + (r.outputTokens ?? 0);
      if (r.localInputTokens !== null && r.localOutputTokens !== null) {
        countedCost += r.costUsd;
        countedTokens += r.localInputTokens + r.localOutputTokens;
      }
    }
    if (r.responseModel !== null) {
      namedModels++;
      if (r.modelMismatch) modelMismatches++;
    }
  }
  const h = honestyOfResults(rs);
  return {
    name: t.name,
    baseUrl: t.baseUrl,
    protocol: t.protocol,
    requests: rs.length,
    errors: rs.filter((r) => !r.ok).length,
    errorTypes: countErrorTypes(rs),
    inputTokens,
    outputTokens,
    costUsd: cost,
    costPer1MTokensUsd: cost !== null && pricedTokens > 0 ? (cost / pricedTokens) * 1e6 : null,
    costPer1MCountedTokensUsd: countedTokens > 0 ? (countedCost / countedTokens) * 1e6 : null,
    honesty: {
      usageCompared: h.usageCompared,
      usageMismatches: h.usageMismatches,
      usageGapRatio: h.usageGap.ratio,
      usageRatio: usageRatio(rs),
      modelMismatches,
      namedModels,
      fingerprintChanges: h.fingerprintChanges,
      streams: h.streams,
      streamsWithoutUsage: h.streamsWithoutUsage,
      streamsOutOfOrder: h.streamsOutOfOrder,
      streamsUnterminated: h.streamsUnterminated,
      streamsUsageDecreased: h.streamsUsageDecreased,
    },
  };
}

function countErrorTypes(rs: readonly RequestResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) if (!r.ok) out[r.errorType ?? 'unknown'] = (out[r.errorType ?? 'unknown'] ?? 0) + 1;
  return out;
}

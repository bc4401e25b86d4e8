/**
 * Threshold answers from a window's buckets, with the semantics of
 * queryFromResults (query.ts), which answers the same questions exactly from
 * raw results.
 */
import { percentilesOf } from './histogram-quantiles.js';
import type { Aggregation, MetricName } from './thresholds.js';
import { type Bucket, D_ITL, D_LATENCY, D_LATENCY_SCHEDULED, D_TPS, D_TTFB, D_TTFT, D_TTFT_CONTENT } from './windows-bucket.js';
import { exactOf, histsOf, toUnit } from './windows-exact.js';
import { H_USAGE_COMPARED, H_USAGE_MISMATCHES } from './windows-honesty.js';

const pctOut = new Float64Array(1);

const TIME_DISTS: Partial<Record<MetricName, number>> = {
  latency: D_LATENCY,
  latency_scheduled: D_LATENCY_SCHEDULED,
  ttfb: D_TTFB,
  ttft: D_TTFT,
  ttft_content: D_TTFT_CONTENT,
  itl: D_ITL,
  tokens_per_s: D_TPS,
};

function sumOf(parts: readonly Bucket[], f: (b: Bucket) => number): number {
  let n = 0;
  for (const p of parts) n += f(p);
  return n;
}

function counter(hits: number, total: number, a: Aggregation): number | null {
  if (total === 0) return null;
  if (a.kind === 'count') return hits;
  if (a.kind === 'rate') return hits / total;
  return null;
}

/** One threshold answer, with the semantics of queryFromResults (query.ts). */
export function metricOf(parts: readonly Bucket[], windowMs: number, metric: MetricName, a: Aggregation): number | null {
  const dist = TIME_DISTS[metric];
  if (dist !== undefined) {
    const e = exactOf(parts, dist);
    if (e.count === 0) return null;
    switch (a.kind) {
      case 'avg':
        return e.sum / e.count;
      case 'min':
        return e.min;
      case 'max':
        return e.max;
      case 'med':
      case 'p':
        percentilesOf(histsOf(parts, dist), [a.kind === 'p' ? a.p : 50], pctOut);
        return toUnit(pctOut[0]!, e);
      default:
        return null;
    }
  }
  const requests = sumOf(parts, (b) => b.requests);
  switch (metric) {
    case 'errors':
      return counter(
        sumOf(parts, (b) => b.errors),
        requests,
        a,
      );
    case 'model_mismatch': {
      if (requests === 0) return null;
      const mismatches = sumOf(parts, (b) => b.modelMismatches);
      if (a.kind === 'count') return mismatches;
      return counter(
        mismatches,
        sumOf(parts, (b) => b.namedModels),
        a,
      );
    }
    case 'usage_mismatch':
      // Nothing reconciled (no usage reported) is no data, as in query.ts.
      return counter(
        sumOf(parts, (b) => b.honesty[H_USAGE_MISMATCHES]!),
        sumOf(parts, (b) => b.honesty[H_USAGE_COMPARED]!),
        a,
      );
    case 'requests':
      if (a.kind === 'count') return requests;
      if (a.kind === 'rate') return requests === 0 ? 0 : windowMs > 0 ? (requests * 1000) / windowMs : null;
      return null;
    case 'cost':
    case 'cost_per_hour': {
      if (metric === 'cost' ? a.kind !== 'sum' : a.kind !== 'value' || windowMs <= 0) return null;
      const cost = sumOf(parts, (b) => (b.priced > 0 ? b.costSum : 0));
      if (sumOf(parts, (b) => b.priced) === 0) return null;
      return metric === 'cost' ? cost : cost / (windowMs / 3_600_000);
    }
    default:
      return null;
  }
}

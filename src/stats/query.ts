/**
 * Answers threshold queries exactly from the raw results of a finished run
 * (probe, check, replay). Live windows answer the same MetricQuery from
 * histograms instead.
 */
import type { RequestResult } from '../core/result.js';
import { finishedResults, mean, quantile, sortedValues, sumCosts, timedResults } from './summary.js';
import type { Aggregation, MetricName, MetricQuery, TagFilter, TimeMetric } from './thresholds.js';
import { sameModel } from '../pricing/aliases.js';

const TIME_FIELDS: Record<TimeMetric | 'tokens_per_s', (r: RequestResult) => number | null> = {
  latency: (r) => r.latencyMs,
  latency_scheduled: (r) => r.latencyScheduledMs,
  ttfb: (r) => r.ttfbMs,
  ttft: (r) => r.ttftMs,
  ttft_content: (r) => r.ttftContentMs,
  itl: (r) => r.itlMs,
  tokens_per_s: (r) => r.outputTokensPerSecond,
};

/**
 * `model` is matched against the requested model through the alias
 * normaliser, so `{model:gpt-4o}` also selects requests sent as `openai/gpt-4o`.
 */
export function matchesTags(r: RequestResult, tags: TagFilter): boolean {
  if (tags.target !== undefined && r.target !== tags.target) return false;
  if (tags.model !== undefined && !sameModel(r.model, tags.model)) return false;
  if (tags.probe !== undefined && r.probe !== tags.probe) return false;
  return true;
}

export function timeAggregate(sorted: readonly number[], aggregation: Aggregation): number | null {
  if (sorted.length === 0) return null;
  switch (aggregation.kind) {
    case 'avg':
      return mean(sorted);
    case 'min':
      return sorted[0] ?? null;
    case 'max':
      return sorted[sorted.length - 1] ?? null;
    case 'med':
      return quantile(sorted, 0.5);
    case 'p':
      return quantile(sorted, aggregation.p / 100);
    default:
      return null;
  }
}

function counter(hits: number, total: number, aggregation: Aggregation): number | null {
  if (total === 0) return null;
  if (aggregation.kind === 'count') return hits;
  if (aggregation.kind === 'rate') return hits / total;
  return null;
}

export function queryFromResults(results: readonly RequestResult[], durationMs: number): MetricQuery {
  const seconds = durationMs / 1000;
  const hours = durationMs / 3_600_000;
  return (metric: MetricName, aggregation: Aggregation, tags: TagFilter): number | null => {
    // Money counts every request; the counters leave out the unfinished (summary.ts isUnfinished).
    const all = results.filter((r) => matchesTags(r, tags));
    const rs = finishedResults(all);
    switch (metric) {
      case 'latency':
      case 'latency_scheduled':
      case 'ttfb':
      case 'ttft':
      case 'ttft_content':
      case 'itl':
      case 'tokens_per_s': {
        const field = TIME_FIELDS[metric];
        return timeAggregate(sortedValues(timedResults(rs).map(field)), aggregation);
      }
      case 'errors':
        return counter(rs.filter((r) => !r.ok).length, rs.length, aggregation);
      case 'model_mismatch': {
        // Only responses that named a model can be a mismatch; a refused
        // connection says nothing about which model serves the traffic.
        const named = rs.filter((r) => r.responseModel !== null);
        if (rs.length === 0) return null;
        if (aggregation.kind === 'count') return named.filter((r) => r.modelMismatch).length;
        return counter(named.filter((r) => r.modelMismatch).length, named.length, aggregation);
      }
      case 'usage_mismatch': {
        // Only responses whose usage was reconciled can be a mismatch. A relay
        // that reports no usage at all gives no data, so a threshold on it
        // fails rather than passing a bill nobody could check.
        const compared = rs.filter((r) => r.usageGapTokens !== null);
        return counter(compared.filter((r) => r.usageMismatch).length, compared.length, aggregation);
      }
      case 'requests':
        if (aggregation.kind === 'count') return rs.length;
        if (aggregation.kind === 'rate') {
          if (rs.length === 0) return 0;
          return seconds > 0 ? rs.length / seconds : null;
        }
        return null;
      case 'cost': {
        if (aggregation.kind !== 'sum') return null;
        return sumCosts(all).sum;
      }
      case 'cost_per_hour': {
        if (aggregation.kind !== 'value' || hours <= 0) return null;
        const sum = sumCosts(all).sum;
        return sum === null ? null : sum / hours;
      }
    }
  };
}

/**
 * One answer to "metric × aggregation" from any accumulator: the exact one
 * over raw results (src/stats/summary.ts) or the live windows' sparse-HDR
 * buckets (src/stats/bucket.ts). The kind's sink (kinds.ts) does the
 * arithmetic; the accumulator only hands it the numbers it reads.
 */
import { SUMS, type CounterEntry, type MetricEntry, type RatioEntry, type SumEntry, type TrendEntry } from './catalog.js';
import { counterValue, gaugeValue, ratioValue, sumValue, trendValue, type Aggregation, type RatioSource, type SumSource, type TrendSource } from './kinds.js';

export interface Accumulator {
  trend(e: TrendEntry): TrendSource;
  ratio(e: RatioEntry): RatioSource;
  /** The counter's total. */
  counter(e: CounterEntry): number;
  sum(e: SumEntry): SumSource;
}

function sumEntry(name: string): SumEntry {
  const e = SUMS.find((s) => s.name === name);
  if (!e) throw new Error(`gauge of an unknown sum "${name}"`);
  return e;
}

/** The answer in the metric's unit; null = no data. `spanMs`: the time the data covers (rates, gauges). */
export function metricValue(e: MetricEntry, a: Aggregation, spanMs: number, acc: Accumulator): number | null {
  switch (e.kind) {
    case 'trend':
      return trendValue(acc.trend(e), a);
    case 'ratio':
      return ratioValue(acc.ratio(e), a, e.countOver);
    case 'counter':
      return counterValue(acc.counter(e), a, spanMs);
    case 'sum':
      return sumValue(acc.sum(e), a);
    case 'gauge':
      return gaugeValue(acc.sum(sumEntry(e.of)), a, spanMs, e.perMs);
  }
}

/**
 * The vocabulary of threshold expressions (README.md
 * "Thresholds"): k6's grammar on relaymon's metric names. Parsing lives in
 * thresholds-parse.ts, evaluation in thresholds.ts.
 */

export const TIME_METRICS = ['latency', 'latency_scheduled', 'ttfb', 'ttft', 'ttft_content', 'itl'] as const;
export type TimeMetric = (typeof TIME_METRICS)[number];

export const METRIC_NAMES = [
  ...TIME_METRICS,
  'tokens_per_s',
  'errors',
  'usage_mismatch',
  'model_mismatch',
  'requests',
  'cost',
  'cost_per_hour',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type AggregationKind = 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' | 'sum' | 'value';
export const AGGREGATION_KINDS: readonly AggregationKind[] = [
  'avg',
  'min',
  'max',
  'med',
  'rate',
  'count',
  'sum',
  'value',
];

/** `p` carries the percentile in (0, 100], as written: p(99.9) → 99.9. */
export type Aggregation = { kind: AggregationKind } | { kind: 'p'; p: number };

export const TAG_KEYS = ['target', 'model', 'probe'] as const;
export type TagKey = (typeof TAG_KEYS)[number];
export type TagFilter = { target?: string; model?: string; probe?: string };

export const OPERATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Threshold {
  /** CLI form without insignificant whitespace, units as the user wrote them: "ttft:p(95)<800". */
  expression: string;
  metric: MetricName;
  tags: TagFilter;
  aggregation: Aggregation;
  op: Operator;
  /** In the metric's unit (see valueUnit): ms, fraction, per second, USD, count. */
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** Added by relaymon, not written by the user (thresholds-implied.ts). */
  implied?: boolean;
}

/** 'p' stands for p(N). */
export type AggregationName = AggregationKind | 'p';

const TIME_AGGREGATIONS: readonly AggregationName[] = ['avg', 'min', 'max', 'med', 'p'];
const COUNTER_AGGREGATIONS: readonly AggregationName[] = ['rate', 'count'];

export const VALID_AGGREGATIONS: Record<MetricName, readonly AggregationName[]> = {
  latency: TIME_AGGREGATIONS,
  latency_scheduled: TIME_AGGREGATIONS,
  ttfb: TIME_AGGREGATIONS,
  ttft: TIME_AGGREGATIONS,
  ttft_content: TIME_AGGREGATIONS,
  itl: TIME_AGGREGATIONS,
  tokens_per_s: TIME_AGGREGATIONS,
  errors: COUNTER_AGGREGATIONS,
  usage_mismatch: COUNTER_AGGREGATIONS,
  model_mismatch: COUNTER_AGGREGATIONS,
  requests: ['count', 'rate'],
  cost: ['sum'],
  cost_per_hour: ['value'],
};

/** How aggregations are listed in messages: "avg, min, max, med, p(N)". */
export function describeAggregations(metric: MetricName): string {
  return VALID_AGGREGATIONS[metric].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
}

export function isMetricName(s: string): s is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(s);
}

export function isTimeMetric(m: MetricName): m is TimeMetric {
  return (TIME_METRICS as readonly string[]).includes(m);
}

/**
 * The unit a threshold value and a query answer are in, for a valid
 * metric × aggregation pair.
 */
export type ValueUnit = 'ms' | 'tokens_per_second' | 'fraction' | 'count' | 'per_second' | 'usd' | 'usd_per_hour';

export function valueUnit(metric: MetricName, aggregation: Aggregation): ValueUnit {
  if (isTimeMetric(metric)) return 'ms';
  switch (metric) {
    case 'tokens_per_s':
      return 'tokens_per_second';
    case 'errors':
    case 'usage_mismatch':
    case 'model_mismatch':
      return aggregation.kind === 'rate' ? 'fraction' : 'count';
    case 'requests':
      return aggregation.kind === 'rate' ? 'per_second' : 'count';
    case 'cost':
      return 'usd';
    case 'cost_per_hour':
      return 'usd_per_hour';
  }
}

export function formatAggregation(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

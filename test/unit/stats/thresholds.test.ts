import { describe, expect, it } from 'vitest';
import {
  METRIC_NAMES,
  OPERATORS,
  ThresholdParseError,
  VALID_AGGREGATIONS,
  describeThresholdResult,
  evaluateThresholds,
  parseThreshold,
  type Aggregation,
  type MetricName,
  type MetricQuery,
  type Operator,
  type TagFilter,
} from '../../../src/stats/thresholds.js';

/** What the fixed query answers, per metric, in the metric's unit; distinct per aggregation below. */
const BASE: Record<MetricName, number> = {
  latency: 400,
  latency_scheduled: 500,
  ttfb: 60,
  ttft: 300,
  ttft_content: 320,
  itl: 20,
  tokens_per_s: 50,
  errors: 0.5,
  usage_mismatch: 0.25,
  model_mismatch: 0.125,
  requests: 3,
  cached_input_tokens: 7,
  usage_missing: 9,
  cost: 2,
  cost_per_hour: 4,
};

const AGG_OFFSET: Record<string, number> = {
  avg: 1,
  min: 2,
  max: 3,
  med: 4,
  'p(95)': 5,
  'p(99.9)': 6,
  rate: 0,
  count: 7,
  sum: 0,
  value: 0,
};

function aggText(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

/** The value the fixed query returns for metric × aggregation. */
function expected(metric: MetricName, agg: string): number {
  const offset = AGG_OFFSET[agg];
  if (offset === undefined) throw new Error(`no offset for ${agg}`);
  return BASE[metric] + offset;
}

const calls: { metric: MetricName; agg: string; tags: TagFilter }[] = [];
const fixedQuery: MetricQuery = (metric, aggregation, tags) => {
  calls.push({ metric, agg: aggText(aggregation), tags });
  return expected(metric, aggText(aggregation));
};

/** ok by operator when the limit is below, equal to, or above the observed value. */
const TRUTH: Record<Operator, [below: boolean, equal: boolean, above: boolean]> = {
  '<': [false, false, true],
  '<=': [false, true, true],
  '>': [true, false, false],
  '>=': [true, true, false],
  '==': [false, true, false],
  '!=': [true, false, true],
};

function aggregationsOf(metric: MetricName): string[] {
  return VALID_AGGREGATIONS[metric].flatMap((a) => (a === 'p' ? ['p(95)', 'p(99.9)'] : [a]));
}

const table: { metric: MetricName; agg: string; op: Operator; delta: number; tagged: boolean; ok: boolean }[] = [];
for (const metric of METRIC_NAMES) {
  for (const agg of aggregationsOf(metric)) {
    for (const op of OPERATORS) {
      [-0.0625, 0, 0.0625].forEach((delta, i) => {
        table.push({ metric, agg, op, delta, tagged: i === 1, ok: TRUTH[op][i]! });
      });
    }
  }
}

describe('every valid metric × aggregation × operator', () => {
  it('covers all 15 metrics and every pair', () => {
    expect(new Set(table.map((r) => r.metric)).size).toBe(15);
    // 7 time-like metrics × 5 (p twice) + 3 ratios × 2 + 3 counters (requests, cached_input_tokens, usage_missing) × 2 + cost + cost_per_hour, each × 6 ops × 3.
    expect(table).toHaveLength((7 * 6 + 3 * 2 + 3 * 2 + 1 + 1) * 6 * 3);
  });

  it.each(table)('$metric:$agg $op (limit $delta from observed) → ok=$ok', ({ metric, agg, op, delta, tagged, ok }) => {
    const observed = expected(metric, agg);
    // Written as a bare number: the metric's own unit (ms, fraction, per second, USD, count).
    const limit = observed + delta;
    const tags = tagged ? '{target:relay,probe:chat-small}' : '';
    const text = `${metric}${tags}:${agg}${op}${limit}`;
    const t = parseThreshold(text);
    expect(t.value).toBe(limit);
    calls.length = 0;
    const [r] = evaluateThresholds([t], fixedQuery);
    expect(r).toEqual({ expression: text, ok, value: observed });
    expect(calls).toEqual([{ metric, agg, tags: tagged ? { target: 'relay', probe: 'chat-small' } : {} }]);
  });
});

describe('invalid metric × aggregation pairs', () => {
  const all = ['avg', 'min', 'max', 'med', 'p(95)', 'rate', 'count', 'sum', 'value'];
  const invalid = METRIC_NAMES.flatMap((metric) =>
    all
      .filter((a) => !(VALID_AGGREGATIONS[metric] as readonly string[]).includes(a.startsWith('p(') ? 'p' : a))
      .map((agg) => ({ metric, agg })),
  );

  it('there are invalid pairs for every metric', () => {
    expect(new Set(invalid.map((p) => p.metric)).size).toBe(15);
    expect(invalid).toHaveLength(9 * 15 - (7 * 5 + 3 * 2 + 3 * 2 + 1 + 1));
  });

  it.each(invalid)('$metric:$agg is an error', ({ metric, agg }) => {
    const text = `${metric}:${agg}<1`;
    let err: unknown;
    try {
      parseThreshold(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ThresholdParseError);
    const e = err as ThresholdParseError;
    const valid = VALID_AGGREGATIONS[metric].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
    expect(e.reason).toBe(`aggregation ${agg} is not valid for ${metric} (valid: ${valid})`);
    expect(e.column).toBe(metric.length + 1);
  });
});

describe('evaluateThresholds', () => {
  it('a threshold with no data fails with value null', () => {
    const ts = [parseThreshold('ttft:p(95)<800'), parseThreshold('errors:rate<0.01')];
    expect(evaluateThresholds(ts, () => null)).toEqual([
      { expression: 'ttft:p(95)<800', ok: false, value: null },
      { expression: 'errors:rate<0.01', ok: false, value: null },
    ]);
  });

  it('NaN counts as no data, even for != which NaN would satisfy', () => {
    expect(evaluateThresholds([parseThreshold('errors:rate!=0')], () => Number.NaN)).toEqual([
      { expression: 'errors:rate!=0', ok: false, value: null },
    ]);
  });

  it('compares against the converted value', () => {
    const q: MetricQuery = () => 1400;
    expect(evaluateThresholds([parseThreshold('ttft:avg<1.5s'), parseThreshold('ttft:avg<1s')], q).map((r) => r.ok)).toEqual([
      true,
      false,
    ]);
    const rate: MetricQuery = () => 0.015;
    expect(evaluateThresholds([parseThreshold('errors:rate<2%'), parseThreshold('errors:rate<1%')], rate).map((r) => r.ok)).toEqual([
      true,
      false,
    ]);
  });

  it('an empty list gives no results', () => {
    expect(evaluateThresholds([], () => 1)).toEqual([]);
  });
});

describe('describeThresholdResult', () => {
  const cases: [string, boolean, number | null, string][] = [
    ['ttft:p(95)<800', true, 412.3, '✓ ttft:p(95)<800  value=412.3ms'],
    ['ttft:p(95)<800', false, 1203, '✗ ttft:p(95)<800  value=1203ms'],
    ['ttft:p(95)<800', false, 1203.04, '✗ ttft:p(95)<800  value=1203ms'],
    ['ttft:p(95)<800', false, null, '✗ ttft:p(95)<800  no data'],
    ['errors:rate<0.01', false, 0.0125, '✗ errors:rate<0.01  value=1.25%'],
    ['errors:rate<1%', true, 0.07 / 10, '✓ errors:rate<1%  value=0.7%'],
    ['errors:count<3', false, 4, '✗ errors:count<3  value=4'],
    ['requests:rate>1', true, 2.5, '✓ requests:rate>1  value=2.5/s'],
    ['tokens_per_s:avg>40', true, 52.24, '✓ tokens_per_s:avg>40  value=52.2/s'],
    ['cost:sum<0.50', true, 0.1234, '✓ cost:sum<0.50  value=$0.123'],
    ['cost:sum<20', true, 12.5, '✓ cost:sum<20  value=$12.50'],
    ['cost_per_hour:value<2', true, 1.5, '✓ cost_per_hour:value<2  value=$1.50/h'],
  ];
  it.each(cases)('%s ok=%s value=%s', (expression, ok, value, line) => {
    expect(describeThresholdResult({ expression, ok, value })).toBe(line);
  });
});

/**
 * Evaluating thresholds against whatever can answer a metric query (a set of
 * results, a rolling window). A threshold with no data fails: in CI a silent
 * pass is worse than a loud failure (README.md "Exit codes").
 *
 * The error-rate guard: timing thresholds are over successful requests only
 * (summary.ts), so a relay failing fast could pass every one of them. Unless
 * the user wrote an `errors` threshold of their own, `errors:rate<0.05` is
 * implied, marked `implied: true` in the results and printed as implied;
 * `--no-default-thresholds` turns it off.
 */
import type { MetricName } from '../metrics/catalog.js';
import type { Aggregation, ValueUnit } from '../metrics/kinds.js';
import { formatValue } from '../metrics/units.js';
import { parseThreshold, type Operator, type TagFilter, type Threshold } from './thresholds-parse.js';
import { valueUnit } from '../metrics/catalog.js';

export { METRIC_NAMES, VALID_AGGREGATIONS, describeAggregations, isMetricName, valueUnit, type MetricName } from '../metrics/catalog.js';
export { AGGREGATION_KINDS, formatAggregation, type Aggregation, type AggregationKind, type AggregationName, type ValueUnit } from '../metrics/kinds.js';
export { formatValue } from '../metrics/units.js';
export {
  checkThresholdTargets,
  OPERATORS,
  parseThreshold,
  parseThresholdMap,
  TAG_KEYS,
  ThresholdParseError,
  type Operator,
  type TagFilter,
  type TagKey,
  type Threshold,
} from './thresholds-parse.js';

import { IMPLIED_ERRORS_THRESHOLD } from './implied.js';

export { IMPLIED_ERRORS_THRESHOLD };

/** The user's thresholds, plus the implied guard when they have no `errors` threshold and `enabled`. */
export function withImpliedThresholds(user: readonly Threshold[], enabled: boolean): Threshold[] {
  if (!enabled || user.some((t) => t.metric === 'errors')) return [...user];
  return [...user, { ...parseThreshold(IMPLIED_ERRORS_THRESHOLD), implied: true }];
}

/** The expressions of the implied thresholds, for the text and JUnit outputs that mark them. */
export function impliedExpressions(thresholds: readonly Threshold[]): string[] {
  return thresholds.filter((t) => t.implied === true).map((t) => t.expression);
}

/** Answers one metric × aggregation over the data matching `tags`, in the metric's unit; null = no data. */
export type MetricQuery = (metric: MetricName, aggregation: Aggregation, tags: TagFilter) => number | null;

export interface ThresholdResult {
  expression: string;
  ok: boolean;
  /** In the metric's unit (ms, fraction, per second, USD, count); null when there was no data. */
  value: number | null;
  /** Present (true) on a threshold relaymon added itself (withImpliedThresholds). */
  implied?: true;
}

export function compare(observed: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

export function evaluateThreshold(t: Threshold, query: MetricQuery): ThresholdResult {
  const raw = query(t.metric, t.aggregation, t.tags);
  // NaN is what 0/0 looks like; it is no data, not a value that happens to fail.
  const value = raw === null || Number.isNaN(raw) ? null : raw;
  const result: ThresholdResult = { expression: t.expression, ok: value !== null && compare(value, t.op, t.value), value };
  if (t.implied) result.implied = true;
  return result;
}

export function evaluateThresholds(thresholds: Threshold[], query: MetricQuery): ThresholdResult[] {
  return thresholds.map((t) => evaluateThreshold(t, query));
}

function unitOf(expression: string): ValueUnit | null {
  try {
    const t = parseThreshold(expression);
    return valueUnit(t.metric, t.aggregation);
  } catch {
    return null;
  }
}

/** One line, k6 style: `✓ ttft:p(95)<800  value=412.3ms`, `✗ errors:rate<0.01  no data`. */
export function describeThresholdResult(r: ThresholdResult): string {
  const mark = r.ok ? '✓' : '✗';
  const expr = r.implied ? `${r.expression} (implied)` : r.expression;
  if (r.value === null) return `${mark} ${expr}  no data`;
  // The expression is canonical CLI form, so it always re-parses; the fallback only guards hand-made results.
  const unit = unitOf(r.expression);
  const shown = unit ? formatValue(r.value, unit) : String(r.value);
  return `${mark} ${expr}  value=${shown}`;
}

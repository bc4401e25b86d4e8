/**
 * Evaluating thresholds against whatever can answer a metric query (a set of
 * results, a rolling window). A threshold with no data fails: in CI a silent
 * pass is worse than a loud failure (README.md "Exit codes").
 */
import { parseThreshold } from './thresholds-parse.js';
import {
  valueUnit,
  type Aggregation,
  type MetricName,
  type Operator,
  type TagFilter,
  type Threshold,
  type ValueUnit,
} from './thresholds-types.js';

export * from './thresholds-types.js';
export { parseThreshold, parseThresholdMap, ThresholdParseError } from './thresholds-parse.js';
export { IMPLIED_ERRORS_THRESHOLD, impliedExpressions, withImpliedThresholds } from './thresholds-implied.js';

/** Answers one metric × aggregation over the data matching `tags`, in the metric's unit; null = no data. */
export type MetricQuery = (metric: MetricName, aggregation: Aggregation, tags: TagFilter) => number | null;

export interface ThresholdResult {
  expression: string;
  ok: boolean;
  /** In the metric's unit (ms, fraction, per second, USD, count); null when there was no data. */
  value: number | null;
  /** Present (true) on a threshold relaymon added itself (thresholds-implied.ts). */
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

function trimmed(v: number, decimals: number): string {
  return String(Number(v.toFixed(decimals)));
}

function usd(v: number): string {
  return Math.abs(v) >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(3)));
}

/** A value in `unit`, the way people read it: 412.3ms, 1.25%, 4.5/s, $0.0123, $1.20/h. */
export function formatValue(v: number, unit: ValueUnit): string {
  switch (unit) {
    case 'ms':
      return `${trimmed(v, 1)}ms`;
    case 'tokens_per_second':
      return `${trimmed(v, 1)}/s`;
    case 'fraction':
      return `${trimmed(v * 100, 2)}%`;
    case 'count':
      return trimmed(v, 2);
    case 'per_second':
      return `${trimmed(v, 2)}/s`;
    case 'usd':
      return `$${usd(v)}`;
    case 'usd_per_hour':
      return `$${usd(v)}/h`;
  }
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

/**
 * The vocabulary and parser of threshold expressions (README.md
 * "Thresholds"), k6 style: `metric[{tags}]:aggregation op value`, e.g.
 * `ttft:p(95)<800`, `latency{target:relay}:p(99)<2s`, `errors:rate<1%`.
 * A tiny hand-rolled scanner rather than a regex, so that every error can point
 * at the exact character that is wrong.
 */
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import { describeAggregations, isMetricName, METRIC_NAMES, VALID_AGGREGATIONS, valueUnit, type MetricName } from '../metrics/catalog.js';
import { AGGREGATION_KINDS, formatAggregation, type Aggregation, type AggregationKind, type ValueUnit } from '../metrics/kinds.js';
import { readValue } from '../metrics/units.js';

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
  /** Added by relaymon, not written by the user (thresholds.ts withImpliedThresholds). */
  implied?: boolean;
}

export class ThresholdParseError extends UsageError {
  /** The text that was parsed (an expression, or a config key or expression). */
  readonly input: string;
  /** 0-based index into `input` of the offending character. */
  readonly column: number;
  readonly reason: string;
  constructor(reason: string, input: string, column: number, context?: string) {
    // Newlines and tabs would break the caret's alignment; show them as spaces.
    const shown = input.replace(/\s/g, ' ');
    const where = context ? ` (${context})` : '';
    super(`invalid threshold${where}: ${reason}\n  ${shown}\n  ${' '.repeat(column)}^`);
    this.name = 'ThresholdParseError';
    this.input = input;
    this.column = column;
    this.reason = reason;
  }
}

const OPERATOR_LIST = OPERATORS.join(', ');

/** Scanner over one string; `fail` raises a ThresholdParseError at a position. */
export class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    private readonly context: string | undefined,
  ) {}

  fail(reason: string, at: number = this.pos): never {
    throw new ThresholdParseError(reason, this.text, at, this.context);
  }

  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.text.length;
  }

  /** Consumes `s` (after whitespace) when it comes next. */
  take(s: string): boolean {
    this.skipWs();
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  /** An identifier `[A-Za-z_][A-Za-z0-9_]*`, or null when none starts here. */
  ident(): { text: string; at: number } | null {
    return this.match(/[A-Za-z_][A-Za-z0-9_]*/y);
  }

  /** An unsigned decimal: 800, 1.5, .5 */
  number(): { text: string; at: number } | null {
    return this.match(/\d+(?:\.\d+)?|\.\d+/y);
  }

  match(re: RegExp): { text: string; at: number } | null {
    this.skipWs();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m || m[0].length === 0) return null;
    const at = this.pos;
    this.pos += m[0].length;
    return { text: m[0], at };
  }
}

interface ParsedKey {
  metric: MetricName;
  tags: TagFilter;
  canonical: string;
}

function parseKey(c: Cursor): ParsedKey {
  const name = c.ident();
  if (!name) c.fail(`expected a metric name (${METRIC_NAMES.join(', ')})`);
  if (!isMetricName(name.text)) c.fail(`unknown metric "${name.text}" (valid: ${METRIC_NAMES.join(', ')})`, name.at);
  const metric = name.text;
  const tags: TagFilter = {};
  let canonical: string = metric;
  if (c.take('{')) {
    const parts: string[] = [];
    for (;;) {
      const key = c.ident();
      if (!key) c.fail(`expected a tag key (${TAG_KEYS.join(', ')})`);
      if (!(TAG_KEYS as readonly string[]).includes(key.text)) {
        c.fail(`unknown tag "${key.text}" (valid: ${TAG_KEYS.join(', ')})`, key.at);
      }
      const tagKey = key.text as TagKey;
      if (tags[tagKey] !== undefined) c.fail(`tag "${tagKey}" is given twice`, key.at);
      if (!c.take(':')) c.fail(`expected : after the tag "${tagKey}"`);
      const { value, raw } = readTagValue(c);
      tags[tagKey] = value;
      parts.push(`${tagKey}:${raw}`);
      if (c.take('}')) break;
      if (!c.take(',')) c.fail('expected , or } in the tag list');
    }
    canonical += `{${parts.join(',')}}`;
  }
  return { metric, tags, canonical };
}

/** `"quoted, with \" escapes"` or a bare value running up to `,` or `}` (model names may contain `:` and `/`). */
function readTagValue(c: Cursor): { value: string; raw: string } {
  c.skipWs();
  const start = c.pos;
  const text = c.text;
  if (text[start] === '"') {
    let value = '';
    let i = start + 1;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    if (i >= text.length) c.fail('unclosed quote in tag value', start);
    c.pos = i + 1;
    if (value.length === 0) c.fail('expected a tag value', start);
    return { value, raw: text.slice(start, c.pos) };
  }
  let end = start;
  while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
  const value = text.slice(start, end).trim();
  if (value.length === 0) c.fail('expected a tag value', start);
  c.pos = start + text.slice(start, end).trimEnd().length;
  return { value, raw: value };
}

interface ParsedExpr {
  aggregation: Aggregation;
  op: Operator;
  value: number;
  canonical: string;
}

function parseAggregation(c: Cursor, metric: MetricName): { aggregation: Aggregation; canonical: string } {
  const valid = describeAggregations(metric);
  const name = c.ident();
  if (!name) c.fail(`expected an aggregation (valid for ${metric}: ${valid})`);
  let aggregation: Aggregation;
  if (name.text === 'p') {
    if (!c.take('(')) c.fail('expected ( after p, as in p(95)');
    const n = c.number();
    if (!n) c.fail('expected a percentile, a number above 0 and at most 100');
    const p = Number(n.text);
    if (!(p > 0 && p <= 100)) c.fail('a percentile must be above 0 and at most 100', n.at);
    if (!c.take(')')) c.fail('expected ) to close p(');
    aggregation = { kind: 'p', p };
  } else if ((AGGREGATION_KINDS as readonly string[]).includes(name.text)) {
    aggregation = { kind: name.text as AggregationKind };
  } else {
    const hint = /^p\d/.test(name.text) ? `; write p(${name.text.slice(1)})` : '';
    c.fail(`unknown aggregation "${name.text}" (valid for ${metric}: ${valid})${hint}`, name.at);
  }
  if (!VALID_AGGREGATIONS[metric].includes(aggregation.kind)) {
    c.fail(`aggregation ${formatAggregation(aggregation)} is not valid for ${metric} (valid: ${valid})`, name.at);
  }
  return { aggregation, canonical: formatAggregation(aggregation) };
}

function parseOperator(c: Cursor): Operator {
  c.skipWs();
  // Two-character operators first, so "<=" is not read as "<" followed by junk.
  const ordered = [...OPERATORS].sort((a, b) => b.length - a.length);
  for (const op of ordered) if (c.take(op)) return op;
  c.fail(`expected an operator (${OPERATOR_LIST})`);
}

function parseExpr(c: Cursor, metric: MetricName): ParsedExpr {
  const agg = parseAggregation(c, metric);
  const op = parseOperator(c);
  const unit: ValueUnit = valueUnit(metric, agg.aggregation);
  const v = readValue(c, `${metric}:${agg.canonical}`, unit);
  return { aggregation: agg.aggregation, op, value: v.value, canonical: `${agg.canonical}${op}${v.canonical}` };
}

function expectEnd(c: Cursor, what: string): void {
  if (!c.atEnd()) c.fail(`unexpected text after the ${what}`);
}

/** The CLI form: `metric[{tags}]:expr`, e.g. `latency{target:relay}:p(99)<2000`. */
export function parseThreshold(text: string): Threshold {
  if (typeof text !== 'string') throw new UsageError('invalid threshold: expected a string such as ttft:p(95)<800');
  const c = new Cursor(text, undefined);
  const key = parseKey(c);
  if (!c.take(':')) c.fail(`expected : after the metric, as in ${key.metric}:${exampleExpr(key.metric)}`);
  const expr = parseExpr(c, key.metric);
  expectEnd(c, 'threshold');
  return build(key, expr, false, 0);
}

function exampleExpr(metric: MetricName): string {
  const first = VALID_AGGREGATIONS[metric][0];
  if (first === 'p' || first === 'avg') return 'p(95)<800';
  if (first === 'rate') return 'rate<0.01';
  return `${first}<1`;
}

function build(key: ParsedKey, expr: ParsedExpr, abortOnFail: boolean, delayAbortEvalMs: number): Threshold {
  return {
    expression: `${key.canonical}:${expr.canonical}`,
    metric: key.metric,
    tags: key.tags,
    aggregation: expr.aggregation,
    op: expr.op,
    value: expr.value,
    abortOnFail,
    delayAbortEvalMs,
  };
}

const ENTRY_KEYS = new Set(['threshold', 'abortOnFail', 'delayAbortEval']);

/**
 * The config form, as in k6: `{ "ttft": ["p(95)<800"], "latency{target:relay}":
 * [{ threshold: "p(99)<2000", abortOnFail: true, delayAbortEval: "10s" }] }`.
 * A lone string instead of a list is accepted too. `source` names where the
 * map came from (a file, "--thresholds") for error messages.
 */
export function parseThresholdMap(map: unknown, source?: string): Threshold[] {
  const from = source ?? 'thresholds';
  if (map === null || map === undefined) return [];
  if (typeof map !== 'object' || Array.isArray(map)) {
    throw new UsageError(`invalid thresholds in ${from}: expected a map of metric to a list of expressions`);
  }
  const out: Threshold[] = [];
  for (const [rawKey, entries] of Object.entries(map)) {
    const keyCursor = new Cursor(rawKey, `${from}, key ${JSON.stringify(rawKey)}`);
    const key = parseKey(keyCursor);
    expectEnd(keyCursor, 'metric and tags (the expression goes in the list)');
    let list: unknown[];
    if (typeof entries === 'string') list = [entries];
    else if (Array.isArray(entries)) list = entries;
    else throw new UsageError(`invalid thresholds in ${from}, key ${JSON.stringify(rawKey)}: expected a list of expressions`);
    list.forEach((entry, i) => out.push(parseEntry(entry, key, `${from}, ${rawKey}[${i}]`)));
  }
  return out;
}

function parseEntry(entry: unknown, key: ParsedKey, where: string): Threshold {
  let text: unknown = entry;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const obj = entry as Record<string, unknown>;
    const extra = Object.keys(obj).filter((k) => !ENTRY_KEYS.has(k));
    if (extra.length > 0) {
      throw new UsageError(`invalid threshold in ${where}: unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')} (valid: threshold, abortOnFail, delayAbortEval)`);
    }
    text = obj.threshold;
    if (obj.abortOnFail !== undefined) {
      if (typeof obj.abortOnFail !== 'boolean') throw new UsageError(`invalid threshold in ${where}: abortOnFail must be true or false`);
      abortOnFail = obj.abortOnFail;
    }
    if (obj.delayAbortEval !== undefined) {
      if (typeof obj.delayAbortEval !== 'string') {
        throw new UsageError(`invalid threshold in ${where}: delayAbortEval must be a duration such as "10s"`);
      }
      try {
        delayAbortEvalMs = parseDuration(obj.delayAbortEval);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new UsageError(`invalid threshold in ${where}: delayAbortEval: ${msg}`, { cause: err });
      }
    }
  }
  if (typeof text !== 'string') {
    throw new UsageError(`invalid threshold in ${where}: expected an expression string such as "p(95)<800" or {threshold: "..."}`);
  }
  const c = new Cursor(text, where);
  const expr = parseExpr(c, key.metric);
  expectEnd(c, 'threshold');
  return build(key, expr, abortOnFail, delayAbortEvalMs);
}

/**
 * A `{target:NAME}` tag must name a target relaymon knows: a misspelt name
 * would match no request and fail as "no data", reading like a relay fault.
 * A usage error (exit 2) naming the known targets, before anything is sent.
 */
export function checkThresholdTargets(thresholds: readonly Threshold[], known: readonly string[]): void {
  for (const t of thresholds) {
    const name = t.tags.target;
    if (name === undefined || known.includes(name)) continue;
    throw new UsageError(`threshold "${t.expression}": unknown target "${name}" (known targets: ${known.join(', ') || 'none'})`);
  }
}

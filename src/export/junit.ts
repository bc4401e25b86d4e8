/**
 * `--junit FILE`: the thresholds of a check/replay/watch run as JUnit XML, the
 * report format every CI system shows. One testsuite per target, one testcase
 * per threshold; a threshold without a `{target:…}` tag covers the whole run
 * and goes into the "all targets" suite. Pure string building.
 */
import type { RunSummary } from './run-summary-json.js';
import { redact } from '../core/redact.js';
import type { Summary } from '../stats/summary.js';
import { parseThreshold, valueUnit, type ThresholdResult, type ValueUnit } from '../stats/thresholds.js';
import { fmtMs, fmtPct, fmtUsd } from './format.js';

export type RunSummaryJson = RunSummary;

export interface JunitOptions {
  /** Expressions relaymon added by itself (check without thresholds uses errors:rate<0.05). */
  defaults: string[];
}

export const RUN_WIDE_SUITE = 'all targets';

/**
 * Characters XML 1.0 cannot carry at all, escaped or not: C0 controls other
 * than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. They are dropped.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text for element content or a double- or single-quoted attribute, secrets removed first. */
export function xmlEscape(text: string): string {
  return redact(text)
    .replace(NOT_XML_CHAR, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values are normalised by parsers (a raw newline becomes a space); character references survive. */
export function attr(text: string): string {
  return xmlEscape(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

interface Parsed {
  target: string | null;
  unit: ValueUnit | null;
  /** The condition without the metric: "p(95)<800". */
  condition: string;
}

/** What a threshold result is about; hand-made expressions that do not parse count as run-wide. */
export function describeExpression(expression: string): Parsed {
  let target: string | null = null;
  let unit: ValueUnit | null = null;
  try {
    const t = parseThreshold(expression);
    target = t.tags.target ?? null;
    unit = valueUnit(t.metric, t.aggregation);
  } catch {
    /* fall through with what the text itself says */
  }
  const m = /^[^{:]*(?:\{[^}]*\})?\s*:(.*)$/s.exec(expression);
  return { target, unit, condition: m?.[1]?.trim() || expression };
}

function trimmed(v: number, decimals: number): string {
  return String(Number(v.toFixed(decimals)));
}

/** The observed value in the metric's unit, spelled out: "1203 ms", "7.5% (0.075)", "$0.0123". */
export function observedText(value: number | null, unit: ValueUnit | null): string {
  if (value === null) return 'no data';
  switch (unit) {
    case 'ms':
      return `${trimmed(value, 1)} ms`;
    case 'fraction':
      return `${trimmed(value * 100, 3)}% (${trimmed(value, 5)})`;
    case 'count':
      return trimmed(value, 2);
    case 'per_second':
      return `${trimmed(value, 3)}/s`;
    case 'tokens_per_second':
      return `${trimmed(value, 1)} tokens/s`;
    case 'usd':
      return `$${Number(value.toPrecision(4))}`;
    case 'usd_per_hour':
      return `$${Number(value.toPrecision(4))}/h`;
    case null:
      return String(value);
  }
}

export function failureMessage(r: ThresholdResult): string {
  const { unit, condition } = describeExpression(r.expression);
  return r.value === null ? `no data, wanted ${condition}` : `observed ${observedText(r.value, unit)}, wanted ${condition}`;
}

/** One line for a summary, as system-out carries it. */
export function summaryLine(s: Summary | null): string {
  if (s === null || s.requests === 0) return 'no requests finished';
  const cost = s.costUsd === null ? 'unpriced' : fmtUsd(s.costUsd) + (s.unpricedRequests > 0 ? ` (+${s.unpricedRequests} unpriced)` : '');
  return (
    `${s.requests} requests, ${s.errors} errors (${fmtPct(s.errorRate)}), ` +
    `latency p50 ${fmtMs(s.latencyMs.p50)} p95 ${fmtMs(s.latencyMs.p95)}, ttft p95 ${fmtMs(s.ttftMs.p95)}, ` +
    `tokens ${s.inputTokens} in / ${s.outputTokens} out, cost ${cost}`
  );
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function testcase(r: ThresholdResult, suiteKey: string, defaults: ReadonlySet<string>): string {
  const head = `    <testcase classname="${attr(`relaymon.${suiteKey}`)}" name="${attr(r.expression)}" time="0"`;
  const isDefault = defaults.has(r.expression) || r.implied === true;
  const props = isDefault ? '      <properties><property name="relaymon.default" value="true"/></properties>\n' : '';
  if (r.ok && !isDefault) return `${head}/>\n`;
  const lines = [`${head}>\n`, props];
  if (!r.ok) {
    const message = failureMessage(r);
    const detail = `${r.expression}: ${message}${isDefault ? ' (implied by relaymon)' : ''}`;
    lines.push(`      <failure message="${attr(message)}" type="threshold">${xmlEscape(detail)}</failure>\n`);
  }
  lines.push('    </testcase>\n');
  return lines.join('');
}

interface Suite {
  name: string;
  key: string;
  properties: [string, string][];
  cases: ThresholdResult[];
  out: string;
}

export function junitXml(run: RunSummaryJson, opts: JunitOptions): string {
  const defaults = new Set(opts.defaults);
  const suites: Suite[] = run.targets.map((t) => ({
    name: t.name,
    key: t.name,
    properties: [
      ['baseUrl', t.baseUrl],
      ['protocol', t.protocol],
    ],
    cases: [],
    out: summaryLine(t.summary),
  }));
  const runWide: Suite = { name: RUN_WIDE_SUITE, key: 'all-targets', properties: [], cases: [], out: summaryLine(run.summary) };
  for (const r of run.thresholds) {
    const target = describeExpression(r.expression).target;
    if (target === null) {
      runWide.cases.push(r);
      continue;
    }
    let suite = suites.find((s) => s.name === target);
    // A tag naming a target that did not run still gets its own suite: the failure must point at it.
    if (!suite) suites.push((suite = { name: target, key: target, properties: [], cases: [], out: 'this target did not run' }));
    suite.cases.push(r);
  }
  const stopped = run.stoppedBy === null ? 'the plan ran out' : run.stoppedBy;
  // Always present: it carries the run-wide summary and why the run stopped, even with no run-wide threshold.
  runWide.out += `; stopped by: ${stopped}`;
  suites.push(runWide);
  const time = seconds(run.durationMs);
  const total = run.thresholds.length;
  const failures = run.thresholds.filter((r) => !r.ok).length;
  const body = suites.map((s) => {
    const fails = s.cases.filter((r) => !r.ok).length;
    const props = s.properties.length
      ? `    <properties>\n${s.properties.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>\n`).join('')}    </properties>\n`
      : '';
    return (
      `  <testsuite name="${attr(s.name)}" tests="${s.cases.length}" failures="${fails}" errors="0" skipped="0" time="${time}" timestamp="${attr(run.startedAt)}">\n` +
      props +
      s.cases.map((r) => testcase(r, s.key, defaults)).join('') +
      `    <system-out>${xmlEscape(s.out)}</system-out>\n` +
      '  </testsuite>\n'
    );
  });
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="relaymon ${attr(run.command)}" tests="${total}" failures="${failures}" errors="0" time="${time}">\n` +
    body.join('') +
    '</testsuites>\n';
  // Every piece was redacted before escaping; this catches anything assembled around them.
  return redact(xml);
}

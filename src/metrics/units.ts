/**
 * The right-hand side of a threshold: a number with an optional unit, converted
 * to the unit the metric is measured in (ms, fraction, per second, USD, count).
 * A unit that does not fit the metric is an error rather than a guess.
 */
import type { ValueUnit } from './kinds.js';
import { usdDigits } from '../core/units.js';

/** The scanner the threshold parser reads with (src/stats/thresholds-parse.ts Cursor). */
export interface ValueCursor {
  readonly pos: number;
  skipWs(): void;
  take(s: string): boolean;
  number(): { text: string; at: number } | null;
  match(re: RegExp): { text: string; at: number } | null;
  fail(reason: string, at?: number): never;
}

interface UnitRule {
  /** Suffixes this value accepts, each converting the written number into the metric's unit. */
  suffixes: Record<string, (n: number) => number>;
  /** Whether a leading `$` is allowed. */
  dollar: boolean;
  expected: string;
}

const RULES: Record<ValueUnit, UnitRule> = {
  ms: {
    suffixes: { ms: (n) => n, s: (n) => n * 1000, m: (n) => n * 60_000, h: (n) => n * 3_600_000 },
    dollar: false,
    expected: 'milliseconds, or a unit ms, s, m, h, as in 800, 800ms, 1.5s',
  },
  tokens_per_second: {
    suffixes: { '/s': (n) => n },
    dollar: false,
    expected: 'tokens per second, as in 40 or 40/s',
  },
  fraction: {
    suffixes: { '%': (n) => n / 100 },
    dollar: false,
    expected: 'a fraction or a percent, as in 0.01 or 1%',
  },
  count: { suffixes: {}, dollar: false, expected: 'a plain number, as in 10' },
  per_second: {
    suffixes: { '/s': (n) => n, '/m': (n) => n / 60, '/h': (n) => n / 3600 },
    dollar: false,
    expected: 'requests per second, as in 5, 5/s or 300/m',
  },
  usd: { suffixes: {}, dollar: true, expected: 'US dollars, as in 0.50 or $0.50' },
  usd_per_hour: { suffixes: { '/h': (n) => n }, dollar: true, expected: 'US dollars per hour, as in 2, $2 or $2/h' },
};

const KNOWN_UNITS = new Set(Object.values(RULES).flatMap((r) => Object.keys(r.suffixes)));

/** Reads `[$]number[unit]` at the cursor; `label` ("ttft:p(95)") names the left side in messages. */
export function readValue(c: ValueCursor, label: string, unit: ValueUnit): { value: number; canonical: string } {
  const rule = RULES[unit];
  c.skipWs();
  const dollarAt = c.pos;
  const dollar = c.take('$');
  if (dollar && !rule.dollar) c.fail(`$ does not fit ${label} (expected ${rule.expected})`, dollarAt);
  const num = c.number();
  if (!num) c.fail(`expected a number (${rule.expected})`);
  const n = Number(num.text);
  let value = n;
  const suffix = c.match(/%|\/[A-Za-z]+|[A-Za-z]+/y);
  if (suffix) {
    const convert = rule.suffixes[suffix.text];
    if (!convert) {
      const what = KNOWN_UNITS.has(suffix.text) ? `unit ${suffix.text} does not fit ${label}` : `unknown unit "${suffix.text}"`;
      c.fail(`${what} (expected ${rule.expected})`, suffix.at);
    }
    value = convert(n);
  }
  if (unit === 'fraction') {
    // "errors:rate<5" almost surely means 5%; taken literally it could never fail.
    if (!suffix && n > 1) c.fail(`a rate is a fraction from 0 to 1; for percent write ${num.text}%`, num.at);
    if (suffix && n > 100) c.fail('a percentage is at most 100%', num.at);
  }
  return { value, canonical: `${dollar ? '$' : ''}${num.text}${suffix ? suffix.text : ''}` };
}

function trimmed(v: number, decimals: number): string {
  return String(Number(v.toFixed(decimals)));
}

function usd(v: number): string {
  return Math.abs(v) >= 1 ? usdDigits(v, 3) : String(Number(v.toPrecision(3)));
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

import { UsageError } from './errors.js';

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?$/;

/**
 * "800ms", "1.5s", "10s", "2m", "1h", or a bare number of `bareUnit`.
 * Compound forms ("1m30s") are accepted too, as k6 and Go write them.
 */
export function parseDuration(input: string | number, bareUnit: 'ms' | 's' = 'ms'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UsageError(`invalid duration: ${input}`);
    return input * DURATION_UNITS[bareUnit]!;
  }
  const text = input.trim();
  const single = DURATION_RE.exec(text);
  if (single) {
    const unit = single[2] ?? bareUnit;
    return Number(single[1]) * DURATION_UNITS[unit]!;
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === text) {
    return parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
  }
  throw new UsageError(`invalid duration "${input}": expected e.g. 800ms, 1.5s, 10s, 2m, 1h`);
}

/**
 * A timeout as undici takes it. relaymon keeps durations as parsed, fractional
 * ms included (its own timers take them, and the evidence says the limit the
 * user wrote), but undici's Client refuses a headersTimeout or bodyTimeout
 * that is not a whole number of ms. Rounded up, so undici never gives up
 * before the user's limit, and never down to 0, which undici reads as "no
 * timeout". 0 (no limit) stays 0.
 */
export function undiciTimeoutMs(ms: number): number {
  // Math.ceil of any positive ms is at least 1: a positive limit never becomes undici's 0.
  return ms > 0 ? Math.ceil(ms) : 0;
}

/** "2/s", "120/m", "3600/h" → requests per second. */
export function parseRate(input: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*\/\s*(s|sec|m|min|h|hour)$/.exec(input.trim());
  if (!m) throw new UsageError(`invalid rate "${input}": expected e.g. 2/s, 30/m, 100/h`);
  const per = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hour: 3600 }[m[2] as 's'];
  const rate = Number(m[1]) / per;
  if (!(rate > 0)) throw new UsageError(`invalid rate "${input}": must be above zero`);
  return rate;
}

/** Parse a positive integer flag value, with a message naming the flag. */
export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} expects a whole number above 0, got "${value}"`);
  return n;
}

/**
 * A limit in the words of evidence ("no answer within 1 ms", "within 2.5 s"):
 * under a second in whole ms, at least 1 (rounding to tenths of a second made
 * `--timeout 1ms` read "within 0 s"); a second or more in seconds to a tenth,
 * as before.
 */
export function formatLimit(ms: number): string {
  if (ms < 999.5) return `${Math.max(1, Math.round(ms))} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * Dollars without the sign, the one rule every money cell follows: cents from
 * $1, `significant` digits below it (a probe costs fractions of a cent; a tiny
 * amount comes out as 1.0e-7, which reads right), and three significant digits
 * in exponent form from a billion dollars up. toFixed alone wrote 1e308 as
 * "98880000…" forty digits wide, and a table cell cut it to "$9.888000000…",
 * which reads as ten dollars.
 */
export function usdDigits(usd: number, significant: number): string {
  const abs = Math.abs(usd);
  if (abs >= 1e9) return usd.toPrecision(3);
  if (abs >= 1) return usd.toFixed(2);
  return usd.toPrecision(significant);
}

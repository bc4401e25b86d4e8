/**
 * Commander argParsers of relaymon's flags: each turns the text into the value
 * the command uses, or throws the UsageError the command used to throw in its
 * action (same message, exit 2: a non-commander error from a parser leaves
 * commander as it is and reaches main.ts's reportError).
 */
import { UsageError } from '../core/errors.js';
import { PROBE_KINDS, type ProbeKind } from '../core/result.js';
import { parseDuration, parsePositiveInt, parseRate } from '../core/units.js';

export type Parser<T> = (value: string) => T;

/** A whole number above 0. */
export function positiveInt(flag: string): Parser<number> {
  return (value) => parsePositiveInt(value, flag);
}

/** A duration (30s, 5m, 250ms, a bare number of ms). */
export function duration(): Parser<number> {
  return (value) => parseDuration(value);
}

/** A duration above zero; `--flag must be above zero` otherwise. */
export function positiveDuration(flag: string): Parser<number> {
  return (value) => {
    const ms = parseDuration(value);
    if (!(ms > 0)) throw new UsageError(`${flag} must be above zero`);
    return ms;
  };
}

/** A rate such as 2/s, 30/m, 100/h, in requests per second. */
export function rate(): Parser<number> {
  return (value) => parseRate(value);
}

/** --budget-usd: dollars above 0. */
export function budgetUsd(value: string): number {
  const budget = value.trim() === '' ? NaN : Number(value);
  if (!(budget >= 0 && Number.isFinite(budget))) throw new UsageError(`--budget-usd expects a number of dollars, got "${value}"`);
  // A zero budget can only refuse every request: the run would stop before it began, which is never what was meant.
  if (budget === 0) throw new UsageError('--budget-usd 0 would refuse every request; give an amount above 0 (e.g. --budget-usd 0.05), or leave it out for no budget');
  return budget;
}

/** A fraction from 0 to max, or a percentage ("5%"). */
export function fraction(flag: string, max: number): Parser<number> {
  return (value) => {
    const text = value.trim();
    const pct = text.endsWith('%');
    const n = Number(pct ? text.slice(0, -1) : text) / (pct ? 100 : 1);
    if (text === '' || !Number.isFinite(n) || n < 0 || n > max) throw new UsageError(`${flag} expects a fraction or a percentage (e.g. 0.05 or 5%), got "${value}"`);
    return n;
  };
}

/** Repeatable flag: every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --fps: redraws per second, 1 to 60. */
export function parseFps(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 60) throw new UsageError(`--fps expects a whole number from 1 to 60, got "${text}"`);
  return n;
}


/** replay --rate: 5, 5/s or 300/m. */
export function replayRate(text: string): number {
  const ratePerSec = /\//.test(text) ? parseRate(text) : Number(text);
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new UsageError(`--rate expects e.g. 5, 5/s or 300/m, got "${text}"`);
  return ratePerSec;
}

/** replay --speed: a factor above 0. */
export function speed(text: string): number {
  const x = Number(text);
  if (!(x > 0) || !Number.isFinite(x)) throw new UsageError(`--speed expects a number above 0, got "${text}"`);
  return x;
}

/** --kind: one of the probe kinds. */
export function probeKind(value: string): ProbeKind {
  const kind = PROBE_KINDS.find((k) => k === value.trim().toLowerCase());
  if (kind === undefined) throw new UsageError(`--kind must be one of ${PROBE_KINDS.join(', ')}; got "${value}"`);
  return kind;
}

import { describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../../../src/core/errors.js';
import { formatLimit, parseDuration, parsePositiveInt, parseRate, undiciTimeoutMs, usdDigits } from '../../../src/core/units.js';

/** The UsageError a call throws (exit 2), so its message can be checked. */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    if (err instanceof UsageError) {
      expect(err.exitCode).toBe(EXIT.usage);
      return err;
    }
  }
  throw new Error('expected a UsageError');
}

describe('parseDuration', () => {
  it.each([
    ['800ms', 800],
    ['1.5s', 1500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['.5s', 500],
    ['0s', 0],
    ['0', 0],
    [' 5 s ', 5000],
    ['10 ms', 10],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads a bare number in the unit asked for', () => {
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('250', 's')).toBe(250_000);
    expect(parseDuration('1.5', 's')).toBe(1500);
  });

  it('takes a number as is, in the bare unit', () => {
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration(3, 's')).toBe(3000);
    expect(parseDuration(0)).toBe(0);
  });

  it('accepts compound forms as k6 and Go write them', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h1m1s')).toBe(3_661_000);
    expect(parseDuration('1s500ms')).toBe(1500);
    expect(parseDuration('2h0.5m')).toBe(7_230_000);
  });

  it.each(['', 'abc', '10x', '-5s', '5 seconds', '1m 30s', 's', 'ms', '1.2.3s', '1m30', '30s1', 'Infinity', 'NaN', '1e3ms'])(
    'refuses %j with the forms it expects',
    (text) => {
      const err = usageError(() => parseDuration(text));
      expect(err.message).toContain('invalid duration');
      expect(err.message).toContain('expected e.g. 800ms, 1.5s, 10s, 2m, 1h');
    },
  );

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the number %d', (n) => {
    expect(usageError(() => parseDuration(n)).message).toBe(`invalid duration: ${n}`);
  });
});

describe('parseRate', () => {
  it.each([
    ['2/s', 2],
    ['2/sec', 2],
    ['120/m', 2],
    ['30/min', 0.5],
    ['3600/h', 1],
    ['7200/hour', 2],
    ['0.5/s', 0.5],
    [' 10 / s ', 10],
  ])('%j is %d per second', (text, perSec) => {
    expect(parseRate(text)).toBeCloseTo(perSec, 12);
  });

  it.each(['', '2', '2/', '/s', '2/d', '2 per s', '-2/s', '2/S', 'x/s', '.5/s'])('refuses %j', (text) => {
    const err = usageError(() => parseRate(text));
    expect(err.message).toBe(`invalid rate "${text}": expected e.g. 2/s, 30/m, 100/h`);
  });

  it('refuses a rate of zero: it would never send', () => {
    expect(usageError(() => parseRate('0/s')).message).toBe('invalid rate "0/s": must be above zero');
    expect(usageError(() => parseRate('0.0/m')).message).toContain('must be above zero');
  });
});

describe('parsePositiveInt', () => {
  it('reads whole numbers above zero', () => {
    expect(parsePositiveInt('1', '-n')).toBe(1);
    expect(parsePositiveInt('250', '--concurrency')).toBe(250);
    expect(parsePositiveInt(' 7 ', '-n')).toBe(7);
  });

  it.each(['0', '-3', '1.5', 'abc', '', 'NaN', 'Infinity'])('refuses %j, naming the flag', (value) => {
    expect(usageError(() => parsePositiveInt(value, '-n')).message).toBe(`-n expects a whole number above 0, got "${value}"`);
  });
});

describe('formatLimit', () => {
  it('says a limit under a second in ms (never "0 s"), and a second or more in seconds to a tenth, as before', () => {
    expect(formatLimit(1)).toBe('1 ms');
    expect(formatLimit(0.4)).toBe('1 ms');
    expect(formatLimit(49)).toBe('49 ms');
    expect(formatLimit(250)).toBe('250 ms');
    expect(formatLimit(999)).toBe('999 ms');
    expect(formatLimit(999.7)).toBe('1 s');
    expect(formatLimit(1000)).toBe('1 s');
    expect(formatLimit(1500)).toBe('1.5 s');
    expect(formatLimit(30_000)).toBe('30 s');
    expect(formatLimit(120_000)).toBe('120 s');
  });

  it('undiciTimeoutMs: whole ms, rounded up, never a positive limit down to 0 (undici: no timeout)', () => {
    expect(undiciTimeoutMs(2500.5)).toBe(2501);
    expect(undiciTimeoutMs(999.6)).toBe(1000);
    expect(undiciTimeoutMs(0.4)).toBe(1);
    expect(undiciTimeoutMs(0.0001)).toBe(1);
    expect(undiciTimeoutMs(1500)).toBe(1500);
    expect(undiciTimeoutMs(0)).toBe(0);
    // the fractional limit itself survives parsing: relaymon's own timers and its evidence use it
    expect(parseDuration('2500.5ms')).toBe(2500.5);
    expect(parseDuration('2.0005s')).toBeCloseTo(2000.5, 9);
  });
});

describe('usdDigits', () => {
  it('keeps the exponent of a huge or tiny amount (a cell once cut 9.888e306 to "9.888000000…")', () => {
    expect(usdDigits(9.888e306, 3)).toBe('9.89e+306');
    expect(usdDigits(1.2345e9, 2)).toBe('1.23e+9');
    expect(usdDigits(999_999_999.994, 3)).toBe('999999999.99');
    expect(usdDigits(12.345, 3)).toBe('12.35');
    expect(usdDigits(0.0084, 2)).toBe('0.0084');
    expect(usdDigits(1.23e-7, 3)).toBe('1.23e-7');
    expect(usdDigits(-2e12, 3)).toBe('-2.00e+12');
  });
});

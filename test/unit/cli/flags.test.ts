import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { budgetUsd, fraction, parseFps, positiveDuration, positiveInt, replayRate, speed } from '../../../src/cli/parsers.js';
import { parseInterval } from '../../../src/run/defaults.js';
import { runCli } from '../../helpers/cli.js';

describe('flag parsers keep the messages the actions used to throw', () => {
  it.each([
    [() => positiveInt('--requests')('0'), '--requests expects a whole number above 0, got "0"'],
    [() => positiveDuration('--duration')('0s'), '--duration must be above zero'],
    [() => positiveDuration('--every')('0ms'), '--every must be above zero'],
    [() => budgetUsd('abc'), '--budget-usd expects a number of dollars, got "abc"'],
    [() => budgetUsd('0'), '--budget-usd 0 would refuse every request'],
    [() => fraction('--alpha', 0.5)('0.7'), '--alpha expects a fraction or a percentage (e.g. 0.05 or 5%), got "0.7"'],
    [() => parseFps('61'), '--fps expects a whole number from 1 to 60, got "61"'],
    [() => parseInterval('50ms'), '--interval must be at least 100ms, got "50ms"'],
    [() => replayRate('fast'), '--rate expects e.g. 5, 5/s or 300/m, got "fast"'],
    [() => speed('-1'), '--speed expects a number above 0, got "-1"'],
  ])('%#', (parse, message) => {
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('and return the values the actions use', () => {
    expect(positiveDuration('--duration')('1m')).toBe(60_000);
    expect(fraction('--min-effect', 10)('5%')).toBeCloseTo(0.05);
    expect(replayRate('300/m')).toBe(5);
    expect(replayRate('5')).toBe(5);
    expect(budgetUsd('0.25')).toBe(0.25);
  });
});

describe('through the CLI: usage errors exit 2, before anything is sent', () => {
  it('a parser error is relaymon\'s own message', async () => {
    const res = await runCli(['check', '--base-url', 'http://127.0.0.1:9/v1', '--requests', 'many']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('relaymon: --requests expects a whole number above 0, got "many"');
  });

  it.each([
    [['check', '--every', '1s', '--rate', '2/s'], "option '--every <d>' cannot be used with option '--rate <r>'"],
    [['watch', '--no-tui', '--rate', '2/s', '--every', '1s'], "option '--every <d>' cannot be used with option '--rate <r>'"],
    [['replay', 'x.jsonl', '--speed', '2', '--concurrency', '2'], "option '--speed <x>' cannot be used with option '-c, --concurrency <n>'"],
    [['replay', 'x.jsonl', '--rate', '5', '--concurrency', '2'], "option '--rate <r>' cannot be used with option '-c, --concurrency <n>'"],
  ])('conflicting flags %j are commander\'s conflict, exit 2', async (args, message) => {
    const res = await runCli([...args, '--base-url', 'http://127.0.0.1:9/v1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });
});

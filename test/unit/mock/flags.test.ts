import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { describeMockOptions, parseMockFlags } from '../../../src/mock/flags.js';
import { resolveMockOptions } from '../../../src/mock/options.js';

describe('parseMockFlags', () => {
  it('leaves unset flags out so scenario defaults show through', () => {
    expect(parseMockFlags({})).toEqual({});
    expect(parseMockFlags({ scenario: 'flaky', jitter: false })).toEqual({ scenario: 'flaky', jitter: false });
  });

  it('parses every knob', () => {
    expect(
      parseMockFlags({
        host: '0.0.0.0',
        port: '8080',
        ttft: '1.5s',
        itl: '25',
        tokens: '0',
        jitter: true,
        errorRate: '5%',
        status: '401',
        scenario: 'overloaded',
        inflateUsage: '1.3',
        serveModel: 'gpt-4o-mini',
        dropUsage: '10%',
        fingerprintEvery: '50',
        stallRate: '0.1',
        stallMs: '3s',
        resetRate: '0.02',
        truncateRate: '0',
        seed: '42',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 8080,
      ttftMs: 1500,
      itlMs: 25,
      tokens: 0,
      jitter: true,
      errorRate: 0.05,
      status: 401,
      scenario: 'overloaded',
      inflateUsage: 1.3,
      serveModel: 'gpt-4o-mini',
      dropUsageRate: 0.1,
      fingerprintEvery: 50,
      stallRate: 0.1,
      stallMs: 3000,
      resetRate: 0.02,
      truncateRate: 0,
      seed: 42,
    });
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ port: '-1' }, /--port expects a whole number from 0 to 65535, got "-1"/],
    [{ port: '' }, /--port/],
    [{ ttft: 'soon' }, /--ttft expects a duration/],
    [{ itl: '-5' }, /--itl/],
    [{ tokens: '2.5' }, /--tokens/],
    [{ errorRate: '1.5' }, /--error-rate expects a fraction/],
    [{ errorRate: '150%' }, /--error-rate/],
    [{ stallRate: 'x' }, /--stall-rate/],
    [{ status: '200' }, /--status expects a whole number from 400 to 599/],
    [{ scenario: 'chaos' }, /--scenario expects one of healthy, slow-tail, flaky, overloaded, got "chaos"/],
    [{ inflateUsage: 'lots' }, /--inflate-usage/],
    [{ serveModel: '  ' }, /--serve-model must not be empty/],
    [{ dropUsage: '2' }, /--drop-usage expects a fraction/],
    [{ fingerprintEvery: '1.5' }, /--fingerprint-every expects a whole number/],
    [{ seed: '-3' }, /--seed/],
    [{ host: '' }, /--host/],
  ];
  for (const [flags, re] of bad) {
    it(`rejects ${JSON.stringify(flags)} with a UsageError`, () => {
      expect(() => parseMockFlags(flags)).toThrow(UsageError);
      expect(() => parseMockFlags(flags)).toThrow(re);
    });
  }
});

describe('describeMockOptions', () => {
  it('says what the mock will do on one line', () => {
    const line = describeMockOptions(resolveMockOptions({ scenario: 'flaky', inflateUsage: 1.5, seed: 7 }));
    expect(line).toBe(
      'relaymon mock: scenario flaky, ttft 300ms, itl 25ms, 32 tokens, jitter on, errors 5%, stalls 3% x 2000ms, ' +
        'resets 3%, truncations 3%, usage x1.5, seed 7. Ctrl-C to stop.',
    );
    expect(describeMockOptions(resolveMockOptions({ dropUsageRate: 0.25, fingerprintEvery: 10 }))).toContain(
      'jitter off, usage dropped 25%, new fingerprint every 10. Ctrl-C',
    );
    expect(describeMockOptions(resolveMockOptions({}))).toBe(
      'relaymon mock: ttft 200ms, itl 20ms, 16 tokens, jitter off. Ctrl-C to stop.',
    );
  });
});

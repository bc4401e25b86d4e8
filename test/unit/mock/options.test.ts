import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import {
  DEFAULT_MOCK_OPTIONS,
  resolveMockOptions,
  SCENARIO_NAMES,
  SCENARIOS,
  validateMockOptions,
} from '../../../src/mock/options.js';

describe('resolveMockOptions', () => {
  it('returns the documented defaults', () => {
    const o = resolveMockOptions({});
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      ttftMs: 200,
      itlMs: 20,
      tokens: 16,
      jitter: false,
      errorRate: 0,
      status: null,
      scenario: null,
      inflateUsage: 1,
      serveModel: null,
      seed: null,
    });
  });

  it('lets a scenario set defaults and explicit knobs override them', () => {
    const flaky = resolveMockOptions({ scenario: 'flaky' });
    expect(flaky.errorRate).toBe(0.05);
    expect(flaky.resetRate).toBe(0.03);
    expect(flaky.jitter).toBe(true);
    const tuned = resolveMockOptions({ scenario: 'flaky', errorRate: 0.2, jitter: false, resetRate: undefined });
    expect(tuned.errorRate).toBe(0.2);
    expect(tuned.jitter).toBe(false);
    expect(tuned.resetRate).toBe(0.03);
  });

  it('gives slow-tail a heavier TTFT tail than healthy', () => {
    const slow = resolveMockOptions({ scenario: 'slow-tail' });
    const healthy = resolveMockOptions({ scenario: 'healthy' });
    expect(slow.ttftSigma!).toBeGreaterThan(healthy.ttftSigma!);
    expect(healthy.errorRate + healthy.resetRate + healthy.truncateRate + healthy.stallRate).toBe(0);
  });

  it('has a valid table and description for every scenario', () => {
    for (const name of SCENARIO_NAMES) {
      expect(SCENARIOS[name].description.length).toBeGreaterThan(10);
      expect(() => resolveMockOptions({ scenario: name })).not.toThrow();
    }
  });

  it('does not mutate the defaults', () => {
    resolveMockOptions({ ttftMs: 5 });
    expect(DEFAULT_MOCK_OPTIONS.ttftMs).toBe(200);
  });
});

describe('validateMockOptions', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['port', { port: 70000 }, /port/],
    ['negative ttft', { ttftMs: -1 }, /ttftMs/],
    ['fractional tokens', { tokens: 1.5 }, /tokens/],
    ['rate above 1', { errorRate: 1.5 }, /errorRate/],
    ['status 200', { status: 200 }, /status/],
    ['inflate', { inflateUsage: -1 }, /inflateUsage/],
    ['empty model', { serveModel: '' }, /serveModel/],
    ['drop-usage rate', { dropUsageRate: 1.2 }, /dropUsageRate/],
    ['fingerprint period', { fingerprintEvery: -2 }, /fingerprintEvery/],
    ['seed', { seed: 1.5 }, /seed/],
  ];
  for (const [name, patch, re] of bad) {
    it(`rejects ${name}`, () => {
      const o = { ...DEFAULT_MOCK_OPTIONS, ...patch };
      expect(() => validateMockOptions(o)).toThrow(UsageError);
      expect(() => validateMockOptions(o)).toThrow(re);
    });
  }

  it('rejects rates adding up to more than 1 and hints at the scenario', () => {
    expect(() => resolveMockOptions({ errorRate: 0.6, resetRate: 0.6 })).toThrow(/add up to 1\.200/);
    expect(() => resolveMockOptions({ scenario: 'flaky', errorRate: 1 })).toThrow(/scenario flaky/);
    expect(() => resolveMockOptions({ errorRate: 0.5, resetRate: 0.5 })).not.toThrow();
  });
});

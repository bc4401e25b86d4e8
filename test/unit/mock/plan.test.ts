import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_OPTIONS, resolveMockOptions, type MockOptions } from '../../../src/mock/options.js';
import {
  chooseFault,
  FAULT_HEADER_VALUES,
  faultFromHeader,
  isImmediateFault,
  pickErrorKind,
  planResponse,
  type Fault,
} from '../../../src/mock/plan.js';
import { mulberry32, normalSampler } from '../../../src/core/random.js';

const opts = (o: Partial<MockOptions>): MockOptions => resolveMockOptions(o);
const noNormal = (): number => {
  throw new Error('jitter is off: no draw expected');
};

function tally(o: MockOptions, draws: number, seed = 1): Map<Fault, number> {
  const rng = mulberry32(seed);
  const counts = new Map<Fault, number>();
  for (let i = 0; i < draws; i++) {
    const f = chooseFault(o, rng);
    counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  return counts;
}

describe('chooseFault', () => {
  it('never faults with the defaults', () => {
    expect(tally(opts({}), 1000)).toEqual(new Map([['none', 1000]]));
  });

  it('hits each configured rate within tolerance over 10k seeded draws', () => {
    const o = opts({ errorRate: 0.1, resetRate: 0.05, truncateRate: 0.2, stallRate: 0.15 });
    const c = tally(o, 10_000);
    const frac = (f: Fault): number => (c.get(f) ?? 0) / 10_000;
    expect(frac('server_error')).toBeCloseTo(0.1, 1);
    expect(Math.abs(frac('server_error') - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(frac('reset') - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(frac('truncate') - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(frac('stall') - 0.15)).toBeLessThan(0.015);
    expect(Math.abs(frac('none') - 0.5)).toBeLessThan(0.02);
  });

  it('splits errors by the scenario mix', () => {
    const o = opts({ scenario: 'overloaded', seed: 3 });
    const c = tally(o, 10_000, 3);
    const errors = (c.get('rate_limited') ?? 0) + (c.get('overloaded') ?? 0) + (c.get('stream_overloaded') ?? 0);
    expect(Math.abs(errors / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs((c.get('rate_limited') ?? 0) / errors - 0.5)).toBeLessThan(0.04);
    expect(Math.abs((c.get('overloaded') ?? 0) / errors - 0.35)).toBeLessThan(0.04);
    expect(Math.abs((c.get('stream_overloaded') ?? 0) / errors - 0.15)).toBeLessThan(0.03);
    expect(c.get('server_error')).toBeUndefined();
  });

  it('is reproducible for a seed', () => {
    const o = opts({ scenario: 'flaky' });
    expect(tally(o, 500, 11)).toEqual(tally(o, 500, 11));
    expect(tally(o, 500, 11)).not.toEqual(tally(o, 500, 12));
  });

  it('answers with the forced status whatever the rates', () => {
    const o = opts({ status: 401, errorRate: 0.5 });
    expect(tally(o, 100)).toEqual(new Map([['status', 100]]));
  });
});

describe('pickErrorKind', () => {
  it('picks by weight and falls back to server_error', () => {
    expect(pickErrorKind({ rate_limited: 1, overloaded: 1 }, 0.2)).toBe('rate_limited');
    expect(pickErrorKind({ rate_limited: 1, overloaded: 1 }, 0.7)).toBe('overloaded');
    expect(pickErrorKind({ rate_limited: 1, overloaded: 1 }, 0.9999999999)).toBe('overloaded');
    expect(pickErrorKind(undefined, 0.5)).toBe('server_error');
    expect(pickErrorKind({}, 0.5)).toBe('server_error');
  });
});

describe('faultFromHeader', () => {
  it('maps every documented header value and rejects others', () => {
    expect(faultFromHeader('error')).toBe('server_error');
    expect(faultFromHeader(' Slow-First-Token ')).toBe('slow_first_token');
    expect(faultFromHeader('rate-limit')).toBe('rate_limited');
    expect(faultFromHeader('bogus')).toBeNull();
    expect(faultFromHeader('toString')).toBeNull();
    for (const v of FAULT_HEADER_VALUES) expect(faultFromHeader(v)).not.toBeNull();
  });

  it('knows which faults answer at once', () => {
    expect(isImmediateFault('html')).toBe(true);
    expect(isImmediateFault('overloaded')).toBe(true);
    expect(isImmediateFault('stream_overloaded')).toBe(false);
    expect(isImmediateFault('stall')).toBe(false);
  });
});

describe('planResponse with jitter off', () => {
  const o = opts({ ttftMs: 100, itlMs: 10 });

  it('schedules tokens at exact absolute offsets', () => {
    const p = planResponse(o, 'none', 4, noNormal);
    expect([...p.tokenAt]).toEqual([100, 110, 120, 130]);
    expect(p).toMatchObject({ headerAt: 0, endAt: 130, ending: 'finish' });
  });

  it('puts the latency in front of everything', () => {
    const p = planResponse({ ...o, latencyMs: 50 }, 'none', 2, noNormal);
    expect(p.headerAt).toBe(50);
    expect([...p.tokenAt]).toEqual([150, 160]);
  });

  it('stalls halfway for stallMs', () => {
    const p = planResponse({ ...o, stallMs: 500 }, 'stall', 4, noNormal);
    expect([...p.tokenAt]).toEqual([100, 110, 620, 630]);
    expect(p.endAt).toBe(630);
    expect(p.ending).toBe('finish');
  });

  it('delays the first token by stallMs for slow_first_token', () => {
    const p = planResponse({ ...o, stallMs: 500 }, 'slow_first_token', 3, noNormal);
    expect([...p.tokenAt]).toEqual([600, 610, 620]);
  });

  it('breaks reset, truncate and in-stream errors halfway, when the next token was due', () => {
    for (const f of ['reset', 'truncate', 'stream_overloaded'] as const) {
      const p = planResponse(o, f, 5, noNormal);
      expect([...p.tokenAt]).toEqual([100, 110]);
      expect(p.endAt).toBe(120);
      expect(p.ending).toBe(f);
    }
  });

  it('handles one and zero tokens', () => {
    expect(planResponse(o, 'none', 0, noNormal)).toMatchObject({ endAt: 100, ending: 'finish' });
    const one = planResponse(o, 'truncate', 1, noNormal);
    expect([...one.tokenAt]).toEqual([100]);
    expect(one.endAt).toBe(110);
    const stalled = planResponse({ ...o, stallMs: 300 }, 'stall', 1, noNormal);
    expect(stalled.endAt).toBe(400);
  });
});

describe('planResponse with jitter on', () => {
  it('keeps the median TTFT at the configured value and gaps positive', () => {
    const o = opts({ ttftMs: 200, itlMs: 20, jitter: true, ttftSigma: 0.5 });
    const normal = normalSampler(mulberry32(8));
    const firsts: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const p = planResponse(o, 'none', 3, normal);
      firsts.push(p.tokenAt[0]!);
      expect(p.tokenAt[1]!).toBeGreaterThan(p.tokenAt[0]!);
      expect(p.tokenAt[2]!).toBeGreaterThan(p.tokenAt[1]!);
    }
    firsts.sort((a, b) => a - b);
    expect(Math.abs(firsts[5_000]! / 200 - 1)).toBeLessThan(0.03);
  });

  it('uses the default sigmas when none are set', () => {
    const o: MockOptions = { ...DEFAULT_MOCK_OPTIONS, jitter: true, ttftSigma: undefined, itlSigma: undefined };
    const p = planResponse(o, 'none', 2, normalSampler(mulberry32(1)));
    expect(p.tokenAt[0]!).toBeGreaterThan(0);
    expect(p.tokenAt[0]!).not.toBe(200);
  });
});

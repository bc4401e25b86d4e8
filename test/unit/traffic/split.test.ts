import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseRamp, parseSplit, rampLengthMs, sharesAt, SplitRouter, stepAt, type SplitPlan } from '../../../src/traffic/split.js';

const KNOWN = ['direct', 'relay', 'relay2'];

describe('parseSplit', () => {
  it('reads names and weights in order, the candidate last', () => {
    expect(parseSplit('direct=90, relay=10', KNOWN)).toEqual({ targets: ['direct', 'relay'], weights: [90, 10] });
    expect(parseSplit('direct=0.5,relay2=0.25,relay=0.25', KNOWN)).toEqual({ targets: ['direct', 'relay2', 'relay'], weights: [0.5, 0.25, 0.25] });
  });
  it.each([
    ['direct=90,nope=10', /unknown target "nope"/],
    ['direct=0,relay=10', /must be above 0/],
    ['direct=-1,relay=10', /must be above 0/],
    ['direct=x,relay=10', /must be a number, got "x"/],
    ['direct=,relay=10', /must be a number/],
    ['direct=Infinity,relay=10', /must be a number/],
    ['direct=100', /at least two targets/],
    ['', /at least two targets/],
    ['direct=1,direct=1', /names "direct" twice/],
    ['=5,relay=1', /NAME=WEIGHT/],
    ['direct', /NAME=WEIGHT/],
    // Sums past the largest double: every share 0, every line to the candidate.
    ['direct=1e308,relay=1e308', /add up to more than a number can hold/],
    // Subnormal: a share of 0 in effect.
    ['direct=1,relay=1e-320', /weight of "relay" is too small/],
    ['direct=1,relay=1e-300', /"relay" would get .* less than one in a million/],
    // Number() reads these; no one means them as weights.
    ['direct=0x10,relay=1', /weight of "direct" must be a number, got "0x10"/],
    ['direct=0b11,relay=1', /must be a number/],
    ['direct=1_0,relay=1', /must be a number/],
    ['direct=1,,relay=1', /empty item/],
    ['direct=1,relay=1,', /empty item/],
  ])('%j is a usage error', (text, message) => {
    expect(() => parseSplit(text, KNOWN)).toThrow(UsageError);
    expect(() => parseSplit(text, KNOWN)).toThrow(message);
  });
});

describe('parseRamp', () => {
  it('reads percentages that rise', () => {
    expect(parseRamp('10,50,100')).toEqual([10, 50, 100]);
    expect(parseRamp('5%, 7.5%, 20')).toEqual([5, 7.5, 20]);
  });
  it.each(['', '0,50', '10,101', '50,10', '10,,20', 'a', '0x10,50', '1e-320,50'])('%j is a usage error', (text) => {
    expect(() => parseRamp(text)).toThrow(UsageError);
  });
  it('must rise strictly: a repeated share is refused', () => {
    expect(() => parseRamp('10,10,50')).toThrow(/--ramp must rise step by step: 10 is followed by 10/);
  });
});

const plan = (ramp: SplitPlan['ramp'], weights = [3, 1, 1]): SplitPlan => ({ targets: ['direct', 'relay2', 'relay'], weights, ramp, seed: 42 });

describe('shares and steps', () => {
  it('without a ramp: the weights normalised, one step', () => {
    expect(sharesAt(plan(null), null)).toEqual([0.6, 0.2, 0.2]);
    expect(stepAt(plan(null), 1e9)).toBeNull();
    expect(rampLengthMs(plan(null))).toBeNull();
  });
  it("with a ramp: the candidate's step share, the others the rest in their --split proportions", () => {
    const p = plan({ sharesPct: [10, 50, 100], stepMs: 1000 });
    expect(sharesAt(p, 0).map((x) => Number(x.toFixed(6)))).toEqual([0.675, 0.225, 0.1]);
    expect(sharesAt(p, 1).map((x) => Number(x.toFixed(6)))).toEqual([0.375, 0.125, 0.5]);
    expect(sharesAt(p, 2)).toEqual([0, 0, 1]);
    expect([0, 999, 1000, 2999, 3000, 1e9].map((t) => stepAt(p, t))).toEqual([0, 0, 1, 2, 2, 2]);
    expect(rampLengthMs(p)).toBe(3000);
  });
});

describe('SplitRouter', () => {
  it('draws each target its share within ±4σ, and the same seed draws the same sequence', () => {
    const p: SplitPlan = { targets: ['direct', 'relay'], weights: [90, 10], ramp: null, seed: 7 };
    const N = 20_000;
    const a = Array.from({ length: N }, ((r) => () => r.pick(0))(new SplitRouter(p)));
    const b = Array.from({ length: N }, ((r) => () => r.pick(0))(new SplitRouter(p)));
    expect(b).toEqual(a);
    const relay = a.filter((t) => t === 'relay').length;
    expect(Math.abs(relay - N * 0.1)).toBeLessThan(4 * Math.sqrt(N * 0.1 * 0.9));
    const other = Array.from({ length: N }, ((r) => () => r.pick(0))(new SplitRouter({ ...p, seed: 8 })));
    expect(other).not.toEqual(a);
  });
  it('follows the ramp: the candidate only at 100%', () => {
    const r = new SplitRouter(plan({ sharesPct: [10, 100], stepMs: 1000 }));
    const late = Array.from({ length: 500 }, () => r.pick(1500));
    expect(new Set(late)).toEqual(new Set(['relay']));
    const early = Array.from({ length: 2000 }, () => r.pick(10)).filter((t) => t === 'relay').length;
    expect(Math.abs(early - 200)).toBeLessThan(4 * Math.sqrt(2000 * 0.1 * 0.9));
  });
  it('reports the step reached (1-based) and the shares', () => {
    const r = new SplitRouter(plan({ sharesPct: [10, 50], stepMs: 1000 }));
    expect(r.progress(1200, null)).toMatchObject({ step: 2, steps: 2, abort: null });
    expect(r.progress(1200, null).shares.at(-1)).toEqual({ target: 'relay', share: 0.5 });
    expect(new SplitRouter(plan(null)).progress(5, null)).toMatchObject({ step: null, steps: null });
  });
});

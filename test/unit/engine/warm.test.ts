import { describe, expect, it } from 'vitest';
import { firstSpecs, WARM_MAX, warmCounts } from '../../../src/engine/warm.js';
import type { ReplayEntry, TrafficPlan } from '../../../src/engine/messages.js';
import { SMALL_SPEC } from '../../helpers/engine.js';

const line = (n: number, targets?: string[]): ReplayEntry => ({ line: n, offsetMs: null, spec: { ...SMALL_SPEC, maxTokens: n }, ...(targets ? { targets } : {}) });
const caps = (entries: [string, number][]): Map<string, number> => new Map(entries);
const every = (target: string, intervalMs: number): TrafficPlan => ({
  kind: 'probes',
  streams: [{ probe: 'p', target, spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs }, seed: 1 }],
});

describe('connections opened before the first instant (engine/warm.ts)', () => {
  it('an open loop: the sends due in the first 250 ms, at least one, within the cap, -n and WARM_MAX', () => {
    expect(warmCounts(every('a', 5), caps([['a', 256]]), null).get('a')).toBe(50); // 200/s
    expect(warmCounts(every('a', 60_000), caps([['a', 8]]), null).get('a')).toBe(1); // 1/min: its first send
    expect(warmCounts(every('a', 5), caps([['a', 8]]), null).get('a')).toBe(8);
    expect(warmCounts(every('a', 5), caps([['a', 256]]), 3).get('a')).toBe(3);
    expect(warmCounts(every('a', 1), caps([['a', 256]]), null).get('a')).toBe(WARM_MAX);
  });

  it('a closed loop: its N workers\' first lines, each to its own targets', () => {
    const plan: TrafficPlan = { kind: 'replay', entries: [line(1), line(2, ['b']), line(3)], mode: { kind: 'closed', concurrency: 12 }, loop: true, targets: ['a', 'b'] };
    const counts = warmCounts(plan, caps([['a', 8], ['b', 16]]), null);
    // 12 lines taken at once: 8 of the 12 go to a (capped at 8), all 12 to b.
    expect(counts.get('a')).toBe(8);
    expect(counts.get('b')).toBe(12);
    expect(warmCounts(plan, caps([['a', 8], ['b', 16]]), 2)).toEqual(new Map([['a', 1], ['b', 2]]));
  });

  it('a target the run does not know is not warmed', () => {
    expect(warmCounts(every('gone', 5), caps([['a', 8]]), null).size).toBe(0);
  });

  it('the shape to rehearse is the first request each target is sent', () => {
    const plan: TrafficPlan = { kind: 'replay', entries: [line(1, ['b']), line(2), line(3)], mode: { kind: 'rate', ratePerSec: 5, poisson: false, seed: 1 }, loop: false, targets: ['a', 'b'] };
    expect(firstSpecs(plan).get('b')!.maxTokens).toBe(1);
    expect(firstSpecs(plan).get('a')!.maxTokens).toBe(2);
    const closed: TrafficPlan = { ...plan, mode: { kind: 'closed', concurrency: 2 } };
    expect(firstSpecs(closed).get('a')!.maxTokens).toBe(2);
    expect(firstSpecs(closed).get('b')!.maxTokens).toBe(1);
  });
});

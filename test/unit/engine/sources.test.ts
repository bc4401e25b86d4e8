import { describe, expect, it } from 'vitest';
import { closedLoopCursor, openLoopSources, plannedTotal, planTargets, SourceHeap, type DueSend, type OpenLoopSource } from '../../../src/engine/sources.js';
import type { ProbeStream, ReplayEntry, TrafficPlan } from '../../../src/engine/messages.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';

const spec = (model: string): RequestSpec => ({ model, messages: [{ role: 'user', content: 'hi' }], maxTokens: 4, stream: true });
const stream = (target: string, schedule: ProbeStream['schedule'], seed = 1): ProbeStream => ({ probe: 'p', target, spec: spec('m'), schedule, seed });
const entry = (line: number, offsetMs: number | null, targets?: string[]): ReplayEntry => ({ line, offsetMs, spec: spec(`line${line}`), ...(targets ? { targets } : {}) });

/** Takes up to `max` sends from one source, in order. */
function drain(source: OpenLoopSource, max: number): DueSend[] {
  const out: DueSend[] = [];
  while (out.length < max && source.peek() !== null) out.push(source.take());
  return out;
}

describe('open-loop sources', () => {
  it('a probe every D: instants at start, start + D, … computed in advance, to its own target', () => {
    const [src] = openLoopSources({ kind: 'probes', streams: [stream('a', { kind: 'every', intervalMs: 250 })] }, 1000);
    const sends = drain(src!, 4);
    expect(sends.map((s) => s.dueMs)).toEqual([1000, 1250, 1500, 1750]);
    expect(sends.every((s) => s.targets.length === 1 && s.targets[0] === 'a' && s.probe === 'p')).toBe(true);
  });

  it('Poisson arrivals are reproducible from the seed and average the rate', () => {
    const plan: TrafficPlan = { kind: 'probes', streams: [stream('a', { kind: 'rate', ratePerSec: 10 }, 7)] };
    const one = drain(openLoopSources(plan, 0)[0]!, 2000).map((s) => s.dueMs);
    const two = drain(openLoopSources(plan, 0)[0]!, 2000).map((s) => s.dueMs);
    expect(one).toEqual(two);
    for (let i = 1; i < one.length; i++) expect(one[i]!).toBeGreaterThanOrEqual(one[i - 1]!);
    // 1999 gaps of mean 100 ms: the mean is within a few percent (standard error ~2.2%).
    const mean = one.at(-1)! / (one.length - 1);
    expect(mean).toBeGreaterThan(90);
    expect(mean).toBeLessThan(110);
  });

  it('original timing: offsets from the first line, scaled by speed; a line without one keeps the last instant', () => {
    const entries = [entry(1, 5000), entry(2, 6000), entry(3, null), entry(4, 9000)];
    const plan: TrafficPlan = { kind: 'replay', entries, mode: { kind: 'original', speed: 2 }, loop: false, targets: ['a', 'b'] };
    const sends = drain(openLoopSources(plan, 100)[0]!, 10);
    expect(sends.map((s) => s.dueMs)).toEqual([100, 600, 600, 2100]);
    expect(sends.map((s) => s.spec.model)).toEqual(['line1', 'line2', 'line3', 'line4']);
    expect(sends[0]!.targets).toEqual(['a', 'b']);
  });

  it('original timing with --loop starts over one mean gap after the last line', () => {
    const entries = [entry(1, 0), entry(2, 1000), entry(3, 2000)];
    const plan: TrafficPlan = { kind: 'replay', entries, mode: { kind: 'original', speed: 1 }, loop: true, targets: ['a'] };
    const sends = drain(openLoopSources(plan, 0)[0]!, 7);
    // Span 2000 ms over 2 gaps: a lap is 3000 ms.
    expect(sends.map((s) => s.dueMs)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(sends.map((s) => s.spec.model)).toEqual(['line1', 'line2', 'line3', 'line1', 'line2', 'line3', 'line1']);
  });

  it('a replay at a constant rate sends each line once, evenly spaced, to its own targets when it has them', () => {
    const entries = [entry(1, null), entry(2, null, ['b']), entry(3, null)];
    const plan: TrafficPlan = { kind: 'replay', entries, mode: { kind: 'rate', ratePerSec: 4, poisson: false, seed: 1 }, loop: false, targets: ['a'] };
    const sends = drain(openLoopSources(plan, 0)[0]!, 10);
    expect(sends.map((s) => s.dueMs)).toEqual([0, 250, 500]);
    expect(sends.map((s) => s.targets)).toEqual([['a'], ['b'], ['a']]);
  });

  it('a closed-loop plan has no open-loop source', () => {
    const plan: TrafficPlan = { kind: 'replay', entries: [entry(1, null)], mode: { kind: 'closed', concurrency: 2 }, loop: false, targets: ['a'] };
    expect(openLoopSources(plan, 0)).toEqual([]);
  });
});

describe('closed-loop plan', () => {
  it('hands out the lines in order and ends with the file', () => {
    const next = closedLoopCursor([entry(1, null), entry(2, null)], false);
    expect([next()?.line, next()?.line, next(), next()]).toEqual([1, 2, null, null]);
  });

  it('with --loop it wraps around for ever (a probe: one line, looped, bounded by -n)', () => {
    const next = closedLoopCursor([entry(1, null), entry(2, null)], true);
    expect(Array.from({ length: 5 }, () => next()?.line)).toEqual([1, 2, 1, 2, 1]);
  });
});

describe('plan totals', () => {
  it('the targets a plan sends to, in order of first mention, without repeats', () => {
    expect(planTargets({ kind: 'probes', streams: [stream('b', { kind: 'every', intervalMs: 1 }), stream('a', { kind: 'every', intervalMs: 1 }), stream('b', { kind: 'every', intervalMs: 1 })] })).toEqual(['b', 'a']);
    expect(planTargets({ kind: 'replay', entries: [], mode: { kind: 'closed', concurrency: 1 }, loop: false, targets: ['x', 'y', 'x'] })).toEqual(['x', 'y']);
  });

  it('a finite replay sends each line to its targets; probes and loops are open-ended', () => {
    const entries = [entry(1, null), entry(2, null, ['a']), entry(3, null)];
    expect(plannedTotal({ kind: 'replay', entries, mode: { kind: 'closed', concurrency: 1 }, loop: false, targets: ['a', 'b'] })).toBe(5);
    expect(plannedTotal({ kind: 'replay', entries, mode: { kind: 'closed', concurrency: 1 }, loop: true, targets: ['a', 'b'] })).toBeNull();
    expect(plannedTotal({ kind: 'probes', streams: [] })).toBeNull();
  });
});

describe('SourceHeap', () => {
  it('always yields the source due first; exhausted sources are never kept', () => {
    const plan: TrafficPlan = {
      kind: 'probes',
      streams: [stream('slow', { kind: 'every', intervalMs: 300 }), stream('fast', { kind: 'every', intervalMs: 100 }), stream('mid', { kind: 'every', intervalMs: 200 })],
    };
    const heap = new SourceHeap();
    for (const s of openLoopSources(plan, 0)) heap.push(s);
    const order: number[] = [];
    for (let i = 0; i < 12; i++) {
      const top = heap.pop()!;
      order.push(top.take().dueMs);
      heap.push(top);
    }
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.at(-1)).toBeLessThanOrEqual(600);
    const finite = openLoopSources({ kind: 'replay', entries: [entry(1, null)], mode: { kind: 'rate', ratePerSec: 1, poisson: false, seed: 1 }, loop: false, targets: ['a'] }, 0)[0]!;
    finite.take();
    const empty = new SourceHeap();
    empty.push(finite);
    expect(empty.size).toBe(0);
  });
});

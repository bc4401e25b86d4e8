import { describe, expect, it } from 'vitest';
import { target } from '../../helpers/target.js';
import type { TrafficPlan } from '../../../src/engine/messages.js';
import { PriceTable } from '../../../src/pricing/table.js';
import { dryRunReport } from '../../../src/traffic/dry-run.js';
import { expectedShares } from '../../../src/traffic/split.js';

const TARGETS = [target('direct', 'http://127.0.0.1:1/d/v1'), target('relay', 'http://127.0.0.1:1/r/v1')];
const spec = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 100, stream: true };
const entries = [1, 2, 3, 4].map((line) => ({ line, offsetMs: null, spec }));

function plan(split: NonNullable<Extract<TrafficPlan, { kind: 'replay' }>['split']>, loop = true): TrafficPlan {
  return { kind: 'replay', entries, mode: { kind: 'rate', ratePerSec: 2, poisson: false, seed: 1 }, loop, targets: ['direct', 'relay'], split };
}

describe('dry run of a --split replay', () => {
  it('gives each target its share of the lines, not every line', () => {
    const report = dryRunReport(plan({ targets: ['direct', 'relay'], weights: [3, 1], ramp: null, seed: 1 }), TARGETS, PriceTable.builtIn(), { durationMs: null });
    const perHour = Object.fromEntries(report.rows.map((r) => [r.target, r.requestsPerHour]));
    expect(perHour).toEqual({ direct: 5400, relay: 1800 });
    expect(report.totals.requestsPerHour).toBe(7200);
    expect(report.rows.find((r) => r.target === 'relay')!.notes).toContain('--split: relay gets 25% of the lines');
  });
  it('with a ramp, each line once, at its expected share (the mean of the steps), each note naming its target', () => {
    expect(expectedShares({ targets: ['direct', 'relay'], weights: [1, 1], ramp: { sharesPct: [10, 50, 100], stepMs: 1 } }).map((x) => Number(x.toFixed(6)))).toEqual([
      0.466667, 0.533333,
    ]);
    const finite = dryRunReport(plan({ targets: ['direct', 'relay'], weights: [1, 1], ramp: { sharesPct: [10, 50], stepMs: 1000 }, seed: 1 }, false), TARGETS, PriceTable.builtIn(), {
      durationMs: null,
    });
    // 4 lines, each sent once: 70% and 30% of them.
    expect(Object.fromEntries(finite.rows.map((r) => [r.target, Number(r.run?.requests?.toFixed(6))]))).toEqual({ direct: 2.8, relay: 1.2 });
    // 2/s, split 9:1, ramp 10% -> 50% a minute a step, for the ramp's 2 minutes: 240 lines, not 140% of them.
    const ramp = dryRunReport(plan({ targets: ['direct', 'relay'], weights: [9, 1], ramp: { sharesPct: [10, 50], stepMs: 60_000 }, seed: 1 }), TARGETS, PriceTable.builtIn(), {
      durationMs: 120_000,
    });
    expect(ramp.totals.requestsPerHour).toBeCloseTo(7200, 6);
    expect(ramp.rows.reduce((a, r) => a + (r.run?.requests ?? 0), 0)).toBeCloseTo(240, 6);
    expect(ramp.rows.find((r) => r.target === 'direct')!.notes.join(' ')).toContain('--split: direct gets 70% of the lines over the ramp (10% → 50% of relay');
  });
  it('-n N is N lines in all when each line goes to one target (a --split, or a log to its recorded targets)', () => {
    const split = dryRunReport(plan({ targets: ['direct', 'relay'], weights: [3, 1], ramp: null, seed: 1 }), TARGETS, PriceTable.builtIn(), { durationMs: null, requests: 100 });
    expect(Object.fromEntries(split.rows.map((r) => [r.target, r.run?.requests]))).toEqual({ direct: 75, relay: 25 });
    const recorded: TrafficPlan = {
      kind: 'replay',
      entries: entries.map((e, i) => ({ ...e, targets: [i === 0 ? 'relay' : 'direct'] })),
      mode: { kind: 'rate', ratePerSec: 2, poisson: false, seed: 1 },
      loop: true,
      targets: ['direct', 'relay'],
    };
    const log = dryRunReport(recorded, TARGETS, PriceTable.builtIn(), { durationMs: null, requests: 100 });
    expect(Object.fromEntries(log.rows.map((r) => [r.target, r.run?.requests]))).toEqual({ direct: 75, relay: 25 });
  });
});

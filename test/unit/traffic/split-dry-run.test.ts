import { describe, expect, it } from 'vitest';
import { target } from '../../helpers/target.js';
import type { TrafficPlan } from '../../../src/engine/messages.js';
import { PriceTable } from '../../../src/pricing/table.js';
import { dryRunReport } from '../../../src/traffic/dry-run.js';
import { largestShares } from '../../../src/traffic/split.js';

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
    expect(report.rows.find((r) => r.target === 'relay')!.notes).toContain('--split: at its largest share, 25% of the lines');
  });
  it("with a ramp, each target at its largest step share (a dry run's cost must not understate)", () => {
    expect(largestShares({ targets: ['direct', 'relay'], weights: [1, 1], ramp: { sharesPct: [10, 50, 100], stepMs: 1 } })).toEqual([0.9, 1]);
    const finite = dryRunReport(plan({ targets: ['direct', 'relay'], weights: [1, 1], ramp: { sharesPct: [10, 50], stepMs: 1000 }, seed: 1 }, false), TARGETS, PriceTable.builtIn(), {
      durationMs: null,
    });
    expect(Object.fromEntries(finite.rows.map((r) => [r.target, r.run?.requests]))).toEqual({ direct: 3.6, relay: 2 });
  });
});

import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../../../src/core/target.js';
import { target as makeTarget } from '../../helpers/target.js';
import type { ProbeStream, ReplayEntry, ReplayMode, TrafficPlan } from '../../../src/engine/messages.js';
import { PriceTable } from '../../../src/pricing/table.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';
import { dryRunReport, type DryRunReport } from '../../../src/traffic/dry-run.js';
import { dryRunText } from '../../../src/export/dry-run-text.js';

const prices = PriceTable.builtIn();

function target(name: string, priceMultiplier = 1): ResolvedTarget {
  return makeTarget(name, `http://127.0.0.1:1/${name}/v1`, { priceMultiplier });
}
const TARGETS = [target('relay'), target('direct', 0.5)];

/** "Reply with OK": 10 prompt tokens (3 priming + 3 framing + 1 role + 3 text). "hi": 8. */
function spec(model = 'gpt-4o-mini', maxTokens = 16, content = 'Reply with OK'): RequestSpec {
  return { model, messages: [{ role: 'user', content }], maxTokens, stream: true };
}

function stream(probe: string, tgt: string, schedule: ProbeStream['schedule'], s = spec()): ProbeStream {
  return { probe, target: tgt, spec: s, schedule, seed: 1 };
}

// gpt-4o-mini: $0.15/M input (1.5e-7), $0.60/M output (6e-7).
// spec(): worst 10 × 1.5e-7 + 16 × 6e-7 = 1.11e-5; expected (8 of 16 output tokens) 1.5e-6 + 4.8e-6 = 6.3e-6.
const probesPlan: TrafficPlan = {
  kind: 'probes',
  streams: [stream('ok', 'relay', { kind: 'every', intervalMs: 10_000 }), stream('ok', 'direct', { kind: 'rate', ratePerSec: 2 })],
};

function row(report: DryRunReport, tgt: string, model = 'gpt-4o-mini') {
  const r = report.rows.find((x) => x.target === tgt && x.model === model);
  if (!r) throw new Error(`no row ${tgt}/${model}`);
  return r;
}

describe('dry run of probes', () => {
  it('gives requests and worst-case and expected dollars per hour per target and model', () => {
    const report = dryRunReport(probesPlan, TARGETS, prices, { durationMs: null });
    const relay = row(report, 'relay');
    expect(relay.requestsPerHour).toBe(360);
    expect(relay.inputTokensPerRequest).toBe(10);
    expect(relay.worstCaseUsdPerRequest).toBeCloseTo(1.11e-5, 15);
    expect(relay.worstCaseUsdPerHour).toBeCloseTo(360 * 1.11e-5, 12); // 0.003996
    expect(relay.expectedUsdPerHour).toBeCloseTo(360 * 6.3e-6, 12); // 0.002268
    expect(relay.probes).toEqual(['ok']);
    // direct: 2/s = 7200/h at half the list price.
    const direct = row(report, 'direct');
    expect(direct.requestsPerHour).toBe(7200);
    expect(direct.worstCaseUsdPerRequest).toBeCloseTo(5.55e-6, 15);
    expect(direct.worstCaseUsdPerHour).toBeCloseTo(0.03996, 12);
    expect(direct.expectedUsdPerHour).toBeCloseTo(0.02268, 12);
    expect(report.totals.requestsPerHour).toBe(7560);
    expect(report.totals.worstCaseUsdPerHour).toBeCloseTo(0.043956, 12);
    expect(report.totals.expectedUsdPerHour).toBeCloseTo(0.024948, 12);
    expect(report.totals.unpricedRows).toBe(0);
    // Probes run until stopped: no run total without a duration.
    expect(report.totals.run).toBeNull();
    expect(relay.run).toBeNull();
    expect(report.assumptions.expectedOutputFraction).toBe(0.5);
    expect(report.assumptions.expected).toContain('50% of its max_tokens');
  });

  it('adds the totals of a finite run', () => {
    const report = dryRunReport(probesPlan, TARGETS, prices, { durationMs: 60_000 });
    expect(row(report, 'relay').run).toEqual({
      requests: 6,
      worstCaseUsd: expect.closeTo(6.66e-5, 15) as number,
      expectedUsd: expect.closeTo(3.78e-5, 15) as number,
    });
    expect(row(report, 'direct').run?.requests).toBe(120);
    expect(report.totals.run).toEqual({
      requests: 126,
      worstCaseUsd: expect.closeTo(6.66e-5 + 6.66e-4, 14) as number,
      expectedUsd: expect.closeTo(3.78e-5 + 3.78e-4, 14) as number,
    });
  });

  it('applies a request limit to each target (-n N means N requests to each)', () => {
    const report = dryRunReport(probesPlan, TARGETS, prices, { durationMs: null, requests: 21 });
    expect(row(report, 'relay').run?.requests).toBeCloseTo(21, 12);
    expect(row(report, 'direct').run?.requests).toBeCloseTo(21, 12);
    expect(report.totals.run?.requests).toBeCloseTo(42, 12);
    expect(report.totals.run?.worstCaseUsd).toBeCloseTo(21 * 1.11e-5 + 21 * 5.55e-6, 14);
    expect(dryRunText(report)).toContain('at most 21 requests per target');
    // A limit the duration never reaches changes nothing.
    expect(dryRunReport(probesPlan, TARGETS, prices, { durationMs: 60_000, requests: 1000 }).totals.run?.requests).toBe(126);
  });

  it('merges probes that send the same model to the same target', () => {
    const plan: TrafficPlan = {
      kind: 'probes',
      streams: [
        stream('small', 'relay', { kind: 'every', intervalMs: 10_000 }),
        stream('big', 'relay', { kind: 'every', intervalMs: 5_000 }, spec('gpt-4o-mini', 100)),
      ],
    };
    const r = dryRunReport(plan, TARGETS, prices, { durationMs: null });
    expect(r.rows).toHaveLength(1);
    const merged = row(r, 'relay');
    expect(merged.probes).toEqual(['small', 'big']);
    expect(merged.requestsPerHour).toBe(1080);
    // 360 × 1.11e-5 + 720 × (1.5e-6 + 100 × 6e-7 = 6.15e-5) = 0.003996 + 0.04428
    expect(merged.worstCaseUsdPerHour).toBeCloseTo(0.048276, 12);
    expect(merged.worstCaseUsdPerRequest).toBeCloseTo(0.048276 / 1080, 14);
    expect(merged.maxTokensPerRequest).toBeCloseTo(72, 12);
  });

  it('keeps unpriced models out of the sums and says so', () => {
    const plan: TrafficPlan = {
      kind: 'probes',
      streams: [...probesPlan.streams, stream('odd', 'relay', { kind: 'every', intervalMs: 1000 }, spec('mystery-model-9000'))],
    };
    const report = dryRunReport(plan, TARGETS, prices, { durationMs: 60_000 });
    const odd = row(report, 'relay', 'mystery-model-9000');
    expect(odd.requestsPerHour).toBe(3600);
    expect(odd.priced).toBe(false);
    expect(odd.worstCaseUsdPerHour).toBeNull();
    expect(odd.expectedUsdPerHour).toBeNull();
    expect(odd.run).toEqual({ requests: 60, worstCaseUsd: null, expectedUsd: null });
    expect(odd.notes).toContain('model "mystery-model-9000" has no price: its cost is unknown');
    expect(report.totals.unpricedRows).toBe(1);
    expect(report.totals.requestsPerHour).toBe(7560 + 3600);
    expect(report.totals.worstCaseUsdPerHour).toBeCloseTo(0.043956, 12);
    expect(report.totals.run?.requests).toBe(186);
    const text = dryRunText(report);
    expect(text).toMatch(/^relay\s+mystery-model-9000\s+3600\s+unpriced\s+unpriced\s+60\s+unpriced$/m);
    expect(text).toContain('1 row(s) unpriced: totals cover the priced rows only');
  });

  it('refuses a plan naming a target it was not given', () => {
    const plan: TrafficPlan = { kind: 'probes', streams: [stream('x', 'ghost', { kind: 'every', intervalMs: 1000 })] };
    expect(() => dryRunReport(plan, TARGETS, prices, { durationMs: null })).toThrow(/"ghost"/);
  });
});

function entries(offsets: (number | null)[], models: string[]): ReplayEntry[] {
  return offsets.map((offsetMs, i) => ({ line: i + 1, offsetMs, spec: spec(models[i] ?? 'gpt-4o-mini', 100, 'hi') }));
}

function replay(mode: ReplayMode, loop: boolean, e = entries([5000, 6000, 7000, 8000], ['gpt-4o-mini', 'gpt-4o-mini', 'mystery-model-9000', 'gpt-4o-mini'])): TrafficPlan {
  return { kind: 'replay', entries: e, mode, loop, targets: ['relay', 'direct'] };
}

// A replayed "hi" line with max_tokens 100: worst 8 × 1.5e-7 + 100 × 6e-7 = 6.12e-5.
describe('dry run of a replay', () => {
  it('original timing: the recording span plus one mean gap per lap, scaled by speed, every line to every target', () => {
    const report = dryRunReport(replay({ kind: 'original', speed: 2 }, false), TARGETS, prices, { durationMs: null });
    // Lap = 3000 ms span + 1000 ms mean gap = 4000 ms, at 2× speed: each line 1800 times an hour.
    const relay = row(report, 'relay');
    expect(relay.requestsPerHour).toBe(5400);
    expect(relay.worstCaseUsdPerRequest).toBeCloseTo(6.12e-5, 15);
    expect(relay.worstCaseUsdPerHour).toBeCloseTo(0.33048, 10);
    expect(row(report, 'direct').worstCaseUsdPerHour).toBeCloseTo(0.16524, 10);
    expect(row(report, 'relay', 'mystery-model-9000').requestsPerHour).toBe(1800);
    expect(relay.notes).toContain('original timing at 2x speed');
    // Without --loop the replay ends by itself: its totals are exact.
    expect(relay.run).toEqual({ requests: 3, worstCaseUsd: expect.closeTo(3 * 6.12e-5, 14) as number, expectedUsd: expect.any(Number) as number });
    expect(report.totals.run?.requests).toBe(8);
    expect(report.totals.run?.worstCaseUsd).toBeCloseTo(3 * 6.12e-5 * 1.5, 14);
    expect(report.totals.requestsPerHour).toBe(14_400);
    // A duration shorter than the replay cuts it: 5400/h for 1 s is 1.5 requests.
    expect(row(dryRunReport(replay({ kind: 'original', speed: 2 }, false), TARGETS, prices, { durationMs: 1000 }), 'relay').run?.requests).toBe(1.5);
  });

  it('rate mode: the rate spread over the lines', () => {
    const report = dryRunReport(replay({ kind: 'rate', ratePerSec: 2, poisson: true, seed: 1 }, true), TARGETS, prices, { durationMs: null });
    expect(row(report, 'relay').requestsPerHour).toBe(5400);
    expect(row(report, 'relay', 'mystery-model-9000').requestsPerHour).toBe(1800);
    expect(report.totals.run).toBeNull();
    expect(report.notes).toEqual(['--loop: the recording starts over when it ends']);
    const timed = dryRunReport(replay({ kind: 'rate', ratePerSec: 2, poisson: false, seed: 1 }, true), TARGETS, prices, { durationMs: 60_000 });
    expect(row(timed, 'relay').run?.requests).toBe(90);
  });

  it('closed loop: the rate is unknown and says so, a finite replay still has totals', () => {
    const report = dryRunReport(replay({ kind: 'closed', concurrency: 4 }, false), TARGETS, prices, { durationMs: null });
    const relay = row(report, 'relay');
    expect(relay.requestsPerHour).toBeNull();
    expect(relay.worstCaseUsdPerHour).toBeNull();
    expect(relay.notes[0]).toMatch(/^closed loop: 4 in flight/);
    expect(report.totals.requestsPerHour).toBeNull();
    expect(relay.run?.requests).toBe(3);
    expect(relay.run?.worstCaseUsd).toBeCloseTo(3 * 6.12e-5, 14);
    const looping = dryRunReport(replay({ kind: 'closed', concurrency: 4 }, true), TARGETS, prices, { durationMs: 60_000 });
    expect(looping.totals.run?.requests).toBeNull();
    const text = dryRunText(looping);
    expect(text).toContain('an unknown number of requests');
    // Priced, but per hour unknown: a question mark, not "unpriced".
    expect(text).toMatch(/^relay\s+gpt-4o-mini\s+\?\s+\?\s+\?\s+\?\s+\?$/m);
  });

  it('lines without any time are all sent at once: no rate', () => {
    const report = dryRunReport(replay({ kind: 'original', speed: 1 }, false, entries([null, null, null], [])), TARGETS, prices, { durationMs: null });
    expect(row(report, 'relay').requestsPerHour).toBeNull();
    expect(row(report, 'relay').notes).toContain('the recording has no spread in time: all lines are sent at once');
    expect(row(report, 'relay').run?.requests).toBe(3);
  });
});

describe('dryRunText', () => {
  it('is a table that fits 80 columns, with totals, the run and the assumptions', () => {
    const text = dryRunText(dryRunReport(probesPlan, TARGETS, prices, { durationMs: 60_000 }));
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    const lines = text.split('\n');
    expect(lines[0]).toBe('dry run: nothing is sent. Probe traffic by target and model:');
    expect(lines.find((l) => l.startsWith('relay'))!.trim().split(/\s+/)).toEqual(['relay', 'gpt-4o-mini', '360', '$0.00400', '$0.00227', '6', '$0.0000666']);
    expect(lines.find((l) => l.startsWith('total'))!.trim().split(/\s+/)).toEqual(['total', '7560', '$0.0440', '$0.0249', '126', '$0.000733']);
    expect(text).toContain('the run (for 1m): 126 requests, worst case $0.000733, expected $0.000416');
    expect(text).toContain('expected: assumes each reply uses 50% of its max_tokens');
  });

  it('the report is plain JSON', () => {
    const report = dryRunReport(probesPlan, TARGETS, prices, { durationMs: 60_000 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

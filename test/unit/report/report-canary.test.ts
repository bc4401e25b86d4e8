/**
 * The HTML report of a replay --split run: a "Canary split" section with each
 * target's weight, share and sends, the ramp and the step reached, a step the
 * ramp held unjudged, and an --abort-on-fail stop, which the verdict lists as
 * its failure even when the whole run's thresholds held.
 */
import { describe, expect, it } from 'vitest';
import { canarySection, verdictSection } from '../../../src/report/sections.js';
import type { ReportCanary, ReportData } from '../../../src/report/data.js';

const canary: ReportCanary = {
  split: [
    { target: 'direct', weight: 1, share: 0.8, sent: 120 },
    { target: 'relay', weight: 1, share: 0.2, sent: 35 },
  ],
  canary: {
    candidate: 'relay',
    seed: 1,
    ramp: { sharesPct: [20, 50, 100], stepMs: 6000, stepReached: 1, steps: 3, held: null },
    abort: { step: 1, threshold: 'errors:rate<0.02', value: 0.0286 },
  },
};

function data(c: ReportCanary | undefined): ReportData {
  return {
    v: 1,
    command: 'replay',
    source: { kind: 'summary', file: 'ab.json' },
    startedAt: null,
    durationMs: 4600,
    stoppedBy: 'abortOnFail',
    generatedAt: '2026-01-01T00:00:00.000Z',
    version: '0.0.0',
    verdict: { thresholds: [{ expression: 'errors:rate<0.02', ok: true, value: 0.01 }], exitCode: 1, origin: 'file' },
    targets: [],
    charts: [],
    compare: null,
    conform: null,
    evaluate: null,
    notes: [],
    ...(c ? { canary: c } : {}),
  };
}

describe('the report of a canary split', () => {
  it('shows the split, the ramp and the abort (step, threshold, value)', () => {
    const html = canarySection(canary);
    expect(html).toContain('<h2>Canary split</h2>');
    expect(html).toContain('relay (candidate)');
    expect(html).toContain('<td>20%</td><td>35</td>');
    expect(html).toContain('ramp 20% → 50% → 100% of relay, 6.00s a step: reached step 1 of 3.');
    expect(html).toMatch(/stopped at step 1 \(--abort-on-fail\): relay failed ✗ errors:rate&#60;0\.02 +value=2\.\d+%/);
  });

  it('says a step the ramp held was never judged', () => {
    const held: ReportCanary = { ...canary, canary: { ...canary.canary, abort: null, ramp: { ...canary.canary.ramp!, held: { step: 1, results: 7, needed: 20 } } } };
    expect(canarySection(held)).toContain('step 1 was not judged: 7 of the 20 candidate results it needs; the ramp held it.');
  });

  it("lists the abort in the verdict, beside the whole run's thresholds that held", () => {
    const html = verdictSection(data(canary));
    expect(html).toContain('exit code 1');
    expect(html).toMatch(/<li class="bad">stopped at step 1 \(--abort-on-fail\): relay failed/);
    expect(verdictSection(data(undefined))).not.toContain('abort-on-fail');
  });
});

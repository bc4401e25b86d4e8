import { describe, expect, it } from 'vitest';
import { MIN_STEP_SAMPLES, SplitJudge } from '../../../src/engine/split-judge.js';
import { parseThreshold } from '../../../src/stats/thresholds.js';
import { makeFailure, makeResult } from '../stats/fixtures.js';

const ERRORS = { ...parseThreshold('errors:rate<0.05'), abortOnFail: true };
const ramp = { targets: ['direct', 'relay'], weights: [1, 1], ramp: { sharesPct: [10, 50, 100], stepMs: 1000 }, seed: 1 };

describe('SplitJudge', () => {
  it("judges the candidate's results of the current step only, once it has MIN_STEP_SAMPLES", () => {
    const judge = new SplitJudge(ramp);
    judge.begin(0);
    // Step 1: the candidate fails everything, but step 2 starts afresh.
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) judge.record('relay', 100, makeFailure('server_error', { target: 'relay' }), 500);
    expect(judge.judge([ERRORS], 900)?.expression).toBe('errors:rate<0.05');
    const fresh = new SplitJudge(ramp);
    fresh.begin(0);
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) fresh.record('relay', 100, makeFailure('server_error', { target: 'relay' }), 500);
    expect(fresh.judge([ERRORS], 1100)).toBeNull(); // step 2 has no results yet
    // A step-1 send finishing in step 2 does not count for step 2; the other side never counts.
    for (let i = 0; i < 50; i++) fresh.record('relay', 900, makeFailure('server_error', { target: 'relay' }), 1200);
    for (let i = 0; i < 50; i++) fresh.record('direct', 1100, makeFailure('server_error', { target: 'direct' }), 1200);
    expect(fresh.judge([ERRORS], 1300)).toBeNull();
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) fresh.record('relay', 1100, makeResult({ target: 'relay' }), 1400);
    expect(fresh.judge([ERRORS], 1500)).toBeNull(); // enough results, all fine
    expect(fresh.progress(1500)).toMatchObject({ step: 2, abort: null });
    for (let i = 0; i < 5; i++) fresh.record('relay', 1100, makeFailure('server_error', { target: 'relay' }), 1600);
    const failed = fresh.judge([ERRORS], 1700);
    expect(failed?.ok).toBe(false);
    expect(fresh.progress(2500)).toMatchObject({ step: 2, abort: { step: 2, threshold: 'errors:rate<0.05' } });
  });

  it('waits for MIN_STEP_SAMPLES results before judging', () => {
    const judge = new SplitJudge(ramp);
    judge.begin(0);
    for (let i = 0; i < MIN_STEP_SAMPLES - 1; i++) judge.record('relay', 10, makeFailure('server_error', { target: 'relay' }), 20);
    expect(judge.judge([ERRORS], 30)).toBeNull();
    judge.record('relay', 10, makeFailure('server_error', { target: 'relay' }), 40);
    expect(judge.judge([ERRORS], 50)).toMatchObject({ ok: false, value: 1 });
  });

  it('without a ramp the whole run is one step', () => {
    const judge = new SplitJudge({ ...ramp, ramp: null });
    judge.begin(0);
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) judge.record('relay', i * 1000, makeFailure('server_error', { target: 'relay' }), i * 1000 + 10);
    expect(judge.judge([ERRORS], 60_000)).not.toBeNull();
    expect(judge.progress(60_000)).toMatchObject({ step: null, abort: { step: null } });
  });
});

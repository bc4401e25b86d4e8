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
    // Step 1: the candidate fails everything.
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) judge.record('relay', 100, makeFailure('server_error', { target: 'relay' }), 500);
    expect(judge.judge([ERRORS], 900)?.expression).toBe('errors:rate<0.05');
    const fresh = new SplitJudge(ramp);
    fresh.begin(0);
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) fresh.record('relay', 100, makeResult({ target: 'relay' }), 500);
    expect(fresh.judge([ERRORS], 900)).toBeNull();
    expect(fresh.progress(900)).toMatchObject({ step: 1 }); // judged fine, but its --step is not over
    expect(fresh.judge([ERRORS], 1100)).toBeNull(); // over and judged: step 2 starts afresh
    expect(fresh.progress(1100)).toMatchObject({ step: 2, held: null });
    // A step-1 send finishing in step 2 does not count for step 2; the other side never counts.
    for (let i = 0; i < 50; i++) fresh.record('relay', 900, makeFailure('server_error', { target: 'relay' }), 1200);
    for (let i = 0; i < 50; i++) fresh.record('direct', 1150, makeFailure('server_error', { target: 'direct' }), 1200);
    expect(fresh.judge([ERRORS], 1300)).toBeNull();
    for (let i = 0; i < MIN_STEP_SAMPLES; i++) fresh.record('relay', 1150, makeResult({ target: 'relay' }), 1400);
    expect(fresh.judge([ERRORS], 1500)).toBeNull(); // enough results, all fine
    expect(fresh.progress(1500)).toMatchObject({ step: 2, abort: null });
    for (let i = 0; i < 5; i++) fresh.record('relay', 1150, makeFailure('server_error', { target: 'relay' }), 1600);
    const failed = fresh.judge([ERRORS], 1700);
    expect(failed?.ok).toBe(false);
    expect(fresh.progress(2500)).toMatchObject({ step: 2, abort: { step: 2, threshold: 'errors:rate<0.05' } });
  });

  it('holds a step whose --step is over until it has been judged: the candidate\'s share never rises past an unjudged step', () => {
    const judge = new SplitJudge(ramp);
    judge.begin(0);
    // A broken candidate at 10%: only 5 results by the end of step 1's second.
    for (let i = 0; i < 5; i++) judge.record('relay', 100, makeFailure('server_error', { target: 'relay' }), 500);
    expect(judge.judge([ERRORS], 1100)).toBeNull();
    expect(judge.progress(1100)).toMatchObject({ step: 1, held: { step: 1, results: 5, needed: MIN_STEP_SAMPLES } });
    expect(judge.progress(1100).shares.at(-1)).toEqual({ target: 'relay', share: 0.1 });
    // Long past the ramp's clock (3 s): still step 1, still drawing the candidate at 10%.
    const picks = Array.from({ length: 2000 }, () => judge.pick(9000)).filter((t) => t === 'relay').length;
    expect(Math.abs(picks - 200)).toBeLessThan(4 * Math.sqrt(2000 * 0.1 * 0.9));
    expect(judge.judge([ERRORS], 9000)).toBeNull();
    expect(judge.progress(9000)).toMatchObject({ step: 1, held: { step: 1, results: 5 } });
    // Its 20th result: judged, failed, stopped at step 1.
    for (let i = 0; i < MIN_STEP_SAMPLES - 5; i++) judge.record('relay', 5000, makeFailure('server_error', { target: 'relay' }), 9500);
    expect(judge.judge([ERRORS], 9600)).toMatchObject({ ok: false, value: 1 });
    expect(judge.progress(9600)).toMatchObject({ step: 1, held: null, abort: { step: 1, threshold: 'errors:rate<0.05', value: 1 } });
    expect(judge.rampDone).toBe(false);
  });

  it('a healthy ramp moves on at each judged step and is done after the last', () => {
    const judge = new SplitJudge(ramp);
    judge.begin(0);
    let now = 0;
    for (let step = 1; step <= 3; step++) {
      const sent = now + 1;
      for (let i = 0; i < MIN_STEP_SAMPLES; i++) judge.record('relay', sent, makeResult({ target: 'relay' }), now + 500);
      expect(judge.rampDone).toBe(false);
      now += 1100;
      expect(judge.judge([ERRORS], now)).toBeNull();
    }
    expect(judge.rampDone).toBe(true);
    expect(judge.progress(now)).toMatchObject({ step: 3, held: null, abort: null });
  });

  it('without --abort-on-fail nothing is judged and the steps go by the clock', () => {
    const judge = new SplitJudge(ramp, false);
    judge.begin(0);
    expect(judge.holds).toBe(false);
    expect(judge.progress(1500)).toMatchObject({ step: 2, held: null });
    expect(judge.progress(60_000)).toMatchObject({ step: 3 });
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

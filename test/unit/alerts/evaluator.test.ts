import { describe, expect, it } from 'vitest';
import { AlertEvaluator, type AlertStateView, type AlertTransition } from '../../../src/alerts/rules.js';
import { queryFromResults } from '../../../src/stats/summary.js';
import { parseThreshold } from '../../../src/stats/thresholds.js';
import type { RequestResult } from '../../../src/core/result.js';
import { makeResult } from '../stats/fixtures.js';
import { FakeWindow, makeRule } from './helpers.js';

const BAD = 1203;
const GOOD = 400;
const STEP = 5000;

/** Drives one evaluator with a fake clock, STEP ms per evaluation. */
function harness(rule = makeRule()) {
  const w = new FakeWindow();
  const ev = new AlertEvaluator([rule]);
  let now = 0;
  const log: AlertTransition[] = [];
  const step = (value: number | null, requests: number | null = 20): AlertTransition[] => {
    now += STEP;
    w.value = value;
    w.requests = requests;
    const out = ev.evaluate(now, w.query);
    log.push(...out);
    return out;
  };
  const state = (): AlertStateView => {
    const s = ev.states()[0];
    if (!s) throw new Error('no state');
    return s;
  };
  return { w, ev, step, state, log, now: () => now };
}

const moves = (ts: AlertTransition[]) => ts.map((t) => `${t.from}>${t.to}`);

describe('AlertEvaluator', () => {
  it('goes pending after fireAfter breaches and fires only once pending has lasted `for`', () => {
    const h = harness(makeRule({ forMs: 30_000 }));
    expect(h.step(BAD)).toEqual([]);
    expect(h.state().state).toBe('ok');
    const pending = h.step(BAD);
    expect(moves(pending)).toEqual(['ok>pending']);
    expect(pending[0]?.atMs).toBe(10_000);
    expect(pending[0]?.startsAtMs).toBe(10_000);
    // 5 s steps: 15 … 35 s is under 30 s of pending; 40 s is exactly 30 s.
    for (let i = 0; i < 5; i++) expect(h.step(BAD)).toEqual([]);
    expect(h.state().state).toBe('pending');
    const fired = h.step(BAD);
    expect(moves(fired)).toEqual(['pending>firing']);
    expect(fired[0]).toMatchObject({ atMs: 40_000, startsAtMs: 10_000, value: BAD, rule: 'SlowFirstToken' });
    expect(h.state()).toMatchObject({ state: 'firing', since: 40_000, lastFiredAt: 40_000, lastResolvedAt: null });
    // Staying breached does not fire again.
    for (let i = 0; i < 10; i++) expect(h.step(BAD + i)).toEqual([]);
  });

  it('with for: 0 fires in the same evaluation that makes it pending', () => {
    const h = harness(makeRule({ forMs: 0 }));
    h.step(BAD);
    expect(moves(h.step(BAD))).toEqual(['ok>pending', 'pending>firing']);
  });

  it('does not fire on a good evaluation even when `for` has passed', () => {
    const h = harness(makeRule({ forMs: 10_000 }));
    h.step(BAD);
    h.step(BAD); // pending at 10 s
    expect(h.step(GOOD)).toEqual([]); // 15 s
    expect(h.step(GOOD)).toEqual([]); // 20 s: `for` has passed but the value is good
    expect(h.state().state).toBe('pending');
    expect(moves(h.step(BAD))).toEqual(['pending>firing']);
  });

  it('never fires on alternating good and bad evaluations (fireAfter 2)', () => {
    const h = harness(makeRule({ forMs: 0 }));
    for (let i = 0; i < 100; i++) h.step(i % 2 === 0 ? BAD : GOOD);
    expect(h.log).toEqual([]);
    expect(h.state().state).toBe('ok');
  });

  it('resolves only after resolveAfter consecutive good evaluations, then returns to ok silently', () => {
    const h = harness(makeRule({ forMs: 0 }));
    h.step(BAD);
    h.step(BAD);
    expect(h.state().state).toBe('firing');
    expect(h.step(GOOD)).toEqual([]);
    expect(h.step(GOOD)).toEqual([]);
    expect(h.step(BAD)).toEqual([]); // breaks the streak
    expect(h.step(GOOD)).toEqual([]);
    expect(h.step(GOOD)).toEqual([]);
    expect(h.state().state).toBe('firing');
    const resolved = h.step(GOOD - 100);
    expect(moves(resolved)).toEqual(['firing>resolved']);
    expect(resolved[0]).toMatchObject({ value: GOOD - 100, startsAtMs: 10_000, atMs: 40_000 });
    expect(h.state()).toMatchObject({ state: 'resolved', lastFiredAt: 10_000, lastResolvedAt: 40_000 });
    expect(h.step(GOOD)).toEqual([]);
    expect(h.state()).toMatchObject({ state: 'ok', since: 45_000 });
  });

  it('a pending rule that sees resolveAfter good evaluations goes back to ok without firing', () => {
    const h = harness(makeRule({ forMs: 60_000 }));
    h.step(BAD);
    h.step(BAD);
    h.step(GOOD);
    h.step(GOOD);
    expect(h.state().state).toBe('pending');
    expect(moves(h.step(GOOD))).toEqual(['pending>ok']);
    // Long after `for` would have passed, still nothing fired.
    for (let i = 0; i < 30; i++) h.step(GOOD);
    expect(moves(h.log)).toEqual(['ok>pending', 'pending>ok']);
    expect(h.state().lastFiredAt).toBeNull();
  });

  it('a single breached evaluation does not make the rule pending', () => {
    const h = harness(makeRule({ forMs: 0 }));
    for (let i = 0; i < 10; i++) h.step(GOOD);
    h.step(5000);
    for (let i = 0; i < 10; i++) h.step(GOOD);
    expect(h.log).toEqual([]);
  });

  it('one slow request in an otherwise good window does not fire a percentile rule', () => {
    const rule = makeRule({ forMs: 0 });
    const ev = new AlertEvaluator([rule]);
    const results: RequestResult[] = [];
    const transitions: AlertTransition[] = [];
    // One request a second; the 1m window is the last 60 of them; request 30 is very slow.
    for (let t = 1; t <= 120; t++) {
      results.push(makeResult({ ttftMs: t === 30 ? 9000 : 300 + (t % 7) * 10 }));
      const window = results.slice(-60);
      transitions.push(...ev.evaluate(t * 1000, () => queryFromResults(window, 60_000)));
    }
    expect(transitions).toEqual([]);
    expect(ev.states()[0]?.value).toBeLessThan(800);
    // The same rule on max does breach, so the outlier was really in the window.
    const maxEv = new AlertEvaluator([makeRule({ forMs: 0, threshold: parseThreshold('ttft{target:relay}:max<800') })]);
    const inWindow = results.slice(0, 60);
    maxEv.evaluate(1000, () => queryFromResults(inWindow, 60_000));
    expect(maxEv.evaluate(2000, () => queryFromResults(inWindow, 60_000)).map((t) => t.to)).toEqual(['pending', 'firing']);
  });

  it('respects minRequests: a breach with 2 requests is no evidence', () => {
    const h = harness(makeRule({ forMs: 0, minRequests: 5 }));
    for (let i = 0; i < 20; i++) h.step(9000, 2);
    expect(h.log).toEqual([]);
    expect(h.state().state).toBe('ok');
    // No request count at all is no evidence either.
    h.step(9000, null);
    expect(h.log).toEqual([]);
    h.step(9000, 5);
    expect(moves(h.step(9000, 5))).toEqual(['ok>pending', 'pending>firing']);
  });

  it('asks for the request count with the threshold tags, in the rule window', () => {
    const h = harness(makeRule({ window: '5m' }));
    h.step(BAD);
    const countCall = h.w.calls.find((c) => c.metric === 'requests');
    expect(countCall).toEqual({ window: '5m', metric: 'requests', aggregation: { kind: 'count' }, tags: { target: 'relay' } });
    expect(h.w.calls.find((c) => c.metric === 'ttft')).toEqual({
      window: '5m',
      metric: 'ttft',
      aggregation: { kind: 'p', p: 95 },
      tags: { target: 'relay' },
    });
  });

  it('minRequests 0 skips the request count', () => {
    const h = harness(makeRule({ forMs: 0, minRequests: 0 }));
    h.step(BAD, null);
    expect(moves(h.step(BAD, null))).toEqual(['ok>pending', 'pending>firing']);
  });

  it('no data leaves the state and the streaks as they are', () => {
    const h = harness(makeRule({ forMs: 0 }));
    h.step(BAD);
    h.step(BAD);
    expect(h.state().state).toBe('firing');
    for (let i = 0; i < 50; i++) h.step(null);
    expect(h.state()).toMatchObject({ state: 'firing', value: BAD, since: 10_000 });
    h.step(GOOD);
    h.step(GOOD);
    h.step(null); // a gap does not break the good streak...
    expect(moves(h.step(GOOD))).toEqual(['firing>resolved']);
    // ...nor a bad one: from ok, bad, no data, bad is two consecutive breaches.
    h.step(GOOD);
    h.step(BAD);
    h.step(null);
    expect(moves(h.step(BAD))).toEqual(['ok>pending', 'pending>firing']);
  });

  it('NaN is no data, not a breach', () => {
    const h = harness(makeRule({ forMs: 0 }));
    for (let i = 0; i < 5; i++) h.step(Number.NaN);
    expect(h.log).toEqual([]);
    expect(h.state().value).toBeNull();
  });

  it('transitions carry the value, expression, labels and a human summary', () => {
    const h = harness(makeRule({ forMs: 0, labels: { team: 'sre' } }));
    h.step(BAD);
    const [pending, firing] = h.step(BAD);
    expect(pending).toMatchObject({ to: 'pending', value: BAD, expression: 'ttft{target:relay}:p(95)<800', labels: { team: 'sre' } });
    expect(firing?.summary).toBe('ttft{target:relay}:p(95)<800 breached: 1203ms over 1m');
    expect(pending?.summary).toContain('breached: 1203ms over 1m');
    for (let i = 0; i < 2; i++) h.step(GOOD);
    const [resolved] = h.step(612.5);
    expect(resolved?.summary).toBe('ttft{target:relay}:p(95)<800 holds again: 612.5ms over 1m');
  });

  it('states() is plain JSON that survives a round trip, one entry per rule in order', () => {
    const rules = [makeRule({ name: 'a' }), makeRule({ name: 'b', window: '15m' })];
    const ev = new AlertEvaluator(rules);
    const w = new FakeWindow();
    w.value = BAD;
    ev.evaluate(1000, w.query);
    const views = ev.states();
    expect(JSON.parse(JSON.stringify(views))).toEqual(views);
    expect(views).toEqual([
      { name: 'a', state: 'ok', value: BAD, since: 1000, expression: 'ttft{target:relay}:p(95)<800', window: '1m', lastFiredAt: null, lastResolvedAt: null },
      { name: 'b', state: 'ok', value: BAD, since: 1000, expression: 'ttft{target:relay}:p(95)<800', window: '15m', lastFiredAt: null, lastResolvedAt: null },
    ]);
  });

  it('rules are independent', () => {
    const ev = new AlertEvaluator([
      makeRule({ name: 'fast', forMs: 0 }),
      makeRule({ name: 'slow', forMs: 0, fireAfter: 4 }),
    ]);
    const w = new FakeWindow();
    w.value = BAD;
    const all: AlertTransition[] = [];
    for (let t = 1; t <= 4; t++) all.push(...ev.evaluate(t * 1000, w.query));
    expect(all.map((t) => `${t.rule}:${t.to}@${t.atMs}`)).toEqual([
      'fast:pending@2000',
      'fast:firing@2000',
      'slow:pending@4000',
      'slow:firing@4000',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { FALLBACK_MS, GAP_PER_COST, GapWork, HALF_LIFE_MS, MIN_GAP_MS } from '../../../src/engine/gap-work.js';
import { OpenLoop } from '../../../src/engine/open-loop.js';
import { recordingHost, SMALL_SPEC } from '../../helpers/engine.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("the worker's tick between sends (engine/gap-work.ts)", () => {
  it('runs a job at once without an open loop, or when the next instant leaves room for it', () => {
    let now = 1000;
    const work = new GapWork(() => now);
    const ran: string[] = [];
    work.run(() => ran.push('no loop'));
    work.after(now + MIN_GAP_MS);
    work.run(() => ran.push('room'));
    expect(ran).toEqual(['no loop', 'room']);
    expect(work.deferred).toBe(0);
    now += 0.5;
    work.run(() => ran.push('near'));
    expect(ran).toEqual(['no loop', 'room']);
  });

  it('a job due near an instant runs on the turn after that instant fired, never in the turn that fired it', async () => {
    let now = 1000;
    const work = new GapWork(() => now);
    const ran: string[] = [];
    work.after(now + 0.5);
    work.run(() => ran.push('tick'));
    // A second job while one is owed waits behind it, even with room: their order is kept.
    now += 0.4;
    work.run(() => ran.push('took'));
    expect(ran).toEqual([]);
    now += 0.2; // the instant has passed: the loop fires its sends, then hands over the next instant
    work.after(now + 5);
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(['tick', 'took']);
    expect(work.deferred).toBe(2);
    // Nothing owed: the next after() schedules nothing.
    work.after(now + 10);
    await nextTurn();
    expect(ran).toEqual(['tick', 'took']);
  });

  it('a job that took long asks for a longer gap, for a while', () => {
    let now = 0;
    const work = new GapWork(() => now);
    work.run(() => (now += 4)); // preempted, or the dashboard's every window
    expect(work.neededMs()).toBe(4 * GAP_PER_COST);
    work.after(now + 4 * GAP_PER_COST - 0.1);
    const ran: number[] = [];
    work.run(() => ran.push(1));
    expect(ran).toEqual([]);
    now += 2 * HALF_LIFE_MS;
    expect(work.neededMs()).toBe(Math.max(MIN_GAP_MS, GAP_PER_COST));
  });

  it('the loop pausing or ending hands owed work over on the next turn', async () => {
    const now = 0;
    const work = new GapWork(() => now);
    const ran: string[] = [];
    work.after(0.2);
    work.run(() => ran.push('tick'));
    work.cancel();
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(['tick']);
    // With no instant pending, every job runs at once.
    work.run(() => ran.push('paused tick'));
    expect(ran).toEqual(['tick', 'paused tick']);
  });

  it('owed work never waits past FALLBACK_MS after its instant, even if the loop says nothing more', async () => {
    const work = new GapWork();
    let ran = false;
    const asked = performance.now();
    work.after(asked + 0.5);
    work.run(() => (ran = true));
    expect(ran).toBe(false);
    for (let i = 0; i < 400 && !ran; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ran).toBe(true);
    expect(performance.now() - asked).toBeGreaterThanOrEqual(FALLBACK_MS);
  });

  it('the open loop hands it each next instant after its sends, and cancels when its plan runs out', async () => {
    const events: string[] = [];
    let ranOut = false;
    const host = recordingHost(events, () => (ranOut = true));
    const work = new GapWork(undefined, 60_000); // no fallback within the test: only the loop's word runs owed work
    const start = performance.now() + 30;
    const entry = { line: 1, offsetMs: null, spec: SMALL_SPEC };
    const plan = { kind: 'replay' as const, entries: [entry, entry], mode: { kind: 'rate' as const, ratePerSec: 20, poisson: false, seed: 1 }, loop: false, targets: ['a'] };
    const loop = new OpenLoop(host, plan, start, null, [work]);
    loop.schedule(); // the first instant is 30 ms away
    work.run(() => events.push('tick at once'));
    // 0.5 ms before the first instant: owed until it has fired.
    while (performance.now() < start - 0.5) await new Promise((resolve) => setTimeout(resolve, 1));
    work.run(() => events.push('owed tick'));
    while (!ranOut) await new Promise((resolve) => setTimeout(resolve, 5));
    await nextTurn();
    host.saturation.close();
    expect(events.slice(0, 3)).toEqual(['tick at once', 'send', 'owed tick']);
    expect(events.filter((e) => e === 'send')).toHaveLength(2);
    // The plan ran out: nothing pending, a tick runs at once.
    work.run(() => events.push('after the plan'));
    expect(events.at(-1)).toBe('after the plan');
  });
});

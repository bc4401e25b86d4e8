import { describe, expect, it } from 'vitest';
import { FILL, GAP_PER_COST, GapCollector, HALF_LIFE_MS, MIN_GAP_MS, scavenger, watchScavenges, youngFill } from '../../../src/engine/gap-gc.js';
import { OpenLoop } from '../../../src/engine/open-loop.js';
import { recordingHost, SMALL_SPEC } from '../../helpers/engine.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('scavenges between sends (engine/gap-gc.ts)', () => {
  it("V8's young-generation collector is there to ask, and the fill reads 0–1", () => {
    const collect = scavenger();
    expect(collect).toBeTypeOf('function');
    collect!();
    const fill = youngFill();
    expect(fill).toBeGreaterThanOrEqual(0);
    expect(fill).toBeLessThanOrEqual(1);
  });

  it('collects on the next turn when the next instant is far enough and the young generation is full enough', async () => {
    let now = 1000;
    let fill = FILL;
    let collected = 0;
    const gap = new GapCollector(() => (collected += 1), () => fill, () => now);
    gap.after(now + MIN_GAP_MS);
    expect(collected).toBe(0); // never in the turn that fired the sends: their requests are not written yet
    await nextTurn();
    expect(collected).toBe(1);
    // Too close to the next instant: V8 is left to collect when it will.
    gap.after(now + MIN_GAP_MS - 0.1);
    await nextTurn();
    expect(collected).toBe(1);
    // Not full enough: nothing to gain yet.
    fill = FILL - 0.01;
    gap.after(now + 100);
    await nextTurn();
    expect(collected).toBe(1);
    // Several instants set in one turn: one look, at the latest.
    fill = 1;
    gap.after(now + 1);
    gap.after(now + 50);
    await nextTurn();
    expect(collected).toBe(2);
    // Time passed before the look: the gap is measured then, not when asked.
    gap.after(now + 10);
    now += 8;
    await nextTurn();
    expect(collected).toBe(2);
    gap.after(now + 10);
    gap.cancel();
    await nextTurn();
    expect(collected).toBe(2);
    expect(gap.collections).toBe(2);
  });

  it('a collection that took long (a loaded machine) asks for a longer gap, for a while', async () => {
    let now = 0;
    let collected = 0;
    let takes = 10; // preempted mid-scavenge
    const gap = new GapCollector(() => {
      collected += 1;
      now += takes;
    }, () => 1, () => now);
    gap.after(now + MIN_GAP_MS);
    await nextTurn();
    expect(collected).toBe(1);
    expect(gap.neededMs()).toBe(10 * GAP_PER_COST);
    gap.after(now + 10 * GAP_PER_COST - 1);
    await nextTurn();
    expect(collected).toBe(1);
    gap.after(now + 10 * GAP_PER_COST);
    await nextTurn();
    expect(collected).toBe(2);
    expect(gap.neededMs()).toBe(10 * GAP_PER_COST);
    // No collection since (the gaps were all too short): the demand still comes down with time, halving per half-life.
    takes = 0;
    now += HALF_LIFE_MS;
    expect(gap.neededMs()).toBeCloseTo(5 * GAP_PER_COST, 9);
    now += 3 * HALF_LIFE_MS;
    expect(gap.neededMs()).toBe(MIN_GAP_MS);
  });

  it("V8's own scavenges count too: one seen before the first instant sets the gap asked for", async () => {
    const seen: number[] = [];
    const stop = watchScavenges((ms) => seen.push(ms));
    scavenger()!();
    // perf_hooks delivers 'gc' entries a turn or so later.
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    stop();
    expect(seen.length).toBeGreaterThan(0);
    let now = 0;
    const gap = new GapCollector(() => undefined, () => 1, () => now);
    gap.seen(12, now);
    expect(gap.neededMs()).toBe(12 * GAP_PER_COST);
    // An older entry delivered late changes nothing.
    gap.seen(30, now - 1);
    expect(gap.neededMs()).toBe(12 * GAP_PER_COST);
    now += HALF_LIFE_MS;
    expect(gap.neededMs()).toBeCloseTo(6 * GAP_PER_COST, 9);
  });

  it('without a collector it does nothing', async () => {
    const gap = new GapCollector(null, () => 1, () => 0);
    gap.after(1000);
    await nextTurn();
    expect(gap.collections).toBe(0);
  });

  it('the open loop asks after each send, with the next instant, once the sends of the turn are out', async () => {
    const events: string[] = [];
    const host = recordingHost(events);
    const asked: number[] = [];
    const gap = new GapCollector(() => events.push('collect'), () => 1);
    const after = gap.after.bind(gap);
    gap.after = (instant: number): void => {
      asked.push(instant);
      after(instant);
    };
    const start = performance.now();
    const loop = new OpenLoop(host, { kind: 'probes', streams: [{ probe: 'p', target: 'a', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 20 }, seed: 1 }] }, start, null, [gap]);
    loop.schedule();
    while (events.filter((e) => e === 'send').length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    loop.cancel();
    host.saturation.close();
    // The first send is due at the start itself: fired at once, then the next instant (start + 20) is handed over.
    expect(asked.slice(0, 2)).toEqual([start + 20, start + 40]);
    expect(events.slice(0, 5)).toEqual(['send', 'collect', 'send', 'collect', 'send']);
  });
});

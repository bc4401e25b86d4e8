import { describe, expect, it } from 'vitest';
import type { ReplayEntry, TrafficPlan } from '../../../src/engine/messages.js';
import { GapCollector } from '../../../src/engine/gap-gc.js';
import { gapCollector, makeSlots } from '../../../src/engine/start.js';
import { engineConfig, SMALL_SPEC, target } from '../../helpers/engine.js';

const lines = (n: number): ReplayEntry[] => Array.from({ length: n }, (_, i) => ({ line: i + 1, offsetMs: null, spec: SMALL_SPEC }));
const closedPlan = (concurrency: number): TrafficPlan => ({ kind: 'replay', entries: lines(3), mode: { kind: 'closed', concurrency }, loop: true, targets: ['a'] });
const ratePlan: TrafficPlan = { kind: 'replay', entries: lines(3), mode: { kind: 'rate', ratePerSec: 10, poisson: false, seed: 1 }, loop: false, targets: ['a'] };

describe("a run's start before its clock (engine/start.ts)", () => {
  it('each target gets a slot whose pool, gate and dashboard row all hold the cap the plan lets out', () => {
    const slots = makeSlots(engineConfig([target('a', 'http://127.0.0.1:9/v1', { concurrency: 8 }), target('b', 'http://127.0.0.1:9/v1')], closedPlan(12)));
    expect([...slots.keys()]).toEqual(['a', 'b']);
    const a = slots.get('a')!;
    expect(a.target.concurrency).toBe(12);
    expect(a.gate.cap).toBe(12);
    expect(a.info).toEqual({ name: 'a', baseUrl: 'http://127.0.0.1:9/v1', protocol: a.target.protocol, cap: 12, backoffs: 0, backoffSkipped: 0, backoffUntil: null });
  });

  it('only an open loop outside probe collects in the gaps between its sends, and its watch can be ended', () => {
    const targets = [target('a', 'http://127.0.0.1:9/v1')];
    expect(gapCollector(engineConfig(targets, closedPlan(2)))).toBeNull();
    expect(gapCollector(engineConfig(targets, ratePlan, { probeRules: true }))).toBeNull();
    const watch = gapCollector(engineConfig(targets, ratePlan));
    expect(watch?.gap).toBeInstanceOf(GapCollector);
    watch!.unwatch();
  });
});

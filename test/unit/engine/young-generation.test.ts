import { describe, expect, it } from 'vitest';
import type { ReplayEntry, TrafficPlan } from '../../../src/engine/messages.js';
import { ENGINE_YOUNG_GENERATION_MB, engineYoungGenerationMb } from '../../../src/engine/engine.js';
import { SMALL_SPEC } from '../../helpers/engine.js';

const lines: ReplayEntry[] = [{ line: 1, offsetMs: null, spec: SMALL_SPEC }];

describe("the engine worker's young generation (engine.ts)", () => {
  it('is the larger one for a closed loop, which allocates at the pace answers come back, and the smaller for a paced run', () => {
    const closed: TrafficPlan = { kind: 'replay', entries: lines, mode: { kind: 'closed', concurrency: 32 }, loop: true, targets: ['a'] };
    const rate: TrafficPlan = { kind: 'replay', entries: lines, mode: { kind: 'rate', ratePerSec: 20, poisson: false, seed: 1 }, loop: false, targets: ['a'] };
    const probes: TrafficPlan = { kind: 'probes', streams: [] };
    expect(ENGINE_YOUNG_GENERATION_MB.closedLoop).toBeGreaterThan(ENGINE_YOUNG_GENERATION_MB.paced);
    expect(engineYoungGenerationMb(closed)).toBe(ENGINE_YOUNG_GENERATION_MB.closedLoop);
    expect(engineYoungGenerationMb(rate)).toBe(ENGINE_YOUNG_GENERATION_MB.paced);
    expect(engineYoungGenerationMb(probes)).toBe(ENGINE_YOUNG_GENERATION_MB.paced);
  });
});

/**
 * The honesty counts reach the engine's rolling windows, per target and model,
 * where the dashboard, alerts and exporters read them (engine in-process, real
 * loopback HTTP to simulated relays).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/server.js';
import type { ProbeStream } from '../../src/engine/messages.js';
import { SMALL_SPEC, startRunner, target } from '../helpers/engine.js';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';

const mocks: MockServer[] = [];
afterEach(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  mocks.length = 0;
});

async function mock(...args: Parameters<typeof startMock>): Promise<MockServer> {
  const m = await startMock(...args);
  mocks.push(m);
  return m;
}

const stream = (name: string, intervalMs = 40): ProbeStream => ({ probe: 'p', target: name, spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs }, seed: 1 });
const PROMPT = 3 + 1 + encode('Reply with OK').length + 3;

describe('honesty counts in the windows', () => {
  it('usage mismatches with the gap, dropped usage and fingerprint changes, per target and model', async () => {
    const fast = { ttftMs: 2, itlMs: 1, tokens: 8 };
    const honest = await mock(fast);
    const inflated = await mock({ ...fast, inflateUsage: 2 });
    const sloppy = await mock({ ...fast, dropUsageRate: 1, fingerprintEvery: 3 });
    const run = startRunner(
      [target('honest', honest.url), target('inflated', inflated.url), target('sloppy', sloppy.url, { concurrency: 1 })],
      { kind: 'probes', streams: [stream('honest'), stream('inflated'), stream('sloppy')] },
      { stopAfter: { durationMs: null, requests: 6 } }, // six to each target
    );
    const final = await run.done;
    const win = (name: string) => {
      const t = final.snapshot.stats.targets.find((x) => x.target === name)!;
      expect(t.models.map((m) => m.model)).toEqual(['gpt-4o-mini']);
      expect(t.models[0]!.windows.all.usageMismatches).toBe(t.windows.all.usageMismatches);
      return t.windows.all;
    };
    const h = win('honest');
    const n = h.requests;
    expect(n).toBeGreaterThanOrEqual(4);
    expect(h).toMatchObject({ usageCompared: n, usageMismatches: 0, streams: n, streamsWithoutUsage: 0, fingerprinted: n, fingerprintChanges: 0 });
    expect(h.usageGap).toEqual({ billedInputTokens: n * PROMPT, countedInputTokens: n * PROMPT, billedOutputTokens: 8 * n, countedOutputTokens: 8 * n, ratio: 0 });

    const i = win('inflated');
    expect(i).toMatchObject({ usageCompared: i.requests, usageMismatches: i.requests });
    expect(i.usageGap).toMatchObject({ billedOutputTokens: 16 * i.requests, countedOutputTokens: 8 * i.requests });
    expect(i.usageGap.ratio).toBeCloseTo(8 / (PROMPT + 8), 12);

    const s = win('sloppy');
    const m = s.requests;
    // Answers carry fp_mock_0 three times, then fp_mock_1 three times, ...: a change every third answer.
    expect(s).toMatchObject({ usageCompared: 0, usageMismatches: 0, streams: m, streamsWithoutUsage: m, fingerprinted: m, usageEstimated: m });
    expect(s.fingerprintChanges).toBe(Math.floor((m - 1) / 3));
    expect(m).toBeGreaterThanOrEqual(4);
    expect(final.snapshot.stats.windows.all).toMatchObject({ usageCompared: n + i.requests, usageMismatches: i.requests, streamsWithoutUsage: m });
  });
});

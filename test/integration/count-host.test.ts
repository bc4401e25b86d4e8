import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/server.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineConfig } from '../../src/engine/messages.js';
import { countHost } from '../../src/tokens/count-host.js';
import { useCountPort } from '../../src/tokens/counter.js';
import { engineConfig, SMALL_SPEC, startRunner, target } from '../helpers/engine.js';

let mock: MockServer | null = null;
afterEach(async () => {
  await mock?.close();
  mock = null;
});

const plan = (url: string, seed: number): Pick<EngineConfig, 'plan' | 'targets'> => ({
  targets: [target('m', url)],
  plan: { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'rate', ratePerSec: 100 }, seed }] },
});

describe('counting on the engine’s parent thread', () => {
  it('the engine worker’s counts are made here, by this thread’s count host, and are exact', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 16 });
    const before = countHost().stats.jobs;
    const run = plan(mock.url, 3);
    const engine = new Engine(engineConfig(run.targets, run.plan, { stopAfter: { durationMs: null, requests: 20 } }));
    const seen: unknown[] = [];
    engine.on('snapshot', (s) => seen.push(...s.results));
    const final = await engine.done;
    seen.push(...final.snapshot.results);
    expect(seen).toHaveLength(20);
    for (const r of final.snapshot.results.concat()) expect(r.localCountKind).toBe('exact');
    // Every count was made here; the mock's short answers repeat, and a prompt and answer counted before
    // send no second job (client/counting.ts, OUTPUT_CACHE_MAX_CHARS), so there are between 1 and 20 jobs.
    const jobs = countHost().stats.jobs - before;
    expect(jobs).toBeGreaterThan(0);
    expect(jobs).toBeLessThanOrEqual(20);
    expect(countHost().holdingTables).toBe(true);
  });

  it('a count host that is gone: every result is still published, its counts estimated from the length (limit time)', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 16 });
    const { port1, port2 } = new MessageChannel();
    useCountPort(port2);
    port1.close();
    const run = startRunner(plan(mock.url, 4).targets, plan(mock.url, 4).plan, { stopAfter: { durationMs: null, requests: 10 } });
    const done = await run.done;
    const results = [...run.snapshots, done.snapshot].flatMap((s) => s.results);
    expect(results).toHaveLength(10);
    for (const r of results) {
      expect(r.localCountKind).toBe('estimate');
      expect(r.localCountLimit).toBe('time');
      expect(r.localOutputTokens).toBeGreaterThan(0);
    }
  });
});

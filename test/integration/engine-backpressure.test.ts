/**
 * The engine worker's snapshots under a main thread slower than the ticks
 * (engine/pace.ts): the worker posts the next one only after the main thread
 * took the last, so a blocked main thread finds at most one waiting, never a
 * queue that grows with the time it was away; nothing a snapshot carries is
 * lost meanwhile; and a stop while starved ends the run without a backlog to
 * chew through first. The relay runs in a thread of its own, so its answers
 * do not wait for this thread (the token counts do: the count host is here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { Engine } from '../../src/engine/engine.js';
import type { EngineSnapshot } from '../../src/engine/messages.js';
import { engineConfig, SMALL_SPEC, target } from '../helpers/engine.js';

interface MockThread {
  url: string;
  served(): Promise<number>;
  close(): Promise<void>;
}

/** relaymon mock (the built one) in a worker thread: it answers while this thread is blocked. */
async function mockInThread(): Promise<MockThread> {
  const server = new URL('../../dist/mock/server.js', import.meta.url).href;
  const code = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(server)}).then(async ({ startMock }) => {
      const mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 2 });
      parentPort.on('message', async (m) => {
        if (m === 'served') parentPort.postMessage({ served: mock.stats().byRoute.chat });
        else { await mock.close(); parentPort.postMessage({ closed: true }); }
      });
      parentPort.postMessage({ url: mock.url });
    });`;
  const worker = new Worker(code, { eval: true });
  const next = (): Promise<Record<string, unknown>> => new Promise((resolve) => worker.once('message', resolve));
  const { url } = (await next()) as { url: string };
  return {
    url,
    served: async () => {
      const answer = next();
      worker.postMessage('served');
      return ((await answer) as { served: number }).served;
    },
    close: async () => {
      const answer = next();
      worker.postMessage('close');
      await answer;
      await worker.terminate();
    },
  };
}

/** This thread does nothing else for ms: a dashboard that draws far slower than the engine ticks. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // starving the main thread on purpose
  }
}

let mock: MockThread | null = null;
afterEach(async () => {
  await mock?.close();
  mock = null;
});

const TICK_MS = 10;
const BLOCK_MS = 1500;

describe('snapshots under a starved main thread', () => {
  it('at most one waits while the main thread is away; every result still arrives; a stop ends the run at once', async () => {
    mock = await mockInThread();
    const engine = new Engine(
      engineConfig(
        [target('m', mock.url, { concurrency: 16 })],
        { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'rate', ratePerSec: 100 }, seed: 1 }] },
        { tickMs: TICK_MS, graceMs: 5000 },
      ),
    );
    const seen: { snapshot: EngineSnapshot; at: number }[] = [];
    let results = 0;
    engine.on('snapshot', (s) => {
      seen.push({ snapshot: s, at: Date.now() });
      results += s.results.length;
    });
    // Running, with results coming in.
    await new Promise<void>((resolve) => {
      const check = (s: EngineSnapshot): void => {
        if (s.progress.done >= 5) {
          engine.off('snapshot', check);
          resolve();
        }
      };
      engine.on('snapshot', check);
    });

    const blockStart = Date.now();
    busy(BLOCK_MS);
    const blockEnd = Date.now();
    // Like q after a long frame: the stop goes out before anything queued meanwhile is read.
    engine.stop('interrupt');
    const seenAtStop = seen.length;
    const final = await engine.done;

    // The worker ticked ~BLOCK_MS / TICK_MS times meanwhile. Made while this thread was away (the snapshot's own
    // clock; a margin either side for the two threads' readings of it): without back-pressure every one of them
    // was queued and read before the final result; with it, only the one outstanding when the block began.
    const made = (s: EngineSnapshot): number => s.startedAt + s.elapsedMs;
    const madeWhileAway = seen.filter(({ snapshot }) => made(snapshot) > blockStart + 20 && made(snapshot) < blockEnd - 20);
    expect(madeWhileAway.length).toBeLessThanOrEqual(1);
    // Between the stop and the final result: what was outstanding, and what the stop's drain ticked (the relay's
    // answers to the last sends); never the block's backlog.
    expect(seen.length - seenAtStop).toBeLessThan(BLOCK_MS / TICK_MS / 4);

    // Nothing a skipped tick would have carried is lost: every finished result arrives exactly once.
    results += final.snapshot.results.length;
    expect(final.stoppedBy).toBe('interrupt');
    expect(results).toBe(final.snapshot.progress.done);
    expect(final.snapshot.progress.done).toBe(final.snapshot.progress.sent);
    expect(final.snapshot.progress.done).toBe(await mock.served());
    expect(final.snapshot.stats.windows.all.requests).toBe(final.snapshot.progress.done);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/server.js';
import { MAX_TIMER_MS } from '../../src/core/long-timeout.js';
import { SMALL_SPEC, startRunner, target } from '../helpers/engine.js';

let mock: MockServer | null = null;
afterEach(async () => {
  await mock?.close();
  mock = null;
});

describe('a run longer than Node keeps a timer', () => {
  it('-d 30d keeps sending (it ended at once, 0 sent, when the duration timer overflowed)', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 2 });
    const thirtyDays = 30 * 86_400_000;
    expect(thirtyDays).toBeGreaterThan(MAX_TIMER_MS);
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
      { stopAfter: { durationMs: thirtyDays, requests: null } },
    );
    let ended = false;
    void run.done.then(() => (ended = true));
    // Waits on the relay's own count (or the run's end), not a sleep: five sends mean the run outlived the overflowed timer's 1 ms.
    while (!ended && mock.stats().byRoute.chat < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    run.runner.stop('interrupt');
    const final = await run.done;
    expect(final.stoppedBy).toBe('interrupt');
    expect(final.snapshot.progress.sent).toBeGreaterThanOrEqual(5);
  });
});

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/server.js';
import { SMALL_SPEC, startRunner, target } from '../helpers/engine.js';
import { tokenCounter } from '../../src/tokens/counter.js';
import { isEncodingLoaded } from '../../src/tokens/encodings.js';

let mock: MockServer | null = null;
let refusing: Server | null = null;
afterEach(async () => {
  await mock?.close();
  mock = null;
  await new Promise((resolve) => (refusing ? refusing.close(resolve) : resolve(undefined)));
  refusing = null;
});

/** A relay that refuses everything, without usage; not relaymon's mock, which loads o200k_base in this thread for itself. */
async function startRefusing(): Promise<string> {
  refusing = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve) => refusing!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/v1`;
}

/** One file, one process: the counter is this thread's, as the engine worker's is in a run. */
describe('counting in a run (the count host, tokens/count-host.ts; this file kept its name)', () => {
  it('is released when the run no longer needs it (every request refused, no usage), and a later run gets a new one that counts', async () => {
    tokenCounter().idleMs = 200;
    const refused = startRunner(
      [target('m', await startRefusing())],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'rate', ratePerSec: 100 }, seed: 1 }] },
      { stopAfter: { durationMs: null, requests: 5 } },
    );
    const final = await refused.done;
    expect(final.snapshot.stats.windows.all.requests).toBe(5);
    expect(final.snapshot.stats.windows.all.errors).toBe(5);
    // Started before traffic (the run prepared), then let go: nothing was asked of it for idleMs. (On a loaded
    // machine more than idleMs may pass between the run's warm-up and its first send, so it may have been let
    // go and started again once within the run: not counted exactly here.)
    expect(tokenCounter().spawned).toBeGreaterThanOrEqual(1);
    // Waited for from the run's end: a release within the run (above) was followed by a start again.
    if (tokenCounter().running) await once(tokenCounter(), 'released');
    const spawnedBefore = tokenCounter().spawned;
    expect(tokenCounter().running).toBe(false);
    // The count host (here the counter's own, in this thread: no port was given) let its tables go.
    expect(isEncodingLoaded('o200k_base')).toBe(false);
    // A loaded machine may leave 200 ms between two results of the next run: it must not release in between.
    tokenCounter().idleMs = 30_000;

    mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 16 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'rate', ratePerSec: 100 }, seed: 2 }] },
      { stopAfter: { durationMs: null, requests: 20 } },
    );
    const done = await run.done;
    const results = [...run.snapshots, done.snapshot].flatMap((s) => s.results);
    expect(results).toHaveLength(20);
    for (const r of results) {
      expect(r.localCountKind).toBe('exact');
      expect(r.localOutputTokens).toBe(16);
      expect(r.usageMismatch).toBe(false);
    }
    // Counting started once more for the whole run, not once per result.
    expect(tokenCounter().spawned).toBe(spawnedBefore + 1);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dueAfterEnd, limitReached, planEndsWithin, quotaMet, runTotals } from '../../../src/engine/limits.js';
import { effectiveCap } from '../../../src/engine/gate.js';
import type { ReplayEntry, TrafficPlan } from '../../../src/engine/messages.js';
import { startMock, type MockServer } from '../../../src/mock/server.js';
import { SMALL_SPEC, startRunner, target } from '../../helpers/engine.js';
import { startHostile } from '../../helpers/hostile.js';
import { until } from '../../helpers/net.js';
import { SENTINEL_KEY } from '../../helpers/cli.js';
import { clearSecrets, registerSecret } from '../../../src/core/redact.js';

const line = (n: number, targets?: string[]): ReplayEntry => ({ line: n, offsetMs: null, spec: SMALL_SPEC, ...(targets ? { targets } : {}) });
const closedPlan = (entries: ReplayEntry[], concurrency: number, loop: boolean, targets: string[]): TrafficPlan => ({ kind: 'replay', entries, mode: { kind: 'closed', concurrency }, loop, targets });

describe('when a run has sent enough (engine/limits.ts)', () => {
  it('the progress total is the plan, or -n × targets, whichever is smaller', () => {
    const finite = closedPlan([line(1), line(2), line(3)], 1, false, ['a', 'b']);
    expect(runTotals(finite, null, 2)).toEqual({ planned: 6, total: 6 });
    expect(runTotals(finite, 2, 2)).toEqual({ planned: 6, total: 4 });
    expect(runTotals(finite, 10, 2)).toEqual({ planned: 6, total: 6 });
    expect(runTotals({ kind: 'probes', streams: [] }, 5, 3)).toEqual({ planned: null, total: 15 });
    expect(runTotals({ kind: 'probes', streams: [] }, null, 3)).toEqual({ planned: null, total: null });
  });

  it('-n N: a target has its N when its sent and held sends reach N', () => {
    expect(quotaMet(null, 1000, 0)).toBe(false);
    expect(quotaMet(3, 2, 0)).toBe(false);
    expect(quotaMet(3, 2, 1)).toBe(true);
    expect(quotaMet(3, 3, 0)).toBe(true);
  });

  it('-n N is reached when every target of the plan had N (open loop), or N lines were taken (closed loop)', () => {
    expect(limitReached(null, null, [5, 5])).toBe(false);
    expect(limitReached(3, null, [3, 2])).toBe(false);
    expect(limitReached(3, null, [3, 4])).toBe(true);
    expect(limitReached(3, 2, [9, 9])).toBe(false);
    expect(limitReached(3, 3, [0, 0])).toBe(true);
  });

  it('a plan that ends no later than -n ends by itself (stoppedBy null), not by -n', () => {
    expect(planEndsWithin(6, 3, 2)).toBe(true);
    expect(planEndsWithin(6, 2, 2)).toBe(false);
    expect(planEndsWithin(null, 2, 2)).toBe(false);
    expect(planEndsWithin(6, null, 2)).toBe(false);
  });

  it('a --duration run holds exactly the sends due in [0, duration)', () => {
    expect(dueAfterEnd(1000 + 999, 1000, 1000)).toBe(false);
    expect(dueAfterEnd(1000 + 1000, 1000, 1000)).toBe(true);
    expect(dueAfterEnd(1e12, 1000, null)).toBe(false);
    // An instant computed as start + k × interval that rounds to just short of the end is at the end.
    const start = 593.688359;
    expect(start + 8 * 250 - start).toBeLessThan(2000);
    expect(dueAfterEnd(start + 8 * 250, start, 2000)).toBe(true);
    expect(dueAfterEnd(start + 7 * 250, start, 2000)).toBe(false);
  });

  it('a closed loop raises the default cap to its workers, never a cap the user chose', () => {
    const plan = closedPlan([line(1)], 12, true, ['a']);
    expect(effectiveCap(target('a', 'http://x', { concurrency: 8 }), plan)).toBe(12);
    expect(effectiveCap(target('a', 'http://x', { concurrency: 4, concurrencyChosen: true }), plan)).toBe(4);
    expect(effectiveCap(target('a', 'http://x', { concurrency: 8 }), { kind: 'probes', streams: [] })).toBe(8);
  });
});

let mock: MockServer | null = null;
let server: Server | null = null;
const sockets = new Set<Socket>();
afterEach(async () => {
  await mock?.close();
  mock = null;
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A relay that takes every request and never answers; its URL. */
async function silentRelay(): Promise<string> {
  server = createServer(() => undefined);
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

/** Resolves once `ok()` holds (polled by test/helpers/net.ts until: an event of the run, not a sleep), or fails naming `what`. */
async function when(ok: () => boolean, what: string): Promise<void> {
  await until(async () => (ok() ? true : null), what);
}

/** Resolves once the runner has n requests in flight (its own count, not a sleep). */
function inFlight(run: { runner: { snapshot(withStats: boolean): { saturation: { inFlight: number } } } }, n: number): Promise<void> {
  return when(() => run.runner.snapshot(false).saturation.inFlight === n, `${n} requests in flight`);
}

describe('EngineRunner in this thread, over loopback', () => {
  it('a looped one-line closed loop (probe -n 7 -c 3) sends exactly 7 and stops by requests, never more than 3 at once', async () => {
    mock = await startMock({ ttftMs: 20, itlMs: 1, tokens: 2 });
    const run = startRunner([target('m', mock.url)], closedPlan([line(1)], 3, true, ['m']), { stopAfter: { durationMs: null, requests: 7 } });
    const final = await run.done;
    expect(mock.stats().byRoute.chat).toBe(7);
    expect(final.stoppedBy).toBe('requests');
    expect(final.snapshot.stats.windows.all.requests).toBe(7);
    // The default cap (8) is above the workers: they never wait for each other, and never have more than 3 out.
    expect(final.snapshot.targets[0]!.cap).toBe(8);
    for (const snap of run.snapshots) expect(snap.saturation.inFlight).toBeLessThanOrEqual(3);
    expect(final.snapshot.targets[0]!.schedule).toMatchObject({ sent: 7, dropped: 0 });
    expect(final.snapshot.saturation.inFlight).toBe(0);
  });

  it('a finite closed loop ends by itself with the file (stoppedBy null), each line to its own targets', async () => {
    mock = await startMock({ ttftMs: 5, itlMs: 1, tokens: 2 });
    const run = startRunner([target('a', mock.url), target('b', mock.url)], closedPlan([line(1), line(2, ['b']), line(3)], 2, false, ['a', 'b']), {});
    const final = await run.done;
    expect(final.stoppedBy).toBeNull();
    expect(final.snapshot.progress).toMatchObject({ sent: 5, done: 5, total: 5 });
    expect(final.snapshot.stats.targets.find((t) => t.target === 'b')!.windows.all.requests).toBe(3);
  });

  it('a stop waits the grace period for requests in flight, then cuts them: unfinished, not errors', async () => {
    const url = await silentRelay();
    const run = startRunner([target('h', url)], closedPlan([line(1)], 2, true, ['h']), { graceMs: 300 });
    await inFlight(run, 2);
    const stoppedAt = performance.now();
    run.runner.stop('interrupt');
    const final = await run.done;
    expect(performance.now() - stoppedAt).toBeGreaterThanOrEqual(290);
    expect(final.stoppedBy).toBe('interrupt');
    const all = final.snapshot.stats.windows.all;
    expect(all.unfinished).toBe(2);
    expect(all.errors).toBe(0);
    expect(final.anyHttpAnswer).toBe(false);
  });

  it('a cut during the grace period (watch: Ctrl-C after q) cancels what is in flight then, without waiting out the grace', async () => {
    const url = await silentRelay();
    // A grace no test run outlasts: the run can only end this soon by the cut.
    const run = startRunner([target('h', url)], closedPlan([line(1)], 2, true, ['h']), { graceMs: 60_000 });
    await inFlight(run, 2);
    run.runner.stop('interrupt');
    run.runner.cut();
    const final = await run.done;
    expect(final.stoppedBy).toBe('interrupt');
    const all = final.snapshot.stats.windows.all;
    expect(all.unfinished).toBe(2);
    expect(all.errors).toBe(0);
    // A plain cancel, not the relay's timeout at the grace period's end.
    expect(all.errorTypes['timeout'] ?? 0).toBe(0);
  });

  it('pause holds the open loop and resume picks it up where it left off: no burst of the paused sends', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 1, tokens: 1 });
    const plan: TrafficPlan = { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] };
    const run = startRunner([target('m', mock.url)], plan, {});
    await when(() => run.runner.snapshot(false).progress.sent >= 2, '2 sends');
    run.runner.pause();
    const sentAtPause = run.runner.snapshot(false).progress.sent;
    await new Promise((r) => setTimeout(r, 400));
    expect(run.runner.snapshot(false).progress.sent).toBe(sentAtPause);
    run.runner.resume();
    await new Promise((r) => setTimeout(r, 120));
    run.runner.stop('interrupt');
    const final = await run.done;
    // 400 ms paused would owe 8 sends at 50 ms; resumed, the plan continues at its pace instead (a few in 120 ms).
    expect(final.snapshot.progress.sent - sentAtPause).toBeLessThanOrEqual(5);
  });
});

/** Every window set a snapshot's statistics hold, as lists of window names: the run's, each target's, model's and probe's. */
function windowKeys(stats: { windows: object; targets: readonly { windows: object; models: readonly { windows: object }[]; probes: readonly { windows: object }[] }[] }): string[][] {
  const sets = [stats.windows, ...stats.targets.flatMap((t) => [t.windows, ...t.models.map((m) => m.windows), ...t.probes.map((p) => p.windows)])];
  return sets.map((w) => Object.keys(w).sort());
}

describe('the windows periodic snapshots compute (EngineConfig.liveWindows, engine/ticks.ts)', () => {
  const every50: TrafficPlan = { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] };

  it('each tick computes only the windows asked for; the final snapshot has all four', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 1, tokens: 1 });
    const run = startRunner([target('m', mock.url)], every50, { liveStats: true, liveWindows: ['1m'], tickMs: 50 });
    await when(() => run.snapshots.some((s) => (s.stats?.windows['1m']?.requests ?? 0) >= 3), 'a snapshot with 3 requests in 1m');
    run.runner.stop('interrupt');
    const final = await run.done;
    expect(run.snapshots.length).toBeGreaterThan(0);
    for (const s of run.snapshots) {
      expect(s.stats).not.toBeNull();
      for (const keys of windowKeys(s.stats!)) expect(keys).toEqual(['1m']);
    }
    for (const keys of windowKeys(final.snapshot.stats)) expect(keys).toEqual(['15m', '1m', '5m', 'all']);
    expect(final.snapshot.stats.windows.all.requests).toBe(final.snapshot.progress.done);
  });

  it('a change of windows posts a snapshot with the new ones at once, not at the next tick', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 1, tokens: 1 });
    // No tick within the test: any periodic snapshot comes from the change.
    const run = startRunner([target('m', mock.url)], every50, { liveStats: true, liveWindows: ['1m'], tickMs: 600_000 });
    await when(() => run.runner.snapshot(false).progress.done >= 2, '2 answers');
    expect(run.snapshots).toHaveLength(0);
    run.runner.windows(['1m', '5m']);
    await when(() => run.snapshots.length > 0, 'the snapshot the change of windows posts');
    const fresh = run.snapshots[0]!;
    for (const keys of windowKeys(fresh.stats!)) expect(keys).toEqual(['1m', '5m']);
    expect(fresh.stats!.windows['5m']!.requests).toBeGreaterThanOrEqual(2);
    expect(fresh.stats!.windows['5m']!.requests).toBe(fresh.stats!.windows['1m']!.requests);
    run.runner.stop('interrupt');
    await run.done;
  });
});

describe('recent errors carry a relay\'s words redacted (engine/results.ts)', () => {
  afterEach(() => clearSecrets());

  it('a relay that echoes the key as its request id and in its message: the snapshot has neither', async () => {
    registerSecret(SENTINEL_KEY);
    const relay = await startHostile((req, res) => {
      const auth = String(req.headers.authorization ?? '');
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': auth });
      res.end(JSON.stringify({ error: { message: `invalid key ${auth}`, type: 'invalid_request_error' } }));
    });
    try {
      const run = startRunner([target('h', relay.url, { apiKey: SENTINEL_KEY })], closedPlan([line(1)], 1, true, ['h']), { stopAfter: { durationMs: null, requests: 2 } });
      const final = await run.done;
      const recent = [...run.snapshots, final.snapshot].flatMap((s) => s.recentErrors);
      expect(recent.length).toBeGreaterThan(0);
      // The header reached the relay, and came back: what the snapshot carries was redacted in the worker.
      expect(relay.requests[0]!.headers.authorization).toBe(`Bearer ${SENTINEL_KEY}`);
      for (const e of recent) {
        expect(e.requestId).toBe('Bearer [REDACTED]');
        expect(e.message ?? '').not.toContain(SENTINEL_KEY.slice(3, 15));
      }
    } finally {
      await relay.close();
    }
  });
});


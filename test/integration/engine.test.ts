import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startMock, type MockServer } from '../../src/mock/server.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { SMALL_SPEC, startRunner, target } from '../helpers/engine.js';
import type { RequestResult } from '../../src/core/result.js';

let mock: MockServer | null = null;
let hostile: HostileServer | null = null;
afterEach(async () => {
  await mock?.close();
  await hostile?.close();
  mock = null;
  hostile = null;
});

const results = (snaps: { results: RequestResult[] }[]): RequestResult[] => snaps.flatMap((s) => s.results);

describe('probe schedules', () => {
  it('every: sends exactly the scheduled count, on time', async () => {
    mock = await startMock({ ttftMs: 5, itlMs: 1, tokens: 2 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 100 }, seed: 1 }] },
      { stopAfter: { durationMs: 1050, requests: null } },
    );
    const final = await run.done;
    // Sends at 0, 100, …, 1000 ms: 11, the stop at 1050 ms ends scheduling.
    expect(mock.stats().byRoute.chat).toBe(11);
    expect(final.stoppedBy).toBe('duration');
    expect(final.snapshot.stats.windows.all.requests).toBe(11);
    expect(run.snapshots.some((s) => s.stats !== null && (s.stats.windows['1m']?.requests ?? 0) > 0)).toBe(true);
    const lag = final.snapshot.saturation.sendLagMs;
    // Typical lateness is a timer tick; the worst case is left to the benchmark (a noisy CI box can stall any one send).
    expect(lag.p50!).toBeLessThan(20);
    const rs = results([...run.snapshots, final.snapshot]);
    expect(rs).toHaveLength(11);
    for (const r of rs) expect(r.probe).toBe('p');
  });

  it('after a reset, the span rates and cost per hour divide by starts at the reset, as the totals do', async () => {
    mock = await startMock({ ttftMs: 5, itlMs: 1, tokens: 2 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
      { stopAfter: { durationMs: 1200, requests: null } },
    );
    // Reset once a snapshot shows 8 answers: an event of the run, not a sleep.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (run.snapshots.some((s) => (s.stats?.windows.all?.requests ?? 0) >= 8)) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    const resetAt = performance.now();
    run.runner.reset();
    const final = await run.done;
    const sinceReset = performance.now() - resetAt;
    const all = final.snapshot.stats.windows.all;
    // The totals are the post-reset requests; measuredMs is the span from the reset to the stop (not the 1.2 s run).
    expect(all.requests).toBeLessThan(mock.stats().byRoute.chat!);
    expect(final.measuredMs).toBeLessThanOrEqual(sinceReset + 1);
    expect(final.measuredMs).toBeLessThan(1000);
    expect(final.snapshot.targets[0]!.schedule.sent).toBe(mock.stats().byRoute.chat);
  });

  it('a pause is left out of the span whole-run rates divide by (measuredMs, achievedRatePerSec)', async () => {
    mock = await startMock({ ttftMs: 2, itlMs: 1, tokens: 2 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
    );
    const sentAtLeast = (n: number) =>
      new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if ((run.snapshots.at(-1)?.progress.sent ?? 0) >= n) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
    await sentAtLeast(5);
    const pausedAt = performance.now();
    run.runner.pause();
    // The pause is what is measured here: it has to last, and be long next to the time spent sending.
    await new Promise((r) => setTimeout(r, 1000));
    const pausedMs = performance.now() - pausedAt;
    run.runner.resume();
    const sentBefore = run.snapshots.at(-1)!.progress.sent;
    await sentAtLeast(sentBefore + 8);
    run.runner.stop('interrupt');
    const final = await run.done;
    const schedule = final.snapshot.targets[0]!.schedule;
    // Sending every 50 ms while not paused is 20/s; counted over the pause as well it would be about half that.
    expect(schedule.achievedRatePerSec!).toBeGreaterThan(15);
    expect(schedule.achievedRatePerSec!).toBeLessThan(25);
    expect(final.measuredMs).toBeLessThan(final.durationMs - pausedMs + 1);
    expect(final.measuredMs).toBeGreaterThan(0);
  });

  it('rate: Poisson arrivals average the requested rate (seeded)', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 1 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'rate', ratePerSec: 50 }, seed: 42 }] },
      { stopAfter: { durationMs: 2000, requests: null } },
    );
    await run.done;
    // 100 expected; a Poisson count over 2 s has sd 10. The seed makes it repeatable; the bound is loose on purpose.
    expect(mock.stats().byRoute.chat).toBeGreaterThan(70);
    expect(mock.stats().byRoute.chat).toBeLessThan(130);
  });

  it('--requests stops after that many sends', async () => {
    mock = await startMock({ ttftMs: 1, itlMs: 0, tokens: 1 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'rate', ratePerSec: 200 }, seed: 3 }] },
      { stopAfter: { durationMs: null, requests: 25 }, liveStats: false },
    );
    const final = await run.done;
    expect(final.stoppedBy).toBe('requests');
    expect(mock.stats().byRoute.chat).toBe(25);
    // Headless runs skip live window statistics; the final snapshot always has them.
    expect(run.snapshots.every((s) => s.stats === null)).toBe(true);
    expect(final.snapshot.stats.windows.all.requests).toBe(25);
  });
});

describe('coordinated omission', () => {
  it('a stall shows in the scheduled-latency view, not in service time', async () => {
    let stalled = false;
    hostile = await startHostile(async (_req, res) => {
      if (!stalled) {
        stalled = true;
        await new Promise((r) => setTimeout(r, 1500));
      }
      res.writeHead(200, SSE_HEADERS);
      res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
    });
    const run = startRunner(
      [target('h', hostile.url, { concurrency: 1 })],
      { kind: 'probes', streams: [{ probe: 'p', target: 'h', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
      { stopAfter: { durationMs: 3000, requests: null } },
    );
    const final = await run.done;
    const all = final.snapshot.stats.windows.all;
    // ~30 sends fell due during the 1.5 s stall and waited for the one connection.
    expect(all.latencyScheduledMs.p90!).toBeGreaterThan(500);
    expect(all.latencyMs.p90!).toBeLessThan(200);
    expect(final.snapshot.saturation.capWaits).toBeGreaterThan(20);
  });
});

describe('back-off', () => {
  it('429 with retry-after is backed off as told and counted', async () => {
    let first = true;
    const arrivals: number[] = [];
    hostile = await startHostile((_req, res) => {
      arrivals.push(performance.now());
      if (first) {
        first = false;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } }));
        return;
      }
      res.writeHead(200, SSE_HEADERS);
      res.end(sse(openaiChunk({ content: 'OK' })) + 'data: [DONE]\n\n');
    });
    const run = startRunner(
      [target('h', hostile.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'h', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
      { stopAfter: { durationMs: 2000, requests: null } },
    );
    const final = await run.done;
    const info = final.snapshot.targets[0]!;
    expect(info.backoffs).toBe(1);
    // About 20 sends fell inside the one-second back-off and were skipped, not bunched up.
    expect(info.backoffSkipped).toBeGreaterThanOrEqual(15);
    expect(info.backoffSkipped).toBeLessThanOrEqual(21);
    const gap = arrivals[1]! - arrivals[0]!;
    expect(gap).toBeGreaterThanOrEqual(990);
  });
});

describe('a target that goes down and comes back', () => {
  it('is survived and counted', async () => {
    // A server we can stop and start again on the same port.
    let server: Server | null = null;
    const sockets = new Set<Socket>();
    const listen = (port: number) =>
      new Promise<number>((resolve) => {
        server = createServer((req, res) => {
          req.resume();
          req.on('end', () => {
            res.writeHead(200, SSE_HEADERS);
            res.end(sse(openaiChunk({ content: 'OK' })) + 'data: [DONE]\n\n');
          });
        });
        server.on('connection', (s: Socket) => {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
        });
        server.listen(port, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
      });
    const down = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      });
    const port = await listen(0);
    const run = startRunner(
      [target('flappy', `http://127.0.0.1:${port}/v1`)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'flappy', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
      { stopAfter: { durationMs: 2400, requests: null } },
    );
    await new Promise((r) => setTimeout(r, 600));
    await down();
    await new Promise((r) => setTimeout(r, 800));
    await listen(port);
    const final = await run.done;
    await down();
    const all = final.snapshot.stats.windows.all;
    expect(all.errorTypes['connection_refused'] ?? 0).toBeGreaterThan(5);
    const rs = results([...run.snapshots, final.snapshot]);
    const lastOk = rs.filter((r) => r.ok).at(-1)!;
    const firstRefused = rs.find((r) => r.errorType === 'connection_refused')!;
    expect(lastOk.startedAt).toBeGreaterThan(firstRefused.startedAt);
    expect(final.snapshot.recentErrors.length).toBeGreaterThan(0);
    expect(final.anyHttpAnswer).toBe(true);
  });
});

describe('control', () => {
  it('pause stops sending, resume carries on, stop waits for requests in flight', async () => {
    mock = await startMock({ ttftMs: 200, itlMs: 0, tokens: 1 });
    const run = startRunner(
      [target('m', mock.url)],
      { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 50 }, seed: 1 }] },
    );
    await new Promise((r) => setTimeout(r, 300));
    run.runner.pause();
    // A send dispatched just before the pause may still be on its way to the mock.
    await new Promise((r) => setTimeout(r, 100));
    const atPause = mock.stats().requests;
    await new Promise((r) => setTimeout(r, 400));
    expect(mock.stats().requests).toBe(atPause);
    run.runner.resume();
    await new Promise((r) => setTimeout(r, 300));
    expect(mock.stats().requests).toBeGreaterThan(atPause);
    run.runner.stop('interrupt');
    const final = await run.done;
    expect(final.stoppedBy).toBe('interrupt');
    // Requests in flight at the stop finished (200 ms < the 2 s grace): none was cancelled.
    expect(final.snapshot.stats.windows.all.errorTypes['cancelled'] ?? 0).toBe(0);
    expect(final.snapshot.stats.windows.all.requests).toBe(mock.stats().requests);
  });
});

describe('failures inside the worker', () => {
  it('reach the main thread as a clear error, never a hang', async () => {
    const { Engine } = await import('../../src/engine/engine.js');
    const engine = new Engine({
      targets: [target('m', 'http://127.0.0.1:9/v1')],
      priceFiles: ['/nonexistent/prices.json'],
      plan: { kind: 'probes', streams: [] },
      tickMs: 100,
      stopAfter: { durationMs: 1000, requests: null },
      graceMs: 100,
      log: null,
      thresholds: [],
      secrets: [],
      emitResults: false,
      budgetUsd: null,
      alerts: [],
      liveStats: false,
    });
    await expect(engine.done).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('/nonexistent/prices.json') });
  });
});

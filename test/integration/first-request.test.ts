/**
 * The run's first request leaves on its scheduled instant like the others
 * (issue 14, item 3): the pool's connections are opened and the send path is
 * rehearsed (against a local stand-in) before the first instant. Arrival
 * instants are taken by a hand-written server in this thread, on the same
 * clock as the in-process runner's scheduled instants.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { ReplayEntry, TrafficPlan } from '../../src/engine/messages.js';
import { SMALL_SPEC, startRunner, target } from '../helpers/engine.js';
import { FIRST_INSTANT_LEAD_MS } from '../../src/engine/warm.js';
import { freePort } from '../helpers/net.js';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

interface Recorder {
  url: string;
  /** performance.now() when each request's headers arrived, and its method and path. */
  arrivals: { at: number; method: string; path: string }[];
  connections: number;
}

let server: Server | null = null;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function startRecorder(): Promise<Recorder> {
  const rec: Recorder = { url: '', arrivals: [], connections: 0 };
  server = createServer((req, res) => {
    rec.arrivals.push({ at: performance.now(), method: req.method ?? '', path: req.url ?? '' });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, SSE_HEADERS);
      res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
    });
  });
  server.on('connection', (s: Socket) => {
    rec.connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  // The server's own first request runs its cold code (node's parser and handlers): spend it here, not on the run's.
  await new Promise<void>((resolve, reject) => {
    const req = request(`${rec.url}/chat/completions`, { method: 'POST', agent: false }, (res) => res.resume().on('end', resolve));
    req.on('error', reject);
    req.end('{}');
  });
  rec.arrivals.length = 0;
  rec.connections = 0;
  return rec;
}

const lines = (n: number): ReplayEntry[] => Array.from({ length: n }, (_, i) => ({ line: i + 1, offsetMs: null, spec: SMALL_SPEC }));
const atRate = (n: number, ratePerSec: number, targets: string[]): TrafficPlan => ({
  kind: 'replay',
  entries: lines(n),
  mode: { kind: 'rate', ratePerSec, poisson: false, seed: 1 },
  loop: false,
  targets,
});

describe('the first request of a run', () => {
  it('arrives on its scheduled instant like the others, and warming sent the server no request of its own', async () => {
    const rec = await startRecorder();
    const run = startRunner([target('r', rec.url)], atRate(20, 25, ['r']));
    const final = await run.done;
    const results = run.snapshots.flatMap((s) => s.results).concat(final.snapshot.results);
    results.sort((a, b) => a.scheduledAt - b.scheduledAt);
    expect(results.map((r) => r.ok)).toEqual(Array(20).fill(true));
    // The server saw the twenty requests of the plan and nothing else: warming opened sockets, it sent no HTTP.
    expect(rec.arrivals.map((a) => `${a.method} ${a.path}`)).toEqual(Array(20).fill('POST /v1/chat/completions'));
    // The first request took a connection opened before its instant.
    expect(results[0]!.newConnection).toBe(false);
    expect(results[0]!.connectMs).toBeNull();
    // Lateness at the server: arrival − scheduled instant, one clock. "Like the others": the first is no
    // later than the latest of the other nineteen plus 5 ms. (Before the warm-up it was 10–50 ms behind
    // the others' ~2 ms; on a loaded 2-core machine any one of them can be a preempted one, so the bound
    // is the others' worst, not their median.)
    const late = rec.arrivals.map((a, i) => a.at - results[i]!.scheduledAt);
    const rest = late.slice(1);
    const why = `lateness at the server, ms: ${late.map((x) => x.toFixed(2)).join(' ')}`;
    expect(late[0]!, why).toBeLessThan(Math.max(...rest) + 5);
    expect(late[0]!, why).toBeGreaterThan(-2);
  });

  it('is due after the plan is set up, so nothing of the set-up runs between its instant and its send', async () => {
    const rec = await startRecorder();
    const run = startRunner([target('r', rec.url)], atRate(5, 25, ['r']));
    const final = await run.done;
    const results = run.snapshots.flatMap((s) => s.results).concat(final.snapshot.results);
    results.sort((a, b) => a.scheduledAt - b.scheduledAt);
    // The runner says it started (a message to the main thread: 3.5–5 ms for the worker's first) before the
    // plan's first instant is even taken, and that instant lies FIRST_INSTANT_LEAD_MS ahead.
    expect(run.startedAt).not.toBeNull();
    expect(results[0]!.scheduledAt - run.startedAt!).toBeGreaterThanOrEqual(FIRST_INSTANT_LEAD_MS);
  });

  it('starts with the garbage of loading and warming collected: a full collection before the first instant', async () => {
    const rec = await startRecorder();
    const gcs: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
    const began = performance.now();
    const run = startRunner([target('r', rec.url)], atRate(5, 25, ['r']));
    await run.done;
    // Entries are delivered asynchronously: one more turn for the last of them.
    await new Promise((resolve) => setTimeout(resolve, 20));
    observer.disconnect();
    const major = (e: PerformanceEntry): boolean => ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0) === constants.NODE_PERFORMANCE_GC_MAJOR;
    const before = gcs.filter((e) => e.startTime >= began && e.startTime + e.duration <= run.startedAt!);
    expect(before.some(major), JSON.stringify(gcs.map((e) => [e.startTime - began, e.duration]))).toBe(true);
  });

  it('counts in send lateness like every other send: lateness is taken when a request really leaves', async () => {
    const rec = await startRecorder();
    const run = startRunner([target('r', rec.url)], atRate(10, 25, ['r']));
    const final = await run.done;
    const results = run.snapshots.flatMap((s) => s.results).concat(final.snapshot.results);
    const worst = Math.max(...results.map((r) => r.queueMs!));
    // Not the instant the scheduler let it go: undici's dispatch or a connection being handed over can hold a
    // request up on its way out, and a run's first send is where that happens most (queueMs 2–39 ms in CLI
    // runs while the run's sendLagMaxMs said < 1.5 ms). Now each is its result's queueMs, the first's too.
    expect(final.snapshot.saturation.sendLagMs.max!).toBeCloseTo(worst, 2);
    expect(final.saturation.sendLagMaxMs).toBeCloseTo(worst, 2);
    expect(final.saturation.sendLagMaxMs).toBeGreaterThanOrEqual(results.find((r) => r.scheduledAt === Math.min(...results.map((x) => x.scheduledAt)))!.queueMs! - 0.001);
  });

  it('a relay refusing connections fails each request as it did without a warm-up', async () => {
    const port = await freePort();
    const started = performance.now();
    const run = startRunner([target('down', `http://127.0.0.1:${port}/v1`)], atRate(3, 20, ['down']));
    const final = await run.done;
    const results = run.snapshots.flatMap((s) => s.results).concat(final.snapshot.results);
    expect(results.map((r) => [r.ok, r.errorType, r.httpStatus])).toEqual(Array(3).fill([false, 'connection_refused', null]));
    expect(final.anyHttpAnswer).toBe(false);
    expect(final.stoppedBy).toBeNull();
    // A refused warm-up costs no wait: the run is over well within the warm-up's bound (1 s) plus its 100 ms plan.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('a run stopped while it warms up', () => {
  it('measured nothing, scheduled nothing, and its request log was started afresh', async () => {
    const rec = await startRecorder();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-warm-stop-'));
    const logPath = join(dir, 'requests.jsonl');
    writeFileSync(logPath, '{"old":"line of an earlier run"}\n');
    const run = startRunner([target('r', rec.url)], atRate(20, 25, ['r']), {
      stopAfter: { durationMs: 10_000, requests: null },
      log: { path: logPath, logBodies: false },
    });
    // start() is still loading prices and warming when the interrupt comes.
    run.runner.stop('interrupt');
    const final = await run.done;
    expect(final.stoppedBy).toBe('interrupt');
    expect(final.measuredMs).toBe(0);
    expect(final.measuredMs).toBeLessThanOrEqual(final.durationMs);
    expect(final.snapshot.results).toEqual([]);
    expect(rec.arrivals).toEqual([]);
    // Whatever start() still had to do after its warm-up must not start the plan.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(rec.arrivals).toEqual([]);
    expect(readFileSync(logPath, 'utf8')).toBe('');
  });
});

/**
 * Issue 11, items 0 and 9: the engine never hides its own limits in the
 * relay's numbers, and says everything it skipped. Each case runs the real
 * CLI against a hand-written loopback server that keeps the ground truth:
 * when each request arrived, when its first byte left, how many were in
 * flight at once.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import type { TargetSchedule } from '../../src/engine/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-limits-'));
let server: Awaited<ReturnType<typeof startTruthServer>> | null = null;
let mock: MockProcess | null = null;
afterEach(async () => {
  await server?.close();
  await mock?.stop();
  server = null;
  mock = null;
});

interface Truth {
  arrivals: number[];
  /** First byte written minus arrival, per request: the TTFB/TTFT the server gave. */
  firstByteMs: number[];
  inFlight: number;
  maxInFlight: number;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A streamed answer: headers and the first token after ttftMs, then a token every itlMs. */
async function stream(res: ServerResponse, truth: Truth, arrival: number, ttftMs: number, tokens: number, itlMs: number): Promise<void> {
  await wait(ttftMs);
  if (res.destroyed) return;
  res.writeHead(200, SSE_HEADERS);
  res.write(sse(openaiChunk({ content: 'tok' })));
  truth.firstByteMs.push(performance.now() - arrival);
  for (let i = 1; i < tokens && !res.destroyed; i++) {
    await wait(itlMs);
    res.write(sse(openaiChunk({ content: ' tok' })));
  }
  res.end(sse(openaiUsageChunk(5, tokens)) + 'data: [DONE]\n\n');
}

/** A server that streams every request (or answers 429 first, when asked) and keeps the truth. */
async function startTruthServer(opts: { ttftMs: number; tokens: number; itlMs: number; first429RetryAfterS?: number }): Promise<HostileServer & { truth: Truth; rearm429(): void }> {
  const truth: Truth = { arrivals: [], firstByteMs: [], inFlight: 0, maxInFlight: 0 };
  let answered429 = false;
  const s = await startHostile(async (_req, res) => {
    const arrival = performance.now();
    truth.arrivals.push(arrival);
    truth.inFlight += 1;
    truth.maxInFlight = Math.max(truth.maxInFlight, truth.inFlight);
    res.on('close', () => (truth.inFlight -= 1));
    if (opts.first429RetryAfterS !== undefined && !answered429) {
      answered429 = true;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(opts.first429RetryAfterS) });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
      return;
    }
    await stream(res, truth, arrival, opts.ttftMs, opts.tokens, opts.itlMs);
  });
  return Object.assign(s, { truth, rearm429: () => (answered429 = false) });
}

function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

function config(name: string, targets: Record<string, { url: string; concurrency?: number; connect?: string }>): string {
  const path = join(dir, name);
  const body = Object.entries(targets)
    .map(([n, t]) => `  ${n}:\n    baseUrl: ${t.url}\n    apiKeyEnv: OPENAI_API_KEY\n` + (t.concurrency ? `    concurrency: ${t.concurrency}\n` : '') + (t.connect ? `    timeouts: { connect: ${t.connect} }\n` : ''))
    .join('');
  writeFileSync(path, `targets:\n${body}`);
  return path;
}

const LINE = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 40 };
const env = { OPENAI_API_KEY: SENTINEL_KEY };

interface TimeSummary {
  p50: number | null;
  p95: number | null;
}
interface TargetJson {
  name: string;
  maxInFlight: number;
  schedule: TargetSchedule;
  summary: { requests: number; errors: number; latencyMs: TimeSummary; ttftMs: TimeSummary; costUsd: number | null } | null;
}
interface RunJson {
  durationMs: number;
  measuredMs: number;
  stoppedBy: string | null;
  targets: TargetJson[];
  summary: { requests: number };
  thresholds: { expression: string; ok: boolean; value: number | null }[];
}

async function runJson(args: string[], timeoutMs = 60_000): Promise<{ json: RunJson; code: number | null; stderr: string }> {
  const res = await runCli([...args, '--json'], { env, timeoutMs });
  expectNoSecret(res);
  try {
    return { json: JSON.parse(res.stdout) as RunJson, code: res.code, stderr: res.stderr };
  } catch {
    throw new Error(`no JSON (exit ${res.code}): ${res.stdout}\n${res.stderr}`);
  }
}

function expectBalanced(s: TargetSchedule): void {
  expect(s.scheduled).toBe(s.sent + s.dropped + s.skippedBackoff);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('the pool holds every request the engine puts in flight (item 0a)', () => {
  it('replay --loop -c 100 against 1 s streams: TTFT is the server\'s, and the server sees 100 at once', async () => {
    server = await startTruthServer({ ttftMs: 200, tokens: 40, itlMs: 20 });
    const path = file('plain.jsonl', [LINE]);
    const { json, code } = await runJson(['replay', path, '--loop', '-c', '100', '--duration', '3s', '--base-url', server.url]);
    expect(code).toBe(0);
    const t = json.targets[0]!;
    expect(server.truth.maxInFlight).toBeGreaterThanOrEqual(95);
    expect(server.truth.maxInFlight).toBeLessThanOrEqual(100);
    const truthTtft = median(server.truth.firstByteMs);
    expect(truthTtft).toBeGreaterThanOrEqual(195);
    // The client's TTFT is the server's plus loopback and a busy 2-core box; waiting behind other
    // requests in a pool of 8 read seconds here before.
    expect(t.summary!.ttftMs.p50!).toBeGreaterThanOrEqual(truthTtft - 5);
    expect(t.summary!.ttftMs.p50!).toBeLessThan(truthTtft + 300);
    // A closed loop of 100 raises the default cap (8) to 100, and the pool with it.
    expect(t.maxInFlight).toBe(100);
    expect(t.schedule.capWaits).toBe(0);
    expectBalanced(t.schedule);
  }, 90_000);
});

describe('an open loop above the cap says what it could not send (item 0b)', () => {
  it('check --rate 20/s at concurrency 2 against 1.5 s streams: dropped counted in JSON and said in the text', async () => {
    server = await startTruthServer({ ttftMs: 100, tokens: 30, itlMs: 45 });
    const cfg = config('cap2.yaml', { relay: { url: server.url, concurrency: 2 } });
    const { json } = await runJson(['check', '--config', cfg, '--rate', '20/s', '--duration', '3s']);
    const s = json.targets[0]!.schedule;
    expect(json.targets[0]!.maxInFlight).toBe(2);
    expect(server.truth.maxInFlight).toBeLessThanOrEqual(2);
    expectBalanced(s);
    expect(s.sent).toBe(server.truth.arrivals.length);
    // ~60 due in 3 s; at most 2 × 3 s / 1.5 s (plus the ones sent as slots freed) went out.
    expect(s.scheduled).toBeGreaterThan(30);
    expect(s.sent).toBeLessThan(10);
    expect(s.capWaits).toBeGreaterThan(20);
    // Held sends still waiting when the duration ended are dropped, not silently forgotten.
    expect(s.dropped).toBeGreaterThan(20);
    expect(s.achievedRatePerSec!).toBeLessThan(4);

    const text = await runCli(['check', '--config', cfg, '--rate', '20/s', '--duration', '2s'], { env, timeoutMs: 60_000 });
    expectNoSecret(text);
    expect(text.stdout).toMatch(/relay: cap 2 held back \d+ sends; \d+ of \d+ due were sent; \d+ dropped/);
  }, 90_000);

  it('--max-in-flight overrides the config\'s cap', async () => {
    server = await startTruthServer({ ttftMs: 100, tokens: 20, itlMs: 20 });
    const cfg = config('cap8.yaml', { relay: { url: server.url, concurrency: 8 } });
    const { json } = await runJson(['check', '--config', cfg, '--rate', '30/s', '--duration', '1s', '--max-in-flight', '1']);
    expect(json.targets[0]!.maxInFlight).toBe(1);
    expect(server.truth.maxInFlight).toBe(1);
    expect(json.targets[0]!.schedule.capWaits).toBeGreaterThan(0);
    expectBalanced(json.targets[0]!.schedule);
  }, 60_000);
});

describe('--max-in-flight on probe', () => {
  it('probe -n 4 -c 4 --max-in-flight 2: the server never sees more than 2', async () => {
    server = await startTruthServer({ ttftMs: 150, tokens: 1, itlMs: 0 });
    const res = await runCli(['probe', '--base-url', server.url, '-n', '4', '-c', '4', '--max-in-flight', '2', '--json'], { env, timeoutMs: 60_000 });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(server.truth.arrivals).toHaveLength(4);
    expect(server.truth.maxInFlight).toBe(2);
  }, 60_000);
});

describe('the closed loop keeps to the cap and the back-off (item 0c)', () => {
  it('replay -c 6 at concurrency: 2: the server never sees more than 2, and latency is service time', async () => {
    server = await startTruthServer({ ttftMs: 200, tokens: 1, itlMs: 0 });
    const cfg = config('closed2.yaml', { relay: { url: server.url, concurrency: 2 } });
    const path = file('closed.jsonl', [LINE]);
    const { json } = await runJson(['replay', path, '--config', cfg, '--loop', '-c', '6', '--duration', '2s']);
    const t = json.targets[0]!;
    expect(server.truth.maxInFlight).toBe(2);
    // 200 ms of service; waiting for one of two connections read ~600 ms before.
    expect(t.summary!.latencyMs.p50!).toBeLessThan(400);
    expect(t.maxInFlight).toBe(2);
    expect(t.schedule.capWaits).toBeGreaterThan(0);
    expectBalanced(t.schedule);
  }, 60_000);

  it('replay -c 1 against 429 retry-after: 2 sends nothing inside the back-off', async () => {
    server = await startTruthServer({ ttftMs: 5, tokens: 1, itlMs: 0, first429RetryAfterS: 2 });
    const path = file('backoff.jsonl', [LINE]);
    const { json } = await runJson(['replay', path, '--base-url', server.url, '--loop', '-c', '1', '--duration', '3s']);
    const [first, second] = server.truth.arrivals;
    expect(second! - first!).toBeGreaterThanOrEqual(1990);
    expect(server.truth.arrivals.length).toBeGreaterThan(2);
    expectBalanced(json.targets[0]!.schedule);
  }, 60_000);

  it('a stop during a closed-loop back-off ends the run at once and counts the waiting send as dropped', async () => {
    server = await startTruthServer({ ttftMs: 5, tokens: 1, itlMs: 0, first429RetryAfterS: 30 });
    const path = file('long-backoff.jsonl', [LINE]);
    const started = performance.now();
    const { json } = await runJson(['replay', path, '--base-url', server.url, '--loop', '-c', '1', '--duration', '1s']);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(server.truth.arrivals).toHaveLength(1);
    const s = json.targets[0]!.schedule;
    expect(s).toMatchObject({ sent: 1, dropped: 1 });
    expectBalanced(s);
  }, 60_000);

  it('an open loop counts the sends it skipped during a back-off (item 9)', async () => {
    server = await startTruthServer({ ttftMs: 5, tokens: 1, itlMs: 0, first429RetryAfterS: 1 });
    const { json } = await runJson(['check', '--base-url', server.url, '--every', '100ms', '--duration', '2s']);
    const s = json.targets[0]!.schedule;
    // About ten sends fell inside the one-second back-off.
    expect(s.skippedBackoff).toBeGreaterThanOrEqual(7);
    expect(s.skippedBackoff).toBeLessThanOrEqual(11);
    expect(s.sent).toBe(server.truth.arrivals.length);
    expectBalanced(s);
    server.rearm429();
    const text = await runCli(['check', '--base-url', server.url, '--every', '100ms', '--duration', '2s'], { env, timeoutMs: 60_000 });
    expect(text.stdout).toMatch(/default: \d+ of \d+ due were sent; \d+ skipped in a 429 back-off/);
  }, 60_000);
});

describe('-n means N requests to each target (item 9)', () => {
  it('check -n 1 with two targets sends one to each; replay -n 2 sends 2 lines to each', async () => {
    mock = await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '2']);
    const cfg = config('two.yaml', { a: { url: mock.url }, b: { url: mock.url } });
    const check = await runJson(['check', '--config', cfg, '-n', '1']);
    expect(check.json.targets.map((t) => [t.name, t.summary?.requests])).toEqual([['a', 1], ['b', 1]]);
    expect(check.json.stoppedBy).toBe('requests');

    const path = file('five.jsonl', [1, 2, 3, 4, 5].map((i) => ({ ...LINE, max_tokens: 2 + i })));
    const replay = await runJson(['replay', path, '--config', cfg, '-t', 'a,b', '-n', '2', '-c', '1']);
    expect(replay.json.targets.map((t) => [t.name, t.summary?.requests])).toEqual([['a', 2], ['b', 2]]);
  }, 60_000);
});

describe('a run ends within its grace period (item 9)', () => {
  let sink: NetServer | null = null;
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  });

  it('a connect that never completes is given up at the end of the grace period, not waited out', async () => {
    // TCP accepts, TLS never answers: the request stays in its connect phase (40 s timeout).
    sink = createNetServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
    const port = (sink.address() as AddressInfo).port;
    const cfg = config('sink.yaml', { sink: { url: `https://127.0.0.1:${port}/v1`, connect: '40s' } });
    const started = performance.now();
    const { json } = await runJson(['check', '--config', cfg, '--every', '5s', '--duration', '500ms'], 60_000);
    const wall = performance.now() - started;
    // 0.5 s of run, 10 s of grace, then out: process start and exit get a few seconds on a busy box.
    expect(wall).toBeLessThan(17_000);
    expect(json.stoppedBy).toBe('duration');
  }, 60_000);
});

describe('rates over the measured span, not the drain (item 9)', () => {
  it('requests:rate and cost_per_hour divide by the duration, not duration plus the wait for requests in flight', async () => {
    server = await startTruthServer({ ttftMs: 100, tokens: 30, itlMs: 45 });
    const { json } = await runJson([
      'check', '--base-url', server.url, '--every', '250ms', '--duration', '2s', '--model', 'gpt-4o-mini',
      '--threshold', 'requests:rate>0', '--threshold', 'cost_per_hour:value>0',
    ]);
    const t = json.targets[0]!;
    expect(t.summary!.requests).toBe(8);
    // The last sends took ~1.5 s to finish after the 2 s were up.
    expect(json.durationMs).toBeGreaterThan(3000);
    expect(json.measuredMs).toBeGreaterThanOrEqual(1990);
    expect(json.measuredMs).toBeLessThan(2400);
    const rate = json.thresholds.find((r) => r.expression === 'requests:rate>0')!.value!;
    expect(rate).toBeCloseTo((8 * 1000) / json.measuredMs, 1);
    expect(rate).toBeGreaterThan(3.3);
    const perHour = json.thresholds.find((r) => r.expression === 'cost_per_hour:value>0')!.value!;
    // measuredMs is rounded in the JSON: compare to a part in a thousand.
    expect(perHour / ((t.summary!.costUsd! * 3_600_000) / json.measuredMs)).toBeCloseTo(1, 3);
    expect(t.schedule.achievedRatePerSec!).toBeCloseTo((8 * 1000) / json.measuredMs, 1);
  }, 60_000);
});

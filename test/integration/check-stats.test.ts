/**
 * Issue 11 item 1: failed requests never enter timing statistics; the
 * implied error-rate guard; requests relaymon itself cut short count apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { SMALL_SPEC, startRunner, target } from '../helpers/engine.js';
import { runSummaryJson } from '../../src/export/run-summary-json.js';

interface TimeStatsJson {
  p50: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
}
interface RunJson {
  summary: {
    requests: number;
    errors: number;
    unfinished: number;
    errorTypes: Record<string, number>;
    latencyMs: TimeStatsJson;
    latencyScheduledMs: TimeStatsJson;
    ttftMs: TimeStatsJson;
    ttftContentMs: TimeStatsJson;
  };
  thresholds: { expression: string; ok: boolean; value: number | null; implied?: true }[];
}

const env = { OPENAI_API_KEY: SENTINEL_KEY };
const dir = mkdtempSync(join(tmpdir(), 'relaymon-check-stats-'));

/** A short, complete OpenAI stream. */
function okStream(res: import('node:http').ServerResponse): void {
  res.writeHead(200, SSE_HEADERS);
  res.end(sse(openaiChunk({ role: 'assistant', content: '' })) + sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(5, 1)) + 'data: [DONE]\n\n');
}

let deny: HostileServer;
let half: HostileServer;
let fast: HostileServer;
beforeAll(async () => {
  deny = await startHostile((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'bad key' } }));
  });
  // Every other request fails at once; the others succeed after ~600 ms.
  let n = 0;
  half = await startHostile(async (_req, res) => {
    if (n++ % 2 === 0) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'server_error', message: 'boom' } }));
      return;
    }
    await new Promise((r) => setTimeout(r, 600));
    okStream(res);
  });
  fast = await startHostile((_req, res) => okStream(res));
});
afterAll(async () => {
  await Promise.all([deny.close(), half.close(), fast.close()]);
});

describe('timing thresholds over successful requests only', () => {
  it('a relay answering 401 to everything has no latency data: the latency threshold fails (exit 1, value null, "no data")', async () => {
    const text = await runCli(['check', '--base-url', deny.url, '-n', '3', '--every', '50ms', '--threshold', 'latency:p(95)<500'], { env });
    expectNoSecret(text);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/✗ latency:p\(95\)<500\s+no data/);

    const res = await runCli(['check', '--base-url', deny.url, '-n', '3', '--every', '50ms', '--threshold', 'latency:p(95)<500', '--json'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.summary.requests).toBe(3);
    expect(json.summary.errors).toBe(3);
    expect(json.summary.errorTypes).toEqual({ auth: 3 });
    expect(json.summary.latencyMs.p95).toBeNull();
    expect(json.summary.latencyScheduledMs.p95).toBeNull();
    expect(json.thresholds.find((t) => t.expression === 'latency:p(95)<500')).toEqual({ expression: 'latency:p(95)<500', ok: false, value: null });
  });

  it('half failing fast, half ~600 ms successes: latency p50 is the successes\' (not the failures\')', async () => {
    const res = await runCli(['check', '--base-url', half.url, '-n', '8', '--every', '100ms', '--json', '--threshold', 'latency:p(50)<400', '--threshold', 'errors:rate<0.9'], { env });
    expectNoSecret(res);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.summary.requests).toBe(8);
    expect(json.summary.errors).toBe(4);
    // Every success took at least the server's 600 ms; failures (a few ms) are left out.
    expect(json.summary.latencyMs.min!).toBeGreaterThanOrEqual(595);
    expect(json.summary.latencyMs.p50!).toBeGreaterThanOrEqual(595);
    expect(json.summary.ttftMs.min!).toBeGreaterThanOrEqual(595);
    expect(json.summary.ttftContentMs.min!).toBeGreaterThanOrEqual(595);
    const p50 = json.thresholds.find((t) => t.expression === 'latency:p(50)<400')!;
    expect(p50.ok).toBe(false);
    expect(p50.value!).toBeGreaterThanOrEqual(595);
    expect(res.code).toBe(1);
  });
});

describe('the implied error-rate guard', () => {
  it('check: implied when no errors threshold is given, printed as implied and marked implied: true', async () => {
    const text = await runCli(['check', '--base-url', deny.url, '-n', '2', '--every', '50ms', '--threshold', 'ttft:p(95)<5000'], { env });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/✗ errors:rate<0\.05 \(implied\)\s+value=100%/);
    expect(text.stderr).toContain('errors:rate<0.05 is implied');

    const res = await runCli(['check', '--base-url', deny.url, '-n', '2', '--every', '50ms', '--threshold', 'ttft:p(95)<5000', '--json'], { env });
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.thresholds).toEqual([
      { expression: 'ttft:p(95)<5000', ok: false, value: null },
      { expression: 'errors:rate<0.05', ok: false, value: 1, implied: true },
    ]);
  });

  it('check: not implied beside the user\'s own errors threshold, and dropped by --no-default-thresholds', async () => {
    const own = await runCli(['check', '--base-url', fast.url, '-n', '2', '--every', '50ms', '--threshold', 'errors:count<1', '--json'], { env });
    expect(own.code).toBe(0);
    expect((JSON.parse(own.stdout) as RunJson).thresholds).toEqual([{ expression: 'errors:count<1', ok: true, value: 0 }]);

    const off = await runCli(['check', '--base-url', deny.url, '-n', '2', '--every', '50ms', '--no-default-thresholds', '--json'], { env });
    expect((JSON.parse(off.stdout) as RunJson).thresholds).toEqual([]);
    expect(off.code).toBe(0);
  });

  it('replay and a bounded watch imply it too', async () => {
    const file = join(dir, 'two.jsonl');
    writeFileSync(file, ['{"model":"gpt-4o","messages":[{"role":"user","content":"a"}]}', '{"model":"gpt-4o","messages":[{"role":"user","content":"b"}]}'].join('\n') + '\n');
    const replay = await runCli(['replay', file, '--base-url', deny.url, '--json'], { env });
    expect(replay.code).toBe(1);
    expect((JSON.parse(replay.stdout) as RunJson).thresholds).toEqual([{ expression: 'errors:rate<0.05', ok: false, value: 1, implied: true }]);
    const replayText = await runCli(['replay', file, '--base-url', deny.url], { env });
    expect(replayText.stdout).toMatch(/✗ errors:rate<0\.05 \(implied\)/);
    const replayOff = await runCli(['replay', file, '--base-url', deny.url, '--json', '--no-default-thresholds'], { env });
    expect((JSON.parse(replayOff.stdout) as RunJson).thresholds).toEqual([]);

    const watch = await runCli(['watch', '--no-tui', '--base-url', deny.url, '-n', '2', '--every', '50ms', '--json'], { env });
    expect((JSON.parse(watch.stdout) as RunJson).thresholds).toEqual([{ expression: 'errors:rate<0.05', ok: false, value: 1, implied: true }]);
    expect(watch.code).toBe(1);
  });
});

describe('requests relaymon cut short at the end of a run', () => {
  it('count in summary.unfinished, in none of requests, errors, errorTypes or the timings', async () => {
    // Odd requests finish at once; even ones stream a token every 100 ms for far longer than the run and its grace.
    let n = 0;
    const slow = await startHostile(async (_req, res) => {
      if (n++ % 2 === 1) return okStream(res);
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [sse(openaiChunk({ role: 'assistant', content: '' }))];
      for (let i = 0; i < 100; i++) parts.push(sse(openaiChunk({ content: 'x' })), { waitMs: 100 });
      await writeSlowly(res, parts).catch(() => undefined);
      res.end();
    });
    try {
      const run = startRunner(
        [target('m', slow.url)],
        { kind: 'probes', streams: [{ probe: 'p', target: 'm', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 200 }, seed: 1 }] },
        { stopAfter: { durationMs: 700, requests: null }, graceMs: 300 },
      );
      const final = await run.done;
      const all = final.snapshot.stats.windows.all;
      const sent = slow.requests.length;
      expect(sent).toBeGreaterThanOrEqual(2);
      const slowOnes = Math.ceil(sent / 2);
      expect(all.unfinished).toBe(slowOnes);
      expect(all.requests).toBe(sent - slowOnes);
      expect(all.errors).toBe(0);
      expect(all.errorTypes).toEqual({});
      // Timings are the fast successes' alone: no latency near the run's length.
      expect(all.latencyMs.max!).toBeLessThan(500);
      expect(all.ttftMs.max!).toBeLessThan(500);
      const json = runSummaryJson('check', [target('m', slow.url)], final);
      expect(json.summary.unfinished).toBe(slowOnes);
      expect(json.summary.requests).toBe(sent - slowOnes);
      expect(json.targets[0]!.summary!.unfinished).toBe(slowOnes);
    } finally {
      await slow.close();
    }
  });

  it('a stream the relay stalled for the whole grace period is the relay\'s timeout, not unfinished', async () => {
    // 'stall' sends one token and then nothing; 'busy' sends a token every 50 ms. Both outlive the run.
    const stall = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(sse(openaiChunk({ role: 'assistant', content: '' })) + sse(openaiChunk({ content: 'x' })));
      await new Promise((r) => setTimeout(r, 10_000));
      res.end();
    });
    const busy = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [sse(openaiChunk({ role: 'assistant', content: '' }))];
      for (let i = 0; i < 200; i++) parts.push(sse(openaiChunk({ content: 'x' })), { waitMs: 50 });
      await writeSlowly(res, parts).catch(() => undefined);
      res.end();
    });
    try {
      const every = { kind: 'every' as const, intervalMs: 10_000 };
      const run = startRunner(
        [target('stall', stall.url), target('busy', busy.url)],
        {
          kind: 'probes',
          streams: [
            { probe: 'p', target: 'stall', spec: SMALL_SPEC, schedule: every, seed: 1 },
            { probe: 'p', target: 'busy', spec: SMALL_SPEC, schedule: every, seed: 2 },
          ],
        },
        { stopAfter: { durationMs: 400, requests: null }, graceMs: 500 },
      );
      const final = await run.done;
      const cell = (name: string) => final.snapshot.stats.targets.find((t) => t.target === name)!.windows.all;
      expect(cell('stall')).toMatchObject({ requests: 1, errors: 1, unfinished: 0, errorTypes: { timeout: 1 } });
      expect(cell('busy')).toMatchObject({ requests: 0, errors: 0, unfinished: 1, errorTypes: {} });
    } finally {
      await Promise.all([stall.close(), busy.close()]);
    }
  });

  it('a request still waiting for its first token, but for less than the slowest answer, is unfinished: a slow relay is not a failing one', async () => {
    // Every answer's first token comes after 1.5 s, longer than the 0.65 s grace: the last sends are cut while waiting.
    // Sends leave every 300 ms and the cut comes at 2,000 + 650 ms, so the latest cut request (sent at 1,200 ms) has
    // waited 1,450 ms, clearly less than the slowest answer; a 700 ms grace made that wait exactly 1,500 ms, a coin toss.
    const slow = await startHostile(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      await okStream(res);
    });
    try {
      const run = startRunner(
        [target('slow', slow.url)],
        { kind: 'probes', streams: [{ probe: 'p', target: 'slow', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 300 }, seed: 1 }] },
        { stopAfter: { durationMs: 2000, requests: null }, graceMs: 650 },
      );
      const all = (await run.done).snapshot.stats.windows.all;
      expect(all.requests).toBeGreaterThanOrEqual(3);
      expect(all.unfinished).toBeGreaterThanOrEqual(1);
      expect(all.errors).toBe(0);
      expect(all.errorTypes).toEqual({});
    } finally {
      await slow.close();
    }
  });

  it('a run shorter than every answer: with no answer to compare with, the requests cut at the end are unfinished, not timeouts, and not "unreachable"', async () => {
    // Headers and first token only after 15 s: longer than the 1 s run and its 10 s grace.
    const slow = await startHostile(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 15_000));
      if (!res.destroyed) okStream(res);
    });
    try {
      const res = await runCli(['check', '--base-url', slow.url, '--duration', '1s', '--every', '400ms', '--json'], { env, timeoutMs: 40_000 });
      expectNoSecret(res);
      const json = JSON.parse(res.stdout) as RunJson;
      expect(json.summary.unfinished).toBe(slow.requests.length);
      expect(json.summary.errorTypes).toEqual({});
      expect(res.stderr).not.toContain('unreachable');
      expect(res.stderr).toContain('were still unanswered when the run stopped');
      // Nothing finished, so the implied error guard has no data: a check that measured nothing fails (1), it is not unreachable (3).
      expect(res.code).toBe(1);
    } finally {
      await slow.close();
    }
  }, 45_000);

  it('a request hanging without a first token (keep-alive comments only) for longer than any answer is the relay\'s timeout', async () => {
    // Odd requests answer at once; even ones get headers and then only SSE comments, forever.
    let n = 0;
    const hang = await startHostile(async (_req, res) => {
      if (n++ % 2 === 1) return okStream(res);
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [];
      for (let i = 0; i < 100; i++) parts.push(': keep-alive\n\n', { waitMs: 100 });
      await writeSlowly(res, parts).catch(() => undefined);
      res.end();
    });
    try {
      const run = startRunner(
        [target('hang', hang.url)],
        { kind: 'probes', streams: [{ probe: 'p', target: 'hang', spec: SMALL_SPEC, schedule: { kind: 'every', intervalMs: 200 }, seed: 1 }] },
        { stopAfter: { durationMs: 1000, requests: null }, graceMs: 500 },
      );
      const all = (await run.done).snapshot.stats.windows.all;
      const hung = Math.ceil(hang.requests.length / 2);
      expect(hung).toBeGreaterThanOrEqual(2);
      // Each hung request had waited at least the grace period, far longer than the fast answers.
      expect(all.errorTypes).toEqual({ timeout: hung });
      expect(all.unfinished).toBe(0);
      expect(all.errorRate).toBeGreaterThan(0.3);
    } finally {
      await hang.close();
    }
  });

  it('through the CLI: check --duration stopping while a slow stream is still streaming beyond the grace period', async () => {
    // The first request streams a token every 200 ms for far longer than the run and its grace; the rest finish at once.
    let n = 0;
    const slow = await startHostile(async (_req, res) => {
      if (n++ > 0) return okStream(res);
      res.writeHead(200, SSE_HEADERS);
      const parts: (string | { waitMs: number })[] = [sse(openaiChunk({ role: 'assistant', content: '' }))];
      for (let i = 0; i < 300; i++) parts.push(sse(openaiChunk({ content: 'x' })), { waitMs: 200 });
      await writeSlowly(res, parts).catch(() => undefined);
      res.end();
    });
    try {
      const res = await runCli(['check', '--base-url', slow.url, '--duration', '1s', '--every', '300ms', '--json'], { env, timeoutMs: 40_000 });
      expectNoSecret(res);
      const json = JSON.parse(res.stdout) as RunJson;
      expect(json.summary.unfinished).toBe(1);
      expect(json.summary.requests).toBe(slow.requests.length - 1);
      expect(json.summary.errors).toBe(0);
      expect(json.summary.errorTypes).toEqual({});
      expect(json.summary.latencyMs.max!).toBeLessThan(1000);
      // Nothing failed on the relay's side: the implied error guard holds and the check passes.
      expect(json.thresholds).toEqual([{ expression: 'errors:rate<0.05', ok: true, value: 0, implied: true }]);
      expect(res.code).toBe(0);
      // ...but the cut request is said, so a run that cut many short does not pass unremarked.
      expect(res.stderr).toMatch(new RegExp(`check: 1 of ${slow.requests.length} requests were still unanswered when the run stopped`));
    } finally {
      await slow.close();
    }
  }, 45_000);
});

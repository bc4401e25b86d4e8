/**
 * A run's dry run (src/engine/dry-run.ts): the run's own code, once, against
 * a stand-in on 127.0.0.1 before the first instant. It must reach no relay,
 * carry no secret, and leave nothing of itself in the run: results, counts
 * and spend are the run's alone.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TrafficPlan } from '../../src/engine/messages.js';
import { EngineRunner } from '../../src/engine/runner.js';
import { DRY_RUN_MS, dryRun, wantsDryRun, type DryRunner } from '../../src/engine/dry-run.js';
import { WARM_WAIT_MS } from '../../src/engine/warm.js';
import { closeStandIn, standIn } from '../../src/client/rehearse.js';
import { engineConfig, SMALL_SPEC, startRunner, target } from '../helpers/engine.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

const SENTINEL = 'sk-SENTINEL-dry-run-7f3a9c';
const servers: (Server | HttpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const atRate = (n: number, ratePerSec: number): TrafficPlan => ({
  kind: 'replay',
  entries: Array.from({ length: n }, (_, i) => ({ line: i + 1, offsetMs: null, spec: SMALL_SPEC })),
  mode: { kind: 'rate', ratePerSec, poisson: false, seed: 1 },
  loop: false,
  targets: ['r'],
});

/** The relay: answers every request with a short stream and usage, and counts them. */
async function relay(): Promise<{ url: string; requests: number }> {
  const rec = { url: '', requests: 0 };
  const server = createHttpServer((req, res) => {
    rec.requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, SSE_HEADERS);
      res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return rec;
}

/** A stand-in that keeps every byte it is sent and answers as the real one does (a client error, then close). */
function recordingStandIn(seen: string[]): () => Promise<Server> {
  return () => {
    const server = createServer((socket: Socket) => {
      let got = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        got += chunk;
        const end = got.indexOf('\r\n\r\n');
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(got.slice(0, Math.max(0, end)));
        if (end < 0 || got.length - end - 4 < Number(length?.[1] ?? 0)) return;
        seen.push(got);
        socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
      });
    });
    servers.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  };
}

/** A raw client: writes `head`, then `bodyBytes` of body in 64 KB chunks; resolves what it read and whether its socket was closed under it. */
function upload(port: number, bodyBytes: number, sendBytes = bodyBytes): { done: Promise<{ answer: string; closed: boolean; error: boolean }>; sent: () => number } {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  let sent = 0;
  let error = false;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (answer += d));
  socket.on('error', () => (error = true));
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${bodyBytes}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const pump = (): void => {
    while (sent < sendBytes) {
      const n = Math.min(chunk.length, sendBytes - sent);
      sent += n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  socket.once('connect', pump);
  const done = new Promise<{ answer: string; closed: boolean; error: boolean }>((resolve) => socket.on('close', () => resolve({ answer, closed: true, error })));
  return { done, sent: () => sent };
}

describe('the stand-in (client/rehearse.ts)', () => {
  it('answers a large body after its last byte, and closing it drops a connection still sending', async () => {
    const server = await standIn();
    const port = (server.address() as AddressInfo).port;
    const whole = upload(port, 8 * 2 ** 20);
    const r = await whole.done;
    expect(whole.sent()).toBe(8 * 2 ** 20);
    expect(r.answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    // A dry run left behind at its bound, still sending: closing the stand-in ends its connection, with no answer.
    const accepted = once(server, 'connection');
    const stuck = upload(port, 64 * 2 ** 20, 2 ** 20);
    await accepted;
    await closeStandIn(server);
    const s = await stuck.done;
    expect(s.answer).toBe('');
    expect(s.closed).toBe(true);
  });
});

describe('a run\'s dry run', () => {
  it('sends the plan\'s first request through the run\'s own code to the stand-in: no key, no header, nothing to the relay', async () => {
    const rec = await relay();
    const seen: string[] = [];
    // A key can be written into a baseUrl's query string too: the stand-in gets the path without it.
    const t = target('r', `${rec.url}?api-version=1&key=${SENTINEL}`, { apiKey: SENTINEL, headers: { 'x-team-token': SENTINEL } });
    const config = engineConfig([t], atRate(10, 50), { budgetUsd: 1, secrets: [SENTINEL] });
    const out = await dryRun(config, (c, post) => new EngineRunner(c, post, { dry: true }), recordingStandIn(seen));
    expect(out.sent).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^POST \/v1\/chat\/completions HTTP\/1\.1\r\n/);
    expect(seen[0]).not.toContain('api-version');
    expect(seen[0]).toContain('Reply with OK');
    expect(seen[0]!.toLowerCase()).toContain('authorization: bearer rehearsal');
    expect(seen[0]).not.toContain(SENTINEL);
    expect(seen[0]!.toLowerCase()).not.toContain('x-team-token');
    expect(rec.requests).toBe(0);
  });

  it('leaves nothing of itself in the run: its results, sends and spend are the run\'s own', async () => {
    const rec = await relay();
    const run = startRunner([target('r', rec.url)], atRate(8, 50), { budgetUsd: 1 });
    const final = await run.done;
    const results = run.snapshots.flatMap((s) => s.results).concat(final.snapshot.results);
    expect(rec.requests).toBe(8);
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.ok && r.httpStatus === 200)).toBe(true);
    expect(final.snapshot.progress.sent).toBe(8);
    expect(final.snapshot.stats.windows.all.requests).toBe(8);
    // The dry run's request failed (the stand-in's 400) with no usage: in the run's guard it would be held at its worst case.
    const measured = results.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
    expect(final.snapshot.spend.spentUsd).toBeCloseTo(measured, 12);
    expect(final.snapshot.spend.unknownUsd ?? 0).toBe(0);
  });

  it('a dry runner that does not end is stopped and left behind after the warm-up\'s bound', async () => {
    const stops: string[] = [];
    const stuck = (): DryRunner => ({ start: () => new Promise<void>(() => undefined), stop: (reason) => void stops.push(String(reason)) });
    const started = performance.now();
    const out = await dryRun(engineConfig([target('r', 'http://127.0.0.1:9/v1')], atRate(3, 10)), stuck, recordingStandIn([]));
    expect(out.sent).toBe(0);
    expect(stops).toEqual(['interrupt']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(WARM_WAIT_MS - 5);
    expect(performance.now() - started).toBeLessThan(WARM_WAIT_MS + 3000);
  });

  it('is done only where a run has instants to keep and a stand-in it can reach', () => {
    const t = [target('r', 'http://127.0.0.1:9/v1')];
    expect(wantsDryRun(engineConfig(t, atRate(3, 10)))).toBe(true);
    const closed: TrafficPlan = { kind: 'replay', entries: [{ line: 1, offsetMs: null, spec: SMALL_SPEC }], mode: { kind: 'closed', concurrency: 2 }, loop: false, targets: ['r'] };
    expect(wantsDryRun(engineConfig(t, closed))).toBe(false);
    expect(wantsDryRun(engineConfig(t, atRate(3, 10), { probeRules: true }))).toBe(false);
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    try {
      expect(wantsDryRun(engineConfig(t, atRate(3, 10)))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
    expect(DRY_RUN_MS).toBeLessThanOrEqual(WARM_WAIT_MS);
  });
});

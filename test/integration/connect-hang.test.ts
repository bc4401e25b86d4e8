/**
 * A relay whose connection never completes (a TLS handshake that gets no
 * answer: the socket is accepted and then silent). The request is still
 * opening its connection when the run's grace period ends: that is the
 * relay's failure (a connect timeout), not relaymon's cut, and the request
 * did try a new connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-connect-hang-'));
const sockets = new Set<Socket>();
let silent: Server;
let port = 0;

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

interface LogLine {
  result: { ok: boolean; errorType: string | null; timeoutPhase: string | null; newConnection: boolean; connectMs: number | null };
}

describe('a connection that never completes', () => {
  it('still opening when the grace period ends: a connect timeout, a new connection, exit 3 (unreachable)', async () => {
    // The connect timer (30 s) is longer than the 10 s grace: the grace decides, every time.
    const cfg = join(dir, 'hang.yaml');
    const log = join(dir, 'hang.jsonl');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: https://127.0.0.1:${port}/v1\n    timeouts:\n      connect: 30s\n`);
    const res = await runCli(['check', '--config', cfg, '-n', '1', '--json', '--log', log], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 40_000 });
    expectNoSecret(res);
    const json = JSON.parse(res.stdout) as { summary: { unfinished: number; errorTypes: Record<string, number> } };
    expect(json.summary.unfinished).toBe(0);
    expect(json.summary.errorTypes).toEqual({ timeout: 1 });
    const line = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[0]!) as LogLine;
    expect(line.result).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'connect', newConnection: true, connectMs: null });
    expect(res.stderr).not.toContain('were still unanswered');
    expect(res.code).toBe(3);
  }, 45_000);

  it('a connect timeout of its own reads as a new connection with no connect time', async () => {
    const cfg = join(dir, 'short.yaml');
    const log = join(dir, 'short.jsonl');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: https://127.0.0.1:${port}/v1\n    timeouts:\n      connect: 300ms\n`);
    const res = await runCli(['probe', '--config', cfg, '-n', '1', '--log', log], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expectNoSecret(res);
    const line = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[0]!) as LogLine;
    expect(line.result).toMatchObject({ ok: false, errorType: 'timeout', timeoutPhase: 'connect', newConnection: true, connectMs: null });
    expect(res.code).toBe(3);
  });
});

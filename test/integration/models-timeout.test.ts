import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';

/**
 * GET /models has the target's timeouts, as every request does (src/client/index.ts listModels):
 * a relay that accepts the connection and never answers it must not hold `relaymon models` (or
 * evaluate's models phase, which calls the same listModels) for the 300 s default total.
 */
let silent: HostileServer;
let headersOnly: HostileServer;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-models-timeout-'));

beforeAll(async () => {
  // Accepts, reads the request, never answers.
  silent = await startHostile(() => undefined);
  // Answers the headers, then never sends the body.
  headersOnly = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
  });
});
afterAll(async () => {
  await silent.close();
  await headersOnly.close();
});

function config(name: string, url: string, timeouts: string): string {
  const path = join(dir, name);
  writeFileSync(path, `targets:\n  stall:\n    baseUrl: ${url}\n    timeouts: ${timeouts}\n`);
  return path;
}

describe('relaymon models against a relay that never answers GET /models', () => {
  it('gives up after the first-byte timeout (timeouts.firstToken), not the total', async () => {
    const cfg = config('first.yaml', silent.url, '{ firstToken: 500ms }');
    const t0 = Date.now();
    const res = await runCli(['models', '--config', cfg, '-t', 'stall'], { timeoutMs: 20_000 });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('stall: timeout: GET /models: first byte timeout after 500 ms');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('gives up after --timeout (the total), in the words of a request timeout, not undici\'s', async () => {
    const res = await runCli(['models', '--base-url', silent.url, '--timeout', '1s'], { timeoutMs: 20_000 });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('timeout: GET /models: total timeout after 1000 ms');
    expect(res.stderr).not.toMatch(/Headers Timeout Error|UND_ERR/);
  });

  it('gives up on a body that never comes after the idle timeout', async () => {
    const cfg = config('idle.yaml', headersOnly.url, '{ idle: 500ms }');
    const res = await runCli(['models', '--config', cfg, '-t', 'stall'], { timeoutMs: 20_000 });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('stall: timeout: GET /models: idle gap timeout after 500 ms');
  });
});

/**
 * The contract's first Ctrl-C "stops cleanly and still prints"
 * (docs/contracts.md "Exit codes"), from the moment relaymon's own code runs:
 * a signal while the command loads used to end the process with nothing
 * printed (Node's default until the run installed its handler).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

const PRELOAD = fileURLToPath(new URL('../helpers/signal-while-loading.cjs', import.meta.url));

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('Ctrl-C while relaymon loads', () => {
  it.each([
    ['check', ['check', '-d', '30s', '--every', '50ms']],
    ['probe', ['probe', '-n', '3']],
    ['replay', ['replay', '--rate', '20/s', '--loop']],
  ])('%s: held for the run, which stops before sending and prints its summary (exit 130)', async (name, args) => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-early-int-'));
    const summary = join(dir, 'summary.json');
    const extra: string[] = [];
    if (name === 'replay') {
      const traffic = join(dir, 'traffic.jsonl');
      writeFileSync(traffic, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }) + '\n');
      args.splice(1, 0, traffic);
    }
    if (name !== 'probe') extra.push('--summary', summary);
    const res = await runCli([...args, '--base-url', server.url, ...extra], { env: { OPENAI_API_KEY: SENTINEL_KEY, NODE_OPTIONS: `--require ${PRELOAD}` } });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('interrupted: stopping (again to exit at once)');
    expect(server.requests).toHaveLength(0);
    if (name === 'probe') expect(res.stdout).toContain('(interrupted before any request was sent)');
    else {
      expect(res.stdout).toContain(name === 'replay' ? '(stopped by interrupt)' : 'stopped: interrupted');
      if (name === 'check') expect(res.stdout.replace(/\s+/g, ' ')).toMatch(/stopped: interrupted \(ran [\d.]+m?s\) — before any request was sent \(a threshold with no data fails\)/);
      expect((JSON.parse(readFileSync(summary, 'utf8')) as { stoppedBy: string }).stoppedBy).toBe('interrupt');
    }
  });

  it('evaluate: held until before its first request (the model lists), and nothing is sent', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[]}');
    });
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-early-int-'));
    const config = join(dir, 'relaymon.config.yaml');
    writeFileSync(config, `targets:\n  a:\n    baseUrl: ${server.url}\n    apiKeyEnv: OPENAI_API_KEY\n  b:\n    baseUrl: ${server.url}\n    apiKeyEnv: OPENAI_API_KEY\n`);
    const res = await runCli(['evaluate', '--config', config, '--targets', 'a,b', '-n', '2'], { env: { OPENAI_API_KEY: SENTINEL_KEY, NODE_OPTIONS: `--require ${PRELOAD}` } });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('evaluate: interrupted before anything was sent; no verdict');
    expect(server.requests).toHaveLength(0);
  });

  it('init exits 130 before writing anything: no empty config file left to refuse the next init', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-early-int-'));
    const path = join(dir, 'relaymon.config.yaml');
    const res = await runCli(['init', '--path', path], { env: { NODE_OPTIONS: `--require ${PRELOAD}` } });
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('relaymon init: interrupted');
    expect(existsSync(path)).toBe(false);
  });

  it('a command that does not stop cleanly (report) exits 130, as Node would have', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-early-int-'));
    const log = join(dir, 'requests.jsonl');
    writeFileSync(log, '');
    const res = await runCli(['report', log, '-o', join(dir, 'report.html')], { env: { NODE_OPTIONS: `--require ${PRELOAD}` } });
    expect(res.code, res.stderr).toBe(130);
  });
});

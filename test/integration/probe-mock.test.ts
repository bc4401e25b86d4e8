import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret, probeJson } from '../helpers/probe.js';
import { PROBE_JSON_FIELDS } from '../../src/core/result.js';

/** The real CLI against the real `relaymon mock` process, over loopback. */
let mock: MockProcess;
let mismatched: MockProcess;
const TTFT = 120;

beforeAll(async () => {
  [mock, mismatched] = await Promise.all([
    startMockProcess(['--ttft', String(TTFT), '--itl', '5', '--tokens', '8']),
    startMockProcess(['--ttft', '10', '--serve-model', 'gpt-4o-mini']),
  ]);
});
afterAll(async () => {
  await Promise.all([mock?.stop(), mismatched?.stop()]);
});

describe('probe against relaymon mock', () => {
  it('--json has exactly the contract fields and a summary', async () => {
    const { json, code } = await probeJson(mock.url, ['-n', '4', '-c', '2', '--model', 'gpt-4o']);
    expect(code).toBe(0);
    expect(json.target).toBe('default');
    expect(json.requests).toHaveLength(4);
    for (const r of json.requests) {
      expect(Object.keys(r).sort()).toEqual([...PROBE_JSON_FIELDS].sort());
      expect(r.ok).toBe(true);
      expect(r.outputTokens).toBe(8);
      expect(r.usageSource).toBe('reported');
      expect(r.costUsd).toBeGreaterThan(0);
      expect(r.ttftMs!).toBeGreaterThanOrEqual(TTFT - 1);
      expect(r.ttftMs!).toBeLessThan(TTFT + 100);
      expect(r.requestId).toBeTruthy();
    }
    expect(json.summary.requests).toBe(4);
    expect(json.summary.errors).toBe(0);
    const ttft = json.summary['ttftMs'] as { p50: number; max: number };
    expect(ttft.p50).toBeGreaterThanOrEqual(TTFT - 1);
    expect(json.thresholds).toEqual([]);
  });

  it('human output: a row per request and a summary, no key', async () => {
    const res = await runCli(['probe', '--base-url', mock.url, '-n', '3'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expect(res.code).toBe(0);
    expectNoSecret(res);
    const rows = res.stdout.split('\n').filter((l) => /^\s+\d+\s+200\s/.test(l));
    expect(rows).toHaveLength(3);
    expect(res.stdout).toMatch(/summary: 3 requests, 0 errors/);
    expect(res.stdout).toMatch(/^ttft\s/m);
    expect(res.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('thresholds: pass → 0, breach → 1, with the deciding value', async () => {
    const pass = await probeJson(mock.url, ['-n', '2', '--threshold', 'ttft:p(95)<5s', '--threshold', 'errors:rate<1%']);
    expect(pass.code).toBe(0);
    expect(pass.json.thresholds.map((t) => t.ok)).toEqual([true, true]);
    expect(pass.json.thresholds[1]!.value).toBe(0);
    const fail = await probeJson(mock.url, ['-n', '2', '--threshold', `ttft:p(95)<${Math.floor(TTFT / 2)}`]);
    expect(fail.code).toBe(1);
    expect(fail.json.thresholds[0]!.ok).toBe(false);
    expect(fail.json.thresholds[0]!.value!).toBeGreaterThanOrEqual(TTFT - 1);
  });

  it('a substituted model is flagged', async () => {
    const { json } = await probeJson(mismatched.url, ['--model', 'gpt-4o']);
    const r = json.requests[0]!;
    expect(r.responseModel).toBe('gpt-4o-mini');
    expect(r.modelMismatch).toBe(true);
  });

  it('non-streaming: no TTFT, usage reported', async () => {
    const { json, code } = await probeJson(mock.url, ['--no-stream']);
    expect(code).toBe(0);
    const r = json.requests[0]!;
    expect(r.stream).toBe(false);
    expect(r.ttftMs).toBeNull();
    expect(r.usageSource).toBe('reported');
    expect(r.latencyMs).toBeGreaterThanOrEqual(TTFT - 1);
  });

  it('models lists what the mock serves', async () => {
    const res = await runCli(['models', '--base-url', mock.url, '--json']);
    expect(res.code).toBe(0);
    const ids = JSON.parse(res.stdout) as string[];
    expect(ids).toContain('gpt-4o');
  });

  it('an unknown model costs null, shown as unpriced', async () => {
    const { json } = await probeJson(mock.url, ['--model', 'my-private-finetune']);
    expect(json.requests[0]!.costUsd).toBeNull();
    expect(json.summary['costUsd']).toBeNull();
    const text = await runCli(['probe', '--base-url', mock.url, '--model', 'my-private-finetune']);
    expect(text.stdout).toContain('unpriced');
  });

  it('--prices adds a model from a LiteLLM-format file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-prices-'));
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ 'my-private-finetune': { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }));
    const { json } = await probeJson(mock.url, ['--model', 'my-private-finetune', '--prices', file]);
    const r = json.requests[0]!;
    expect(r.costUsd!).toBeCloseTo(r.inputTokens! * 0.001 + r.outputTokens! * 0.002, 10);
  });
});

describe('bad usage exits 2 with a clear message', () => {
  it('a malformed threshold shows a caret', async () => {
    const res = await runCli(['probe', '--base-url', mock.url, '--threshold', 'ttft:p(95)~800']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('ttft:p(95)~800');
    expect(res.stderr).toMatch(/\n\s*\^/);
  });

  it('an invalid metric × aggregation pair', async () => {
    const res = await runCli(['probe', '--base-url', mock.url, '--threshold', 'ttft:rate<0.1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/rate/);
  });

  it('a bad number', async () => {
    const res = await runCli(['probe', '--base-url', mock.url, '-n', 'lots']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--requests');
  });

  it('an unknown flag', async () => {
    const res = await runCli(['probe', '--bogus']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--bogus');
  });

  it('a config file with an error names the file and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-badcfg-'));
    const file = join(dir, 'relaymon.config.yaml');
    writeFileSync(file, 'targets:\n  relay:\n    baseUrl: relay.example\n');
    const res = await runCli(['probe'], { cwd: dir, env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('relaymon.config.yaml');
    expect(res.stderr).toContain('targets.relay.baseUrl');
    expectNoSecret(res);
  });

  it('a missing --prices file', async () => {
    const res = await runCli(['probe', '--base-url', mock.url, '--prices', '/nonexistent/prices.json']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('/nonexistent/prices.json');
  });

  it('--version and --help exit 0', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['probe', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Examples:');
  });
});

/** probe, check and replay with protocol openai-responses through `relaymon mock` (its Responses API). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret, type ProbeJson } from '../helpers/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-mockresp-'));
const env = { OPENAI_API_KEY: SENTINEL_KEY };
const TTFT = 150;
let mock: MockProcess;
let cfg: string;

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', String(TTFT), '--itl', '5', '--tokens', '8', '--no-jitter']);
  cfg = join(dir, 'relaymon.yaml');
  writeFileSync(cfg, `targets:\n  resp:\n    baseUrl: ${mock.url}\n    protocol: openai-responses\n    apiKeyEnv: OPENAI_API_KEY\n`);
});
afterAll(() => mock.stop());

describe('through relaymon mock with protocol: openai-responses', () => {
  it('probe --json: streamed answers with TTFT near the mock\'s, usage reported, no violation', async () => {
    const res = await runCli(['probe', '--config', cfg, '-n', '3', '--json'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as ProbeJson;
    for (const r of json.requests) {
      expect(r.ok).toBe(true);
      expect(r.ttftMs!).toBeGreaterThanOrEqual(TTFT - 1);
      expect(r.ttftMs!).toBeLessThan(TTFT + 150);
      expect(r.outputTokens).toBe(8);
      expect(r.usageSource).toBe('reported');
      expect(r.itlMs).not.toBeNull();
      expect(r.streamViolations).toEqual([]);
    }
  });

  it('check --json: every request answered', async () => {
    const res = await runCli(['check', '--config', cfg, '-n', '3', '--every', '50ms', '--json'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const t = (JSON.parse(res.stdout) as { targets: { protocol: string; summary: { requests: number; errors: number } }[] }).targets[0]!;
    expect([t.protocol, t.summary.requests, t.summary.errors]).toEqual(['openai-responses', 3, 0]);
  });

  it('replay of Batch lines with url /v1/responses', async () => {
    const file = join(dir, 'batch.jsonl');
    writeFileSync(file, [1, 2, 3].map((i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/responses', body: { model: 'gpt-5-mini', input: [{ role: 'user', content: `hello ${i}` }], max_output_tokens: 4 } })).join('\n') + '\n');
    const res = await runCli(['replay', file, '--config', cfg, '--json'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const t = (JSON.parse(res.stdout) as { targets: { name: string; summary: { requests: number; errors: number; outputTokens: number } }[] }).targets[0]!;
    expect([t.name, t.summary.requests, t.summary.errors]).toEqual(['resp', 3, 0]);
  });
});

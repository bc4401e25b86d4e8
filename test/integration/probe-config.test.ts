import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret, probeJson } from '../helpers/probe.js';
import { startHostile } from '../helpers/hostile.js';

/** How probe combines flags, the config file and the environment, and what it refuses. */
let mock: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-probecfg-'));
const TTFT = 300;

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', String(TTFT), '--itl', '5', '--tokens', '10']);
});
afterAll(() => mock.stop());

function config(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

describe('the config file drives probe', () => {
  it("uses the config probe's model, prompt, maxTokens and stream, and its thresholds", async () => {
    const cfg = config(
      'probe.yaml',
      `targets:\n  relay:\n    baseUrl: ${mock.url}\nprobes:\n  tiny:\n    model: gpt-4o\n    prompt: "Say hi"\n    maxTokens: 5\n    stream: false\nthresholds:\n  ttft: ["p(95)<100"]\n  latency: ["p(95)<10s"]\n`,
    );
    const { json, code } = await probeJson(mock.url, ['--config', cfg, '-t', 'relay']);
    const r = json.requests[0]!;
    expect(r.model).toBe('gpt-4o');
    expect(r.stream).toBe(false);
    expect(r.outputTokens).toBe(5); // the mock honours max_tokens
    // ttft has no data on a non-streamed request: that threshold fails, it does not pass silently.
    expect(json.thresholds).toEqual([
      { expression: 'ttft:p(95)<100', ok: false, value: null },
      expect.objectContaining({ expression: 'latency:p(95)<10s', ok: true }),
    ]);
    expect(code).toBe(1);
  });

  it('flags win over the config probe', async () => {
    const cfg = config('probe2.yaml', `targets:\n  relay:\n    baseUrl: ${mock.url}\nprobes:\n  tiny:\n    model: gpt-4o\n    maxTokens: 5\n`);
    const { json } = await probeJson(mock.url, ['--config', cfg, '-t', 'relay', '--model', 'gpt-4.1-mini', '--max-tokens', '3']);
    expect(json.requests[0]!.model).toBe('gpt-4.1-mini');
    expect(json.requests[0]!.outputTokens).toBe(3);
  });

  it('a malformed threshold in the config exits 2 and names the file', async () => {
    const cfg = config('badthr.yaml', `targets:\n  relay:\n    baseUrl: ${mock.url}\nthresholds:\n  ttft: ["p(95)<<bogus"]\n`);
    const res = await runCli(['probe', '--config', cfg]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('badthr.yaml');
  });
});

describe('measurement stays honest', () => {
  it('-c above the default pool size does not add queueing to TTFB or TTFT', async () => {
    const { json, code } = await probeJson(mock.url, ['-n', '20', '-c', '20']);
    expect(code).toBe(0);
    for (const r of json.requests) {
      // A request queued behind another would read ≥ 2 × TTFT; 466 ms was seen at load 13 without queueing.
      expect(r.ttftMs!).toBeLessThan(TTFT + 250);
      expect(r.ttfbMs!).toBeLessThan(150);
    }
  });

  it('a query string in the base URL stays a query string (Azure api-version)', async () => {
    const seen: string[] = [];
    const server = await startHostile((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ model: 'gpt-4o-mini', choices: [{ message: { content: 'OK' } }], usage: { prompt_tokens: 3, completion_tokens: 1 } }));
    });
    try {
      const { code } = await probeJson(`${server.url}?api-version=2024-10-21`, ['--no-stream']);
      expect(code).toBe(0);
      expect(seen).toEqual(['/v1/chat/completions?api-version=2024-10-21']);
    } finally {
      await server.close();
    }
  });
});

describe('log and budget', () => {
  it('--log writes one line per request, no key, and the log replays', async () => {
    const log = join(dir, 'probe.log');
    const run = await probeJson(mock.url, ['-n', '3', '--log', log]);
    expect(run.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain(SENTINEL_KEY);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { v: number; target: string; result: { ok: boolean } });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.v === 1 && l.target === 'default' && l.result.ok)).toBe(true);
    const again = await runCli(['replay', log, '--base-url', mock.url, '--concurrency', '1', '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { summary: { requests: number } }).summary.requests).toBe(3);
  });

  it('--budget-usd stops probing before the spend could pass it', async () => {
    // gpt-4o-mini worst case here is about $0.0000075 (16 output tokens at $0.60/M plus a short prompt): 2 fit in $0.00002.
    const run = await probeJson(mock.url, ['-n', '10', '--max-tokens', '10', '--budget-usd', '0.00002']);
    expect(run.code).toBe(0);
    expect(run.json.requests.length).toBeGreaterThan(0);
    expect(run.json.requests.length).toBeLessThan(10);
    expect(run.stderr).toContain('budget');
    expect(run.json.summary['costUsd'] as number).toBeLessThanOrEqual(0.00002);
  });
});

describe('refusals and secrets', () => {
  it('no URL and no key anywhere is exit 2 with what to do, not a silent default', async () => {
    const res = await runCli(['probe'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no target: pass --base-url/);
  });

  it('a key echoed back by a bad threshold or a bad flag is redacted', async () => {
    const env = { OPENAI_API_KEY: SENTINEL_KEY };
    const thr = await runCli(['probe', '--base-url', mock.url, '--threshold', SENTINEL_KEY], { env });
    expect(thr.code).toBe(2);
    expectNoSecret(thr);
    const flag = await runCli(['probe', `--x${SENTINEL_KEY}`], { env });
    expect(flag.code).toBe(2);
    expectNoSecret(flag);
  });

  it('a password in the base URL is never printed, encoded or not', async () => {
    const url = mock.url.replace('http://', 'http://bob:s%40cret-pw@');
    const res = await runCli(['probe', '--base-url', url]);
    expect(res.stdout + res.stderr).not.toContain('s%40cret-pw');
    expect(res.stdout + res.stderr).not.toContain('s@cret-pw');
  });

  it('--model "" is bad usage', async () => {
    const res = await runCli(['probe', '--base-url', mock.url, '--model', '']);
    expect(res.code).toBe(2);
  });

  it('the anthropic protocol defaults to a small Claude model', async () => {
    const { json } = await probeJson(mock.url, ['--protocol', 'anthropic']);
    expect(json.requests[0]!.model).toBe('claude-haiku-4-5');
    expect(json.requests[0]!.ok).toBe(true);
  });

  it('a closed pipe (| head) ends quietly, without a stack trace', async () => {
    for (const args of [['probe', '--base-url', mock.url, '-n', '3'], ['check', '--help']]) {
      const { child, exited } = spawnCli(args);
      child.stdout.once('data', () => child.stdout.destroy());
      const { code, stderr } = await exited;
      expect(stderr).not.toMatch(/EPIPE|at .*\.js/);
      expect(code).toBe(0);
    }
  });
});

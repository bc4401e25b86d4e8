import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess, mockRequestCount } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

let mock: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-replay-'));
const SECRET_PROMPT = 'the launch code is PLANTED-PROMPT-42';

const mockRequests = (): Promise<number> => mockRequestCount(mock);

let before = 0;
beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '3']);
});
afterAll(() => mock.stop());
beforeEach(async () => {
  before = await mockRequests();
});

function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const chatBody = (content: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], max_tokens: 8 });

interface RunJson {
  command: string;
  stoppedBy: string | null;
  durationMs: number;
  targets: { name: string; summary: { requests: number; errors: number } }[];
  summary: { requests: number; errors: number; ttftMs: { p50: number | null } };
  thresholds: { expression: string; ok: boolean; value: number | null }[];
}

async function replayJson(path: string, args: string[] = []) {
  const res = await runCli(['replay', path, '--base-url', mock.url, '--json', ...args], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
  expectNoSecret(res);
  let json: RunJson;
  try {
    json = JSON.parse(res.stdout) as RunJson;
  } catch {
    throw new Error(`no JSON (exit ${res.code}): ${res.stdout}\n${res.stderr}`);
  }
  return { ...res, json };
}

describe('replay formats', () => {
  it('plain JSONL of Chat Completions bodies with offset_ms, original timing at --speed 4', async () => {
    const path = file('plain.jsonl', [0, 200, 400, 600].map((t) => ({ ...chatBody('hi'), offset_ms: t })));
    const { json, code } = await replayJson(path, ['--speed', '4']);
    expect(code).toBe(0);
    expect(json.command).toBe('replay');
    expect(json.summary.requests).toBe(4);
    expect(json.stoppedBy).toBeNull();
    // 600 ms of recording at 4× is 150 ms of sending.
    expect(json.durationMs).toBeGreaterThanOrEqual(150);
    expect((await mockRequests()) - before).toBe(4);
  });

  it('OpenAI Batch API input lines, at a fixed rate, to two targets', async () => {
    const cfg = join(dir, 'two.yaml');
    writeFileSync(cfg, `targets:\n  a:\n    baseUrl: ${mock.url}\n  b:\n    baseUrl: ${mock.url}\n`);
    const path = file('batch.jsonl', [1, 2, 3].map((i) => ({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: chatBody(`q${i}`) })));
    const res = await runCli(['replay', path, '--config', cfg, '-t', 'a,b', '--rate', '20/s', '--seed', '5', '--json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.targets.map((t) => [t.name, t.summary.requests])).toEqual([['a', 3], ['b', 3]]);
    expect((await mockRequests()) - before).toBe(6);
  });

  it("relaymon's own request log replays, closed loop", async () => {
    const log = join(dir, 'first.log');
    const src = file('src.jsonl', [chatBody('one'), chatBody('two')]);
    const first = await runCli(['replay', src, '--base-url', mock.url, '--concurrency', '1', '--log', log]);
    expect(first.code).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const { json, code } = await replayJson(log, ['--concurrency', '2']);
    expect(code).toBe(0);
    expect(json.summary.requests).toBe(2);
  });

  it('--model overrides, --requests and --loop bound a run, thresholds decide the exit code', async () => {
    const path = file('loop.jsonl', [chatBody('a')]);
    const { json, code } = await replayJson(path, ['--concurrency', '2', '--loop', '--requests', '10', '--model', 'gpt-4o', '--threshold', 'errors:rate<1%', '--threshold', 'ttft:p(95)<1']);
    expect(json.summary.requests).toBe(10);
    expect(json.stoppedBy).toBe('requests');
    expect(json.thresholds.map((t) => t.ok)).toEqual([true, false]);
    expect(code).toBe(1);
  });
});

describe('bad input', () => {
  const mixed = () =>
    file('mixed.jsonl', [
      chatBody('good one'),
      '{"model": "gpt-4o", "messages": [ broken',
      '',
      { messages: [{ role: 'user', content: SECRET_PROMPT }] },
      chatBody('good two'),
      '[1, 2, 3]',
    ]);

  it('bad lines are reported by number, skipped and counted; prompts never printed', async () => {
    const { json, code, stderr } = await replayJson(mixed(), ['--concurrency', '1']);
    expect(code).toBe(0);
    expect(json.summary.requests).toBe(2);
    expect(stderr).toMatch(/mixed\.jsonl:2: /);
    expect(stderr).toMatch(/mixed\.jsonl:4: .*model/);
    expect(stderr).toMatch(/mixed\.jsonl:6: /);
    expect(stderr).not.toMatch(/mixed\.jsonl:3:/);
    expect(stderr).toMatch(/skipped 3 bad lines/);
    expect(stderr).not.toContain(SECRET_PROMPT);
  });

  it('--strict exits 2 and sends nothing', async () => {
    const res = await runCli(['replay', mixed(), '--base-url', mock.url, '--strict']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--strict');
    expect((await mockRequests()) - before).toBe(0);
  });

  it('a missing file, an empty file and a file of junk exit 2', async () => {
    for (const path of [join(dir, 'nope.jsonl'), file('empty.jsonl', []), file('junk.jsonl', ['junk', 'more junk'])]) {
      const res = await runCli(['replay', path, '--base-url', mock.url]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(path);
    }
    expect((await mockRequests()) - before).toBe(0);
  });

  it('conflicting modes exit 2', async () => {
    const res = await runCli(['replay', file('x.jsonl', [chatBody('a')]), '--base-url', mock.url, '--rate', '5', '--concurrency', '2']);
    expect(res.code).toBe(2);
  });
});

describe('interrupted run', () => {
  it('SIGINT mid-traffic: exit 130, summary printed, every log line parses, no key, and the log replays', async () => {
    const log = join(dir, 'interrupted.log');
    const path = file('slow.jsonl', [chatBody(SECRET_PROMPT)]);
    const { child, exited } = spawnCli(['replay', path, '--base-url', mock.url, '--rate', '40/s', '--loop', '--log', log, '--json'], {
      env: { OPENAI_API_KEY: SENTINEL_KEY },
    });
    // Wait for traffic to flow: the mock counts requests.
    const start = await mockRequests();
    while ((await mockRequests()) - start < 15) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const res = await exited;
    const { code, stdout } = res;
    expect(code).toBe(130);
    expectNoSecret(res);
    const json = JSON.parse(stdout) as RunJson;
    expect(json.stoppedBy).toBe('interrupt');
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain(SENTINEL_KEY);
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(json.summary.requests);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    const again = await replayJson(log, ['--concurrency', '4']);
    expect(again.code).toBe(0);
    expect(again.json.summary.requests).toBe(lines.length);
  });
});

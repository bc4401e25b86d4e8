/**
 * The CLI speaks the Responses API wherever it speaks a protocol: probe,
 * check and replay against a hand-written Responses relay, configured with
 * `protocol: openai-responses`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret, type ProbeJson } from '../helpers/probe.js';
import { startResponsesServer, type StreamScript, type TruthServer } from '../helpers/responses-server.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-responses-'));
const env = { OPENAI_API_KEY: SENTINEL_KEY };
const FIRST_MS = 80;
const GAP_MS = 20;
const SCRIPT: StreamScript = { firstMs: FIRST_MS, reasoning: [' Let', ' me', ' see'], content: [' It', ' is', ' OK'], gapMs: GAP_MS };
let server: TruthServer;

beforeAll(async () => {
  server = await startResponsesServer((prompt) => {
    if (prompt === 'fail please') return { ...SCRIPT, fail: 'failed' };
    if (prompt === 'error please') return { ...SCRIPT, fail: 'error' };
    return SCRIPT;
  });
});
afterAll(() => server.close());

function config(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const respConfig = (): string =>
  config('resp.yaml', `targets:\n  resp:\n    baseUrl: ${server.url}\n    protocol: openai-responses\n    apiKeyEnv: OPENAI_API_KEY\n`);

async function probe(args: string[]): Promise<{ json: ProbeJson; code: number | null; stderr: string }> {
  const res = await runCli(['probe', '--json', ...args], { env });
  expectNoSecret(res);
  try {
    return { json: JSON.parse(res.stdout) as ProbeJson, code: res.code, stderr: res.stderr };
  } catch {
    throw new Error(`no JSON (exit ${res.code}): ${res.stdout}\n${res.stderr}`);
  }
}

describe('probe --json with protocol: openai-responses', () => {
  it('streams POST /responses with input and max_output_tokens, and reports the same timing fields', async () => {
    const before = server.requests.length;
    const { json, code } = await probe(['--config', respConfig(), '-n', '3', '--prompt', 'Say OK', '--max-tokens', '20']);
    expect(code).toBe(0);
    expect(json.requests).toHaveLength(3);
    for (const r of json.requests) {
      expect(r.ok).toBe(true);
      expect(r.stream).toBe(true);
      // The server wrote the first reasoning delta FIRST_MS after the request, the content a reasoning phase later.
      expect(r.ttftMs!).toBeGreaterThanOrEqual(FIRST_MS - 1);
      // Both are client instants: a late first read (a fresh process's first stream) shortens the difference.
      expect(r.ttftContentMs! - r.ttftMs!).toBeGreaterThanOrEqual(3 * GAP_MS - 20);
      expect(r.ttfbMs).not.toBeNull();
      // Mean ITL is (last read − first read) / 5: a first read up to 15 ms late (a fresh process) shortens it by 3 ms,
      // and each server timer may fire ~1 ms early.
      expect(r.itlMs!).toBeGreaterThanOrEqual(GAP_MS - 4);
      expect(r.itlMs!).toBeLessThan(GAP_MS + 60);
      expect(r.latencyMs).toBeGreaterThan(r.ttftContentMs!);
      expect(r.inputTokens).toBe(12);
      expect(r.outputTokens).toBe(6);
      expect(r.reasoningTokens).toBe(3);
      expect(r.cachedInputTokens).toBe(0);
      expect(r.usageSource).toBe('reported');
      expect(r.responseModel).toBe('gpt-4o-mini-2024-07-18');
      expect(r.streamViolations).toEqual([]);
    }
    const sent = server.requests.slice(before);
    expect(sent.map((q) => q.path)).toEqual(['/v1/responses', '/v1/responses', '/v1/responses']);
    expect(sent[0]!.headers['authorization']).toBe(`Bearer ${SENTINEL_KEY}`);
    expect(sent[0]!.body).toEqual({ model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Say OK' }], max_output_tokens: 20, stream: true });
  });

  it('--no-stream reads the whole Responses body', async () => {
    const { json } = await probe(['--config', respConfig(), '--no-stream']);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.stream).toBe(false);
    expect([r.outputTokens, r.reasoningTokens]).toEqual([6, 3]);
    expect(r.ttftMs).toBeNull();
  });

  it('--protocol openai-responses with --base-url works without a config', async () => {
    const res = await runCli(['probe', '--json', '--base-url', server.url, '--protocol', 'openai-responses'], { env });
    expectNoSecret(res);
    expect((JSON.parse(res.stdout) as ProbeJson).requests[0]!.ok).toBe(true);
  });

  it.each([
    ['fail please', 'stream_error', 'The model crashed mid-answer'],
    ['error please', 'rate_limited', 'Rate limit reached mid-stream'],
  ])('an error inside the 200 stream (%s) is reported as %s', async (prompt, errorType, message) => {
    const { json } = await probe(['--config', respConfig(), '--prompt', prompt]);
    const r = json.requests[0]!;
    expect(r.ok).toBe(false);
    expect(r.httpStatus).toBe(200);
    expect(r.errorType).toBe(errorType);
    expect(r.errorMessage).toContain(message);
    // It said why it ended: not an unterminated stream.
    expect(r.streamViolations).not.toContain('unterminated');
  });

  it('a protocol the config does not know exits 2 naming the valid ones', async () => {
    const cfg = config('bad.yaml', `targets:\n  resp:\n    baseUrl: ${server.url}\n    protocol: openai-response\n    apiKeyEnv: OPENAI_API_KEY\n`);
    const res = await runCli(['probe', '--config', cfg], { env });
    expectNoSecret(res);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('bad.yaml');
    expect(res.stderr).toContain('openai-responses');
  });
});

describe('check with protocol: openai-responses', () => {
  it('summarises the Responses streams with TTFT and reasoning', async () => {
    const res = await runCli(['check', '--config', respConfig(), '-n', '4', '--every', '50ms', '--json'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as { targets: { name: string; protocol: string; summary: { requests: number; errors: number; ttftMs: { p50: number } } }[] };
    const t = json.targets[0]!;
    expect(t.protocol).toBe('openai-responses');
    expect(t.summary.requests).toBe(4);
    expect(t.summary.errors).toBe(0);
    expect(t.summary.ttftMs.p50).toBeGreaterThanOrEqual(FIRST_MS - 1);
  });
});

describe('replay of a Batch file with /v1/responses lines', () => {
  it('sends them to the Responses target of the config, not to the default Chat Completions one', async () => {
    const cfg = config(
      'two.yaml',
      `targets:\n  chat:\n    baseUrl: ${server.url}\n    apiKeyEnv: OPENAI_API_KEY\n  resp:\n    baseUrl: ${server.url}\n    protocol: openai-responses\n    apiKeyEnv: OPENAI_API_KEY\n`,
    );
    const file = join(dir, 'batch.jsonl');
    writeFileSync(
      file,
      [1, 2].map((i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o-mini', input: `line ${i}`, max_output_tokens: 30 } })).join('\n') + '\n',
    );
    const before = server.requests.length;
    const res = await runCli(['replay', file, '--config', cfg, '--json'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('lines go to a target that speaks their protocol: 2 to "resp"');
    const json = JSON.parse(res.stdout) as { targets: { name: string; summary: { requests: number; errors: number } }[] };
    expect(json.targets.map((t) => [t.name, t.summary.requests, t.summary.errors])).toEqual([['resp', 2, 0]]);
    const sent = server.requests.slice(before);
    expect(sent.map((q) => q.path)).toEqual(['/v1/responses', '/v1/responses']);
    expect(sent.map((q) => q.body)).toContainEqual({ model: 'gpt-4o-mini', input: 'line 1', max_output_tokens: 30, stream: true });
  });
});

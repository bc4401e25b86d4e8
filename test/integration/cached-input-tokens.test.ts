/**
 * The cached-input-token counter, added to the metric catalogue alone
 * (src/metrics/catalog.ts): a relay that reports cached prompt tokens in
 * `usage` is seen in thresholds, the JSON summary and the text summary of
 * `check`. A hand-written relay, since `relaymon mock` always reports 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';

const env = { OPENAI_API_KEY: SENTINEL_KEY };
const CACHED = 7;

interface RunJson {
  summary: Record<string, unknown> & { requests: number; inputTokens: number; cachedInputTokens: number };
  targets: { summary: { cachedInputTokens: number } | null }[];
  thresholds: { expression: string; ok: boolean; value: number | null }[];
}

/** A non-streamed OpenAI answer whose usage says `cached` of its 20 prompt tokens came from the cache. */
function answer(cached: number): string {
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21, prompt_tokens_details: { cached_tokens: cached } },
  });
}

let cachedRelay: HostileServer;
let plainRelay: HostileServer;
beforeAll(async () => {
  cachedRelay = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer(CACHED));
  });
  plainRelay = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer(0));
  });
});
afterAll(async () => {
  await Promise.all([cachedRelay.close(), plainRelay.close()]);
});

const check = (url: string, ...extra: string[]) => runCli(['check', '--base-url', url, '--model', 'gpt-4o-mini', '--no-stream', '-n', '3', '--every', '50ms', ...extra], { env });

describe('cached_input_tokens', () => {
  it("is in probe's tokens line (replay prints the same line) when the relay reported some, and absent when not", async () => {
    const cachedRes = await runCli(['probe', '--base-url', cachedRelay.url, '--model', 'gpt-4o-mini', '--no-stream', '-n', '2'], { env });
    expectNoSecret(cachedRes);
    expect(cachedRes.code).toBe(0);
    expect(cachedRes.stdout).toMatch(new RegExp(`tokens: \\d+ in \\(${2 * CACHED} cached\\), \\d+ out`));
    // The tokens line comes with the summary of several requests.
    const plainRes = await runCli(['probe', '--base-url', plainRelay.url, '--model', 'gpt-4o-mini', '--no-stream', '-n', '2'], { env });
    expect(plainRes.code).toBe(0);
    expect(plainRes.stdout).toMatch(/tokens: \d+ in, \d+ out/);
    expect(plainRes.stdout).not.toContain('cached');
  });

  it('passes count>0 and rate>0 on a relay that caches, and is in the JSON summary after outputTokens', async () => {
    const res = await check(cachedRelay.url, '--threshold', 'cached_input_tokens:count>0', '--threshold', 'cached_input_tokens:rate>0', '--json');
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.summary.requests).toBe(3);
    expect(json.summary.cachedInputTokens).toBe(3 * CACHED);
    expect(json.targets[0]!.summary!.cachedInputTokens).toBe(3 * CACHED);
    const keys = Object.keys(json.summary);
    expect(keys.slice(keys.indexOf('outputTokens'), keys.indexOf('outputTokens') + 2)).toEqual(['outputTokens', 'cachedInputTokens']);
    const [count, rate] = json.thresholds;
    expect(count).toMatchObject({ expression: 'cached_input_tokens:count>0', ok: true, value: 3 * CACHED });
    expect(rate!.ok).toBe(true);
    expect(rate!.value).toBeGreaterThan(0);
  });

  it('fails count>0 on a relay that reports no cached tokens, with the value that decided it', async () => {
    const res = await check(plainRelay.url, '--threshold', 'cached_input_tokens:count>0');
    expectNoSecret(res);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('✗ cached_input_tokens:count>0  value=0');
    // A counter that stayed 0 everywhere gets no row in the text table.
    expect(res.stdout).not.toContain('cached input tokens');
  });

  it('has a row in the text summary and fails a limit it is over', async () => {
    const res = await check(cachedRelay.url, '--threshold', 'cached_input_tokens:count<10');
    expectNoSecret(res);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`✗ cached_input_tokens:count<10  value=${3 * CACHED}`);
    expect(res.stdout).toMatch(new RegExp(`cached input tokens\\s+${3 * CACHED}`));
  });

  it('is named among the valid metrics and takes only a counter\'s aggregations', async () => {
    const res = await check(cachedRelay.url, '--threshold', 'cached_input_tokens:p(95)<1');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('aggregation p(95) is not valid for cached_input_tokens (valid: count, rate)');
  });
});

/**
 * usage_missing (issue #13 item 3): a successful answer without the relay's
 * usage keeps relaymon's labelled estimate (usageSource `estimated`) and is
 * counted, streamed and non-streamed alike, in the text summaries, the JSON
 * summaries, thresholds and /metrics. `relaymon mock --drop-usage 1` leaves
 * usage out of every answer, even when it was asked for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { counterSum, metricsUrl, scrape, until } from './prometheus-helpers.js';

const env = { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY };
const dir = mkdtempSync(join(tmpdir(), 'relaymon-usage-missing-'));

let bare: MockProcess;
let honest: MockProcess;
beforeAll(async () => {
  [bare, honest] = await Promise.all([
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4', '--drop-usage', '1']),
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4']),
  ]);
});
afterAll(async () => {
  await Promise.all([bare?.stop(), honest?.stop()]);
});

interface ProbeJson {
  requests: { ok: boolean; usageSource: string | null; inputTokens: number | null; outputTokens: number | null; costUsd: number | null; streamViolations: string[] }[];
  summary: { requests: number; usageMissing: number };
}

interface RunJson {
  summary: Record<string, unknown> & { usageMissing: number };
  targets: { summary: { usageMissing: number } | null }[];
  thresholds: { expression: string; ok: boolean; value: number | null }[];
}

async function probeJson(url: string, args: string[]): Promise<ProbeJson> {
  const res = await runCli(['probe', '--base-url', url, '-n', '2', '--json', ...args], { env });
  expectNoSecret(res);
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as ProbeJson;
}

describe('usage_missing in probe', () => {
  it.each([
    ['streamed', 'openai', []],
    ['non-streamed', 'openai', ['--no-stream']],
    ['non-streamed', 'anthropic', ['--protocol', 'anthropic', '--model', 'claude-sonnet-4-5', '--no-stream']],
  ])('a %s %s answer without usage keeps its labelled estimate and is counted', async (how, _protocol, args) => {
    const json = await probeJson(bare.url, args as string[]);
    for (const r of json.requests) {
      expect(r.ok).toBe(true);
      expect(r.usageSource).toBe('estimated');
      expect(r.inputTokens).toBeGreaterThan(0);
      expect(r.outputTokens).toBe(4);
      expect(r.costUsd).toBeGreaterThan(0);
      // The stream violation stays what it was: for streams only.
      expect(r.streamViolations).toEqual(how === 'streamed' ? ['usage_missing'] : []);
    }
    expect(json.summary.usageMissing).toBe(2);
  });

  it.each([['streamed', []], ['non-streamed', ['--no-stream']]])('a %s Responses API answer without usage alike', async (how, args) => {
    const config = join(dir, `responses-${how}.yaml`);
    writeFileSync(config, `targets:\n  bare:\n    baseUrl: ${bare.url}\n    protocol: openai-responses\n    apiKeyEnv: OPENAI_API_KEY\n`);
    const res = await runCli(['probe', '--config', config, '--model', 'gpt-4o', '-n', '2', '--json', ...(args as string[])], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as ProbeJson;
    expect(json.requests.map((r) => [r.ok, r.usageSource, r.outputTokens])).toEqual([[true, 'estimated', 4], [true, 'estimated', 4]]);
    expect(json.summary.usageMissing).toBe(2);
  });

  it('an answer with usage is not counted', async () => {
    const json = await probeJson(honest.url, ['--no-stream']);
    expect(json.requests.map((r) => r.usageSource)).toEqual(['reported', 'reported']);
    expect(json.summary.usageMissing).toBe(0);
  });

  it('the text output says so under each answer and in the summary', async () => {
    const res = await runCli(['probe', '--base-url', bare.url, '-n', '2', '--no-stream', '--no-color'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout.match(/! usage missing: the relay reported no usage; tokens and cost marked ~ are estimated/g)).toHaveLength(2);
    // The estimated cost carries the same mark as the estimated tokens.
    expect(res.stdout.match(/~\$\d/g)).toHaveLength(2);
    expect(res.stdout).toContain("usage missing: 2 of 2 answers came without the relay's usage; their tokens and cost are estimated");
    const clean = await runCli(['probe', '--base-url', honest.url, '-n', '2', '--no-color'], { env });
    expect(clean.stdout).not.toContain('usage missing');
  });
});

describe('usage_missing in check, replay and watch', () => {
  const check = (url: string, ...extra: string[]) =>
    runCli(['check', '--base-url', url, '-n', '3', '--every', '50ms', '--no-color', ...extra], { env });

  it('is a threshold metric, a JSON summary key after cachedInputTokens, per target too', async () => {
    const res = await check(bare.url, '--no-stream', '--threshold', 'usage_missing:count==0', '--json');
    expectNoSecret(res);
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.summary.usageMissing).toBe(3);
    expect(json.targets[0]!.summary!.usageMissing).toBe(3);
    const keys = Object.keys(json.summary);
    expect(keys[keys.indexOf('cachedInputTokens') + 1]).toBe('usageMissing');
    expect(json.thresholds[0]).toMatchObject({ expression: 'usage_missing:count==0', ok: false, value: 3 });
  });

  it('has a row in the text table of check (streamed) and none against an honest relay', async () => {
    const res = await check(bare.url, '--threshold', 'usage_missing:count<1');
    expectNoSecret(res);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('✗ usage_missing:count<1  value=3');
    expect(res.stdout).toMatch(/usage missing\s+3/);
    const clean = await check(honest.url, '--threshold', 'usage_missing:count<1');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('✓ usage_missing:count<1  value=0');
    expect(clean.stdout).not.toMatch(/usage missing\s+\d/);
  });

  it("takes only a counter's aggregations: a timing aggregation is a usage error (exit 2), no secret printed", async () => {
    const res = await check(bare.url, '--threshold', 'usage_missing:p(95)<1');
    expectNoSecret(res);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('aggregation p(95) is not valid for usage_missing (valid: count, rate)');
  });

  it('watch --no-tui has the row too', async () => {
    const res = await runCli(['watch', '--no-tui', '--base-url', bare.url, '-n', '2', '--interval', '100ms', '--no-color'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/usage missing\s+2/);
  });

  it('replay prints it with each summary', async () => {
    const path = join(dir, 'batch.jsonl');
    const line = (i: number) => ({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${i}` }], max_tokens: 8 } });
    writeFileSync(path, [line(1), line(2)].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const res = await runCli(['replay', path, '--base-url', bare.url, '--no-color'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("usage missing: 2 of 2 answers came without the relay's usage");
    const json = await runCli(['replay', path, '--base-url', bare.url, '--json'], { env });
    expect((JSON.parse(json.stdout) as RunJson).summary.usageMissing).toBe(2);
  });
});

describe('usage_missing on /metrics', () => {
  it('is relaymon_usage_missing_total, streamed and non-streamed; the stream violation series stays streams-only', async () => {
    const config = join(dir, 'relaymon.config.yaml');
    writeFileSync(
      config,
      `targets:
  bare:
    baseUrl: ${bare.url}
    apiKeyEnv: OPENAI_API_KEY
probes:
  streamed:
    model: gpt-4o-mini
    stream: true
  whole:
    model: gpt-4o
    stream: false
`,
    );
    const cli = spawnCli(['check', '--config', config, '--every', '50ms', '-d', '60s', '--metrics-port', '0', '--json'], { env, timeoutMs: 60_000 });
    try {
      const url = await metricsUrl(cli.child);
      const text = await until(async () => {
        const t = await scrape(url);
        return counterSum(t, 'relaymon_requests_total', 'gen_ai_request_model="gpt-4o"') >= 2 && counterSum(t, 'relaymon_requests_total', 'gen_ai_request_model="gpt-4o-mini"') >= 2 ? t : null;
      }, 'two requests of each probe in /metrics');
      expect(text).toContain('# TYPE relaymon_usage_missing_total counter');
      const streamed = counterSum(text, 'relaymon_usage_missing_total', 'gen_ai_request_model="gpt-4o-mini"');
      const whole = counterSum(text, 'relaymon_usage_missing_total', 'gen_ai_request_model="gpt-4o"');
      expect(streamed).toBeGreaterThanOrEqual(2);
      expect(whole).toBeGreaterThanOrEqual(2);
      expect(counterSum(text, 'relaymon_stream_violations_total', 'kind="usage_missing"')).toBeGreaterThanOrEqual(2);
      expect(counterSum(text, 'relaymon_stream_violations_total', 'gen_ai_request_model="gpt-4o"')).toBe(0);
      expect(text).not.toContain(SENTINEL_KEY);
    } finally {
      cli.child.kill('SIGINT');
      await cli.exited.catch(() => undefined);
    }
  });
});

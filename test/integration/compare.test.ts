/**
 * `relaymon compare` through the real CLI against pairs of `relaymon mock`
 * processes. Each pair shares a seed, so the two mocks draw the same jittered
 * delays request for request: "identical" relays really are identical, and a
 * known difference is exactly the configured one plus loopback noise.
 *
 * False positives: a difference is reported significant only when the
 * Mann–Whitney p-value is below 0.01 AND it is at least 5% of the second
 * target's median (15 ms at 300 ms). Between identical mocks the medians
 * differ by loopback and scheduling noise only (both sides are sent at the
 * same instants, so a busy moment hits both): a millisecond or two, and the
 * p-value of samples this alike is near 1, so both conditions would have to
 * fail at once. The 200 ms difference gives p < 1e-8 with 30 samples a side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import type { CompareReport } from '../../src/compare/compare.js';

type CompareJson = CompareReport & { command: string; startedAt: string; durationMs: number; stoppedBy: string | null };

const dir = mkdtempSync(join(tmpdir(), 'relaymon-compare-'));
const JITTER = ['--jitter', '--itl', '3', '--tokens', '16', '--seed', '11'];
let slow: MockProcess;
let fast: MockProcess;
let twin1: MockProcess;
let twin2: MockProcess;

beforeAll(async () => {
  [slow, fast, twin1, twin2] = await Promise.all([
    startMockProcess(['--ttft', '300', '--inflate-usage', '1.5', ...JITTER]),
    startMockProcess(['--ttft', '100', ...JITTER]),
    startMockProcess(['--ttft', '300', ...JITTER]),
    startMockProcess(['--ttft', '300', ...JITTER]),
  ]);
});
afterAll(() => Promise.all([slow, fast, twin1, twin2].map((m) => m?.stop())));

function config(name: string, a: MockProcess, b: MockProcess): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    // Room for every request in flight (300 ms answers every 40 ms), so neither side is held back.
    `targets:\n  relay:\n    baseUrl: ${a.url}\n    apiKeyEnv: RELAY_KEY\n    priceMultiplier: 0.5\n    concurrency: 32\n` +
      `  direct:\n    baseUrl: ${b.url}\n    apiKeyEnv: RELAY_KEY\n    concurrency: 32\n`,
  );
  return file;
}

const compare = (cfg: string, ...args: string[]) =>
  runCli(['compare', '--config', cfg, '--targets', 'relay,direct', ...args], { env: { RELAY_KEY: SENTINEL_KEY }, timeoutMs: 25_000 });

describe('relaymon compare', () => {
  it('reports a known 200 ms TTFT difference as significant, with honesty and cost per target (--json)', async () => {
    const summary = join(dir, 'compare.json');
    const res = await compare(config('known', slow, fast), '-n', '30', '--every', '40ms', '--model', 'gpt-4o', '--json', '--summary', summary);
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as CompareJson;
    expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual(json);
    expect(Object.keys(json)).toEqual(['command', 'startedAt', 'durationMs', 'saturation', 'stoppedBy', 'alpha', 'minEffect', 'confidence', 'seed', 'targets', 'metrics', 'errors']);
    expect(json).toMatchObject({ command: 'compare', stoppedBy: 'requests', alpha: 0.01, minEffect: 0.05, confidence: 0.95 });
    expect(json.targets.map((t) => [t.name, t.requests])).toEqual([['relay', 30], ['direct', 30]]);
    expect(json.metrics.map((m) => m.metric)).toEqual(['latency', 'ttfb', 'ttft', 'itl', 'tokens_per_s']);
    const ttft = json.metrics.find((m) => m.metric === 'ttft')!;
    expect(ttft).toMatchObject({ unit: 'ms', significant: true, a: { n: 30 }, b: { n: 30 } });
    // Fully separated samples give ~1e-11; a loaded machine blurs a few (1.4e-7 seen at load 13).
    expect(ttft.pValue!).toBeLessThan(1e-4);
    // 300 vs 100 ms with lognormal jitter (σ 0.25) and 30 draws: about 200 ms, give or take the jitter of the median.
    expect(ttft.difference.median!).toBeGreaterThan(120);
    expect(ttft.difference.median!).toBeLessThan(300);
    expect(ttft.difference.low!).toBeGreaterThan(50);
    expect(ttft.difference.low!).toBeLessThanOrEqual(ttft.difference.median!);
    expect(ttft.difference.high!).toBeGreaterThanOrEqual(ttft.difference.median!);
    expect(json.metrics.find((m) => m.metric === 'latency')!.significant).toBe(true);
    expect(json.errors).toMatchObject({ a: { requests: 30, errors: 0 }, b: { requests: 30, errors: 0 }, significant: false });
    const [relay, direct] = json.targets;
    expect(relay.honesty).toMatchObject({ usageCompared: 30, usageMismatches: 30, usageRatio: { input: 1, output: 1.5 } });
    expect(direct.honesty).toMatchObject({ usageCompared: 30, usageMismatches: 0, usageRatio: { input: 1, output: 1 }, streams: 30, streamsWithoutUsage: 0 });
    // Half the list price, but 1.5x the output tokens billed.
    expect(relay.costPer1MTokensUsd!).toBeGreaterThan(0);
    expect(relay.costPer1MTokensUsd!).toBeLessThan(direct.costPer1MTokensUsd!);
    // Per token delivered it is dearer than per token billed: 16 delivered for every 24 billed.
    expect(relay.costPer1MCountedTokensUsd!).toBeGreaterThan(relay.costPer1MTokensUsd!);
    expect(direct.costPer1MCountedTokensUsd!).toBeCloseTo(direct.costPer1MTokensUsd!, 9);
    expect(res.stderr).not.toContain('concurrency cap');
  });

  it('does not call two identical relays different', async () => {
    const res = await compare(config('twins', twin1, twin2), '-n', '30', '--every', '40ms', '--model', 'gpt-4o', '--json');
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as CompareJson;
    expect(json.targets.map((t) => t.requests)).toEqual([30, 30]);
    for (const m of json.metrics) expect([m.metric, m.significant]).toEqual([m.metric, false]);
    const ttft = json.metrics.find((m) => m.metric === 'ttft')!;
    // Same draws on both sides: what is left is loopback noise, under the 5% floor (15 ms at 300 ms).
    expect(Math.abs(ttft.difference.median!)).toBeLessThan(15);
    expect(json.errors.significant).toBe(false);
  });

  it('prints a table per metric with medians, p95s, the difference and its interval', async () => {
    const res = await compare(config('text', slow, fast), '-n', '10', '--every', '40ms', '--model', 'gpt-4o', '--no-color');
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout, res.stdout).toContain('relaymon compare relay vs direct: 10 + 10 requests');
    expect(res.stdout).toMatch(/^metric\s+relay p50\s+p95\s+direct p50\s+p95\s+relay − direct\s+p/m);
    const ms = String.raw`[\d.]+m?s`;
    expect(res.stdout, res.stdout).toMatch(new RegExp(String.raw`^ttft\s+${ms}\s+${ms}\s+${ms}\s+${ms}\s+\+${ms} \(\+${ms} … \+${ms}\)\s+<0\.001\s+significant$`, 'm'));
    expect(res.stdout).toMatch(/^errors\s+0\/10\s+0%\s+0\/10\s+0%/m);
    expect(res.stdout).toMatch(/^relay\s+\$\S+\s+\$\S+\s+\$\S+\s+10\/10 mismatched, \+\d+% billed\s+0\/10 substituted\s+10 conform$/m);
  });

  it('replays a file through both targets', async () => {
    const file = join(dir, 'traffic.jsonl');
    const line = (i: number) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 8 });
    writeFileSync(file, Array.from({ length: 8 }, (_, i) => line(i)).join('\n') + '\n');
    const res = await compare(config('file', slow, fast), file, '--concurrency', '2', '--json');
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as CompareJson;
    expect(json.stoppedBy).toBeNull();
    expect(json.targets.map((t) => t.requests)).toEqual([8, 8]);
    expect(json.metrics.find((m) => m.metric === 'ttft')!.a.n).toBe(8);
  });

  it('a side that never answers is named with its error types, not shown as merely "unpriced"', async () => {
    const closed = { url: 'http://127.0.0.1:1/v1' } as MockProcess;
    const res = await compare(config('down', fast, closed), '-n', '3', '--every', '40ms', '--model', 'gpt-4o', '--no-color');
    expect(res.stdout).toMatch(/^direct errors: connection_refused ×3 — no request to direct succeeded/m);
    const json = await compare(config('down-json', fast, closed), '-n', '3', '--every', '40ms', '--model', 'gpt-4o', '--json');
    const report = JSON.parse(json.stdout) as CompareJson;
    expect(report.targets[1]).toMatchObject({ name: 'direct', requests: 3, errors: 3, errorTypes: { connection_refused: 3 }, costUsd: 0 });
    expect(report.targets[0]!.errorTypes).toEqual({});
  });

  it('needs exactly two known targets; bad options are usage errors', async () => {
    const cfg = config('bad', twin1, twin2);
    const one = await runCli(['compare', '--config', cfg, '--targets', 'relay'], { env: { RELAY_KEY: SENTINEL_KEY } });
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('compare needs exactly two different targets');
    const unknown = await runCli(['compare', '--config', cfg, '--targets', 'relay,nope'], { env: { RELAY_KEY: SENTINEL_KEY } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown target "nope"');
    const alpha = await runCli(['compare', '--config', cfg, '--targets', 'relay,direct', '--alpha', 'often'], { env: { RELAY_KEY: SENTINEL_KEY } });
    expect(alpha.code).toBe(2);
    expect(alpha.stderr).toContain('--alpha expects a fraction');
    const help = await runCli(['compare', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('relaymon compare --targets relay,direct');
  });

  it('--dry-run sends nothing', async () => {
    const res = await compare(config('dry', twin1, twin2), '--duration', '1m', '--every', '1s', '--dry-run');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('relay');
    expect(res.stdout).toContain('direct');
  });
});

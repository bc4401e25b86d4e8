/**
 * Issue 11, items 10 and 12, through the real CLI over loopback: the plain
 * text tells what the dashboard tells (billing gap, model mismatch), replay
 * routes a recorded log to its own targets and applies the config's
 * thresholds, a dry run says it writes nothing, progress follows one rule off
 * a terminal, an unknown target tag is a usage error, and the wording fixes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess, mockRequestCount } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-i11-ux-'));
let dishonest: MockProcess;
let relayA: MockProcess;
let relayB: MockProcess;

beforeAll(async () => {
  [dishonest, relayA, relayB] = await Promise.all([
    // Bills twice the output tokens it streams, and answers as another model.
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '8', '--no-jitter', '--inflate-usage', '2', '--serve-model', 'gpt-4o']),
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '3', '--no-jitter']),
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '3', '--no-jitter']),
  ]);
});
afterAll(() => Promise.all([dishonest, relayA, relayB].map((m) => m?.stop())));

const served = mockRequestCount;

const env = { OPENAI_API_KEY: SENTINEL_KEY, RELAY_KEY: SENTINEL_KEY };

function twoTargets(name: string, extra = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `targets:\n  a:\n    baseUrl: ${relayA.url}\n    apiKeyEnv: RELAY_KEY\n  b:\n    baseUrl: ${relayB.url}\n    apiKeyEnv: RELAY_KEY\n${extra}`);
  return file;
}

const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 };

/** A relaymon request log recorded against a, b, b (the shape `--log` writes). */
function recordedLog(name: string): string {
  const file = join(dir, name);
  const lines = ['a', 'b', 'b'].map((target, i) => ({ v: 1, t: i * 20, time: new Date(1_700_000_000_000 + i * 20).toISOString(), target, probe: null, protocol: 'openai', body }));
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

interface RunJson {
  targets: { name: string; summary: { requests: number } | null }[];
  summary: { requests: number };
  thresholds: { expression: string; ok: boolean; value: number | null }[];
}

describe('item 10: the plain text shows the billing gap and the model mismatch', () => {
  it('probe', async () => {
    const res = await runCli(['probe', '--base-url', dishonest.url, '-n', '2', '--model', 'gpt-4o-mini'], { env });
    expectNoSecret(res);
    expect(res.stdout).toMatch(/^billing: 2\/2 answers billed beyond tolerance, \+\d+% billed \(tokens in: \d+ billed \/ \d+ counted; out: 32 billed \/ 16 counted\)$/m);
    expect(res.stdout).toMatch(/^model: 2\/2 answers named another model than asked$/m);
  });

  it('check', async () => {
    const res = await runCli(['check', '--base-url', dishonest.url, '-n', '2', '--every', '50ms', '--model', 'gpt-4o-mini'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^default billing: 2\/2 answers billed beyond tolerance, \+\d+% billed/m);
    expect(res.stdout).toMatch(/^default model: 2\/2 answers named another model than asked$/m);
  });

  it('nothing is shown when the relay is honest', async () => {
    const probe = await runCli(['probe', '--base-url', relayA.url, '-n', '2'], { env });
    const check = await runCli(['check', '--base-url', relayA.url, '-n', '2', '--every', '50ms'], { env });
    for (const res of [probe, check]) {
      expect(res.code).toBe(0);
      expect(res.stdout).not.toMatch(/billing:|model: /);
    }
  });
});

describe('item 10: replay of a recorded log', () => {
  it.each([
    ['original timing', [] as string[]],
    ['closed loop', ['-c', '2']],
    ['fixed rate', ['--rate', '50/s']],
  ])('routes each line to its recorded target (%s)', async (_mode, args) => {
    const [a0, b0] = [await served(relayA), await served(relayB)];
    const res = await runCli(['replay', recordedLog('routed.log'), '--config', twoTargets('route'), '--json', ...args], { env });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json.targets.map((t) => [t.name, t.summary?.requests])).toEqual([['a', 1], ['b', 2]]);
    expect([(await served(relayA)) - a0, (await served(relayB)) - b0]).toEqual([1, 2]);
    expect(res.stderr).toContain('each line goes to the target it was recorded against: 1 to "a", 2 to "b"');
  });

  it("applies the config's thresholds, as probe and check do", async () => {
    const cfg = twoTargets('thresholds', 'thresholds:\n  requests:\n    - count>100\n');
    const res = await runCli(['replay', recordedLog('th.log'), '--config', cfg, '--json'], { env });
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout) as RunJson;
    // The config wrote no errors threshold, so the error-rate guard is implied beside it.
    expect(json.thresholds).toEqual([
      { expression: 'requests:count>100', ok: false, value: 3 },
      { expression: 'errors:rate<0.05', ok: true, value: 0, implied: true },
    ]);
  });
});

describe('item 10: --dry-run with output files says it writes nothing', () => {
  it.each(['check', 'replay'])('%s', async (command) => {
    const summary = join(dir, `${command}-dry.json`);
    const args = command === 'check' ? ['check', '--base-url', relayA.url, '-n', '2'] : ['replay', recordedLog('dry.log'), '--base-url', relayA.url];
    const before = await served(relayA);
    const res = await runCli([...args, '--dry-run', '--summary', summary], { env });
    expect(res.code).toBe(0);
    expect(res.stdout.replace(/\n\s+/g, ' ')).toContain(`nothing is written either: --summary ${summary} is left untouched`);
    expect(existsSync(summary)).toBe(false);
    expect(await served(relayA)).toBe(before);
  });
});

describe('item 10: progress off a terminal', () => {
  const lines = (stderr: string, command: string) => stderr.split('\n').filter((l) => l.startsWith(`${command}: `) && /\d+ done/.test(l));

  it.each([
    ['check', (): string[] => ['check', '--base-url', relayA.url, '-d', '2500ms', '--every', '100ms']],
    ['replay', (): string[] => ['replay', recordedLog('loop.log'), '--base-url', relayA.url, '--loop', '--rate', '10/s', '-d', '2500ms']],
    ['compare', (): string[] => ['compare', '--config', twoTargets('cmp'), '--targets', 'a,b', '-d', '2500ms', '--every', '100ms']],
    ['watch', (): string[] => ['watch', '--no-tui', '--base-url', relayA.url, '-d', '2500ms', '--every', '100ms']],
  ])('%s: one line on stderr per interval, plain, stdout untouched', async (command, args) => {
    const res = await runCli(args(), { env: { ...env, RELAYMON_PROGRESS_INTERVAL_MS: '700' }, timeoutMs: 30_000 });
    expectNoSecret(res);
    const progress = lines(res.stderr, command);
    // 2.5 s at one line per 0.7 s: lines at 0.7, 1.4 and 2.1 s (a loaded machine may drop the last, or
    // add one while the last requests drain); a line per request (every 100 ms) would give ~25.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(6);
    expect(res.stderr).not.toMatch(/\r|\u001b\[/);
    expect(lines(res.stdout, command)).toEqual([]);
  });

  it('the interval is 30 s by default: a short run prints no progress line', async () => {
    const res = await runCli(['check', '--base-url', relayA.url, '-d', '1500ms', '--every', '100ms'], { env });
    expect(res.code).toBe(0);
    expect(lines(res.stderr, 'check')).toEqual([]);
  });
});

describe('item 10: an unknown target in a threshold tag', () => {
  it('on the command line: exit 2 naming the known targets, nothing sent', async () => {
    const before = await served(relayA);
    for (const cmd of [
      ['check', '--base-url', relayA.url, '-n', '2'],
      ['probe', '--base-url', relayA.url],
      ['replay', recordedLog('tag.log'), '--base-url', relayA.url],
    ]) {
      const res = await runCli([...cmd, '--threshold', 'latency{target:nosuch}:p(95)<500'], { env });
      expectNoSecret(res);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('unknown target "nosuch" (known targets: default)');
    }
    expect(await served(relayA)).toBe(before);
  });

  it('in the config: exit 2 naming the configured targets', async () => {
    const cfg = twoTargets('badtag', 'thresholds:\n  latency{target:nosuch}:\n    - p(95)<500\n');
    const res = await runCli(['check', '--config', cfg, '-n', '1'], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown target "nosuch" (known targets: a, b)');
  });
});

describe('item 12: wording', () => {
  it('"an anthropic request", not "a anthropic request"', async () => {
    const file = join(dir, 'anthropic.jsonl');
    writeFileSync(file, JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, system: 'be brief', messages: [{ role: 'user', content: 'hi' }] }) + '\n' + JSON.stringify(body) + '\n');
    const res = await runCli(['replay', file, '--base-url', relayA.url], { env });
    expect(res.stderr).toContain('an anthropic request, but target "default" speaks openai');
    expect(res.stderr).not.toContain('a anthropic');
  });
});

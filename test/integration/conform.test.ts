/**
 * `relaymon conform` end to end against `relaymon mock` over loopback: the
 * outputs (text, --json against its schema file, --junit), --only/--skip,
 * --dry-run, the budget, exit codes 2 and 3, and no key ever printed.
 * The verdicts of each check against the honest mock and its misbehaviour
 * knobs: conform-knobs.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockRequestCount, runCli, SENTINEL_KEY, spawnCli, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { freePort, until } from '../helpers/net.js';
import { schemaErrors } from '../contracts/validate.js';
import { CONFORM_CHECKS } from '../../src/conform/checks.js';

interface ConformJson {
  command: string;
  targets: { name: string; protocols: string[]; checks: { name: string; protocol: string; status: string; evidence: { requestId: string | null; expected: string; got: string } }[] }[];
  summary: { pass: number; fail: number; notApplicable: number };
}

const env = { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY };

function conform(args: string[]): Promise<CliResult> {
  return runCli(['conform', ...args], { env, timeoutMs: 60_000 });
}

function parsed(res: CliResult): ConformJson {
  try {
    return JSON.parse(res.stdout) as ConformJson;
  } catch {
    throw new Error(`conform --json printed no JSON (exit ${res.code})\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
}

let mock: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-conform-'));

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '20', '--itl', '20']);
});
afterAll(async () => {
  await mock?.stop();
});

describe('relaymon conform', () => {
  it('--dry-run lists the requests and the worst case, and sends nothing', async () => {
    const res = await conform(['--base-url', mock.url, '--protocol', 'openai,anthropic', '--dry-run']);
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^relaymon conform --dry-run: 20 requests would be sent \(nothing was\)$/m);
    expect(res.stdout).toMatch(/default {2}anthropic +reasoning +claude-haiku-4-5 +stream +max_tokens 1536/);
    expect(res.stdout).toMatch(/^worst case \$0\.\d+$/m);
    expect(await mockRequestCount(mock)).toBe(0);
  });

  it('--json validates against schema/conform.schema.json, one row per check × protocol; --junit writes the same rows; no key printed', async () => {
    const junit = join(dir, 'conform.xml');
    const res = await conform(['--base-url', mock.url, '--protocol', 'openai', '--json', '--junit', junit]);
    expectNoSecret(res);
    const json = parsed(res);
    expect(schemaErrors('conform', json)).toEqual([]);
    expect(json.command).toBe('conform');
    expect(json.targets[0]!.protocols).toEqual(['openai']);
    expect(json.targets[0]!.checks.map((c) => c.name)).toEqual([...CONFORM_CHECKS]);
    const { pass, fail, notApplicable } = json.summary;
    expect(pass + fail + notApplicable).toBe(CONFORM_CHECKS.length);
    // Before anything is sent: the worst case, on stderr (stdout is the JSON alone).
    expect(res.stderr).toMatch(/^conform: 10 requests, worst case \$0\.\d+ \(prompt at the input price \+ max tokens at the output price\)$/m);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<testsuites name="relaymon conform" tests="${CONFORM_CHECKS.length}" failures="${fail}"`);
    expect(xml).not.toContain(SENTINEL_KEY);
    expect(res.code).toBe(fail > 0 ? 1 : 0);
  });

  it('--only and --skip choose the rows, and only their requests are sent', async () => {
    const before = await mockRequestCount(mock);
    const res = await conform(['--base-url', mock.url, '--only', 'model_echo,usage_present', '--skip', 'usage_present', '--json']);
    expectNoSecret(res);
    const json = parsed(res);
    expect(json.targets[0]!.checks.map((c) => [c.name, c.status])).toEqual([['model_echo', 'pass']]);
    expect(res.code).toBe(0);
    // model_echo reads the streamed and the whole answer: two requests.
    expect((await mockRequestCount(mock)) - before).toBe(2);
  });

  it('an unknown check name is exit 2, listing the names, before anything is sent', async () => {
    const before = await mockRequestCount(mock);
    for (const flag of ['--only', '--skip']) {
      const res = await conform(['--base-url', mock.url, flag, 'usage_present,no_such_check']);
      expectNoSecret(res);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`${flag}: unknown check "no_such_check"; the checks are: ${CONFORM_CHECKS.join(', ')}`);
    }
    const bad = await conform(['--base-url', mock.url, '--protocol', 'openai,grpc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--protocol: unknown protocol "grpc"/);
    expect(await mockRequestCount(mock)).toBe(before);
  });

  it('the budget refuses what it cannot afford, each request priced on its own: those checks are n/a and say so; the cheap ones are still sent', async () => {
    const res = await conform(['--base-url', mock.url, '--protocol', 'openai', '--budget-usd', '0.0005', '--json']);
    expectNoSecret(res);
    const json = parsed(res);
    const rows = json.targets[0]!.checks;
    const na = rows.filter((c) => c.status === 'n/a' && /^not sent: .*budget/.test(c.evidence.got));
    expect(na.map((c) => c.name)).toContain('cache_reported');
    for (const cheap of ['error_in_stream', 'error_shape']) expect([cheap, rows.find((c) => c.name === cheap)!.status]).toEqual([cheap, 'pass']);
    expect(res.stderr).toMatch(/conform: the spend guard refused \d+ requests?: .*budget/);
    expect(schemaErrors('conform', json)).toEqual([]);
  });

  it('a budget so small that nothing is sent: exit 1, and a line says nothing was checked', async () => {
    const before = await mockRequestCount(mock);
    const res = await conform(['--base-url', mock.url, '--protocol', 'openai', '--only', 'usage_present', '--budget-usd', '0.0000001']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^conform: 2 requests, worst case/m);
    expect(res.stderr).toContain('conform: nothing was checked: the spend guard refused every request; exit 1');
    expect(await mockRequestCount(mock)).toBe(before);
    const one = await conform(['--base-url', mock.url, '--protocol', 'openai', '--only', 'error_shape', '--dry-run']);
    expect(one.stdout).toMatch(/^relaymon conform --dry-run: 1 request would be sent/m);
  });

  it('exit 3 when nothing answered (a closed port); every row still printed', async () => {
    const port = await freePort();
    const res = await conform(['--base-url', `http://127.0.0.1:${port}/v1`, '--only', 'usage_present,error_shape']);
    expectNoSecret(res);
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/– openai +usage_present +request failed: no HTTP answer: connection_refused.*; judged nothing/);
    expect(res.stdout).toMatch(/✗ openai +error_shape +expected HTTP 4xx with a JSON error body; got no HTTP answer: connection_refused/);
    expect(res.stderr).toContain('conform: unreachable: no request got an HTTP answer from any target; exit 3');
  });

  it('the config declares the protocols; --protocol overrides them', async () => {
    const config = join(dir, 'relaymon.config.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, `targets:\n  relay:\n    baseUrl: ${mock.url}\n    apiKeyEnv: OPENAI_API_KEY\n    protocols: [openai, anthropic]\n`);
    const res = await conform(['--config', config, '--only', 'model_echo', '--json']);
    expectNoSecret(res);
    const json = parsed(res);
    expect(json.targets.map((t) => [t.name, t.protocols])).toEqual([['relay', ['openai', 'anthropic']]]);
    expect(json.targets[0]!.checks.map((c) => `${c.protocol}:${c.name}:${c.status}`)).toEqual(['openai:model_echo:pass', 'anthropic:model_echo:pass']);
    const over = parsed(await conform(['--config', config, '--only', 'model_echo', '--protocol', 'anthropic', '--json']));
    expect(over.targets[0]!.protocols).toEqual(['anthropic']);
  });

  it('Ctrl-C stops cleanly: the rows still print, cut requests are n/a "not finished: interrupted", exit 130', async () => {
    const slow = await startMockProcess(['--ttft', '20000']);
    try {
      const run = spawnCli(['conform', '--base-url', slow.url, '--only', 'usage_present'], { env, timeoutMs: 30_000 });
      let stderr = '';
      run.child.stderr.on('data', (d: Buffer | string) => (stderr += String(d)));
      // The stream (sent alone, first) is in flight at the mock before the interrupt; the whole body is not sent yet.
      await until(async () => ((await mockRequestCount(slow)) >= 1 ? true : null), 'the first request at the mock');
      run.child.kill('SIGINT');
      const res = await run.exited;
      expectNoSecret(res);
      expect(res.code).toBe(130);
      expect(stderr).toContain('interrupted: stopping');
      expect(res.stdout).toMatch(/– openai +usage_present +not (finished|sent): interrupted/);
    } finally {
      await slow.stop();
    }
  });
});

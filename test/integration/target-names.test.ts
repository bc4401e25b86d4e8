/**
 * A -t list is checked where every command resolves it (config/targets.ts
 * resolveTargets): a target named twice, or an empty name, is a usage error
 * (exit 2) before anything is sent. check listed "a a total", replay sent each
 * line twice, and -t "" meant every target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockRequestCount, runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-target-names-'));
let mock: MockProcess;

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '1', '--itl', '0', '--tokens', '2', '--no-jitter']);
  writeFileSync(
    join(dir, 'relaymon.config.json'),
    JSON.stringify({ targets: { a: { baseUrl: mock.url, apiKeyEnv: 'OPENAI_API_KEY' }, b: { baseUrl: mock.url, apiKeyEnv: 'OPENAI_API_KEY' } } }),
  );
  writeFileSync(join(dir, 'lines.jsonl'), '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}\n');
});
afterAll(() => mock?.stop());

const env = { OPENAI_API_KEY: SENTINEL_KEY };

describe('a -t list names each target once', () => {
  it.each([
    ['check -t a,a', ['check', '-t', 'a,a', '-n', '1'], 'target "a" named twice'],
    ['check -t a -t a', ['check', '-t', 'a', '-t', 'a', '-n', '1'], 'target "a" named twice'],
    ['replay -t a,a', ['replay', '-t', 'a,a', '-n', '3', 'lines.jsonl'], 'target "a" named twice'],
    ['watch -t a,b,a (plain)', ['watch', '-t', 'a,b,a', '--duration', '2s', '--no-tui'], 'target "a" named twice'],
    // An empty name is an error, not "every target".
    ['check -t ""', ['check', '-t', '', '-n', '1'], 'empty target name'],
    ['check -t a,', ['check', '-t', 'a,', '-n', '1'], 'empty target name'],
    ['replay -t ""', ['replay', '-t', '', '-n', '1', 'lines.jsonl'], 'empty target name'],
    ['watch -t ""', ['watch', '-t', '', '--duration', '2s', '--no-tui'], 'empty target name'],
  ])('%s: exit 2, nothing sent', async (_name, args, message) => {
    const before = await mockRequestCount(mock);
    const r = await runCli(args, { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(await mockRequestCount(mock)).toBe(before);
  });

  it('two different names still run both', async () => {
    const r = await runCli(['check', '-t', 'a,b', '-n', '1', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { targets: { name: string }[] }).targets.map((t) => t.name);
    expect(names).toEqual(['a', 'b']);
  });
});

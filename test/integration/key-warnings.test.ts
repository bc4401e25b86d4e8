/**
 * The "no API key" warning is about the targets a command sends to, not every
 * target the config names (config/targets.ts resolveTargets `use`). Dry runs
 * send nothing; the one real run goes to a loopback server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { runCli } from '../helpers/cli.js';
import { OPENAI_COMPLETION_OK } from '../helpers/sse.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const NO_KEY = { OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined };

/** A config of keyless targets, all at `url`, in a fresh directory. */
function configOf(names: readonly string[], url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'relaymon-keywarn-'));
  const file = join(dir, 'relaymon.config.yaml');
  writeFileSync(file, `targets:\n${names.map((n) => `  ${n}:\n    baseUrl: ${url}\n`).join('')}`);
  return file;
}

/** The targets named by the "no API key" warnings on stderr, in order. */
function warnedTargets(stderr: string): string[] {
  return [...stderr.matchAll(/warning: no API key for target (\S+) /g)].map((m) => m[1]!);
}

// Nothing listens here: every run below is a dry run that sends nothing.
const NOWHERE = 'http://127.0.0.1:9/v1';

describe('no API key warning, with several configured targets', () => {
  it('replay -t a warns for a alone, and sends only to a', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(OPENAI_COMPLETION_OK));
    });
    const config = configOf(['a', 'b'], server.url);
    const file = join(mkdtempSync(join(tmpdir(), 'relaymon-keywarn-')), 'r.jsonl');
    writeFileSync(file, JSON.stringify({ model: 'gpt-4o-mini', stream: false, messages: [{ role: 'user', content: 'hi' }] }) + '\n');
    const res = await runCli(['replay', file, '--config', config, '-t', 'a', '--json'], { env: NO_KEY });
    expect(warnedTargets(res.stderr)).toEqual(['a']);
    expect(res.stderr).toContain('warning: no API key for target a (targets.a names no apiKeyEnv or apiKeyFile): requests go out unauthenticated');
    expect(server.requests).toHaveLength(1);
    expect(res.code).toBe(0);
  });

  it.each([
    ['check', ['check', '-t', 'a', '-t', 'b', '-n', '1', '--dry-run']],
    ['compare', ['compare', '--targets', 'a,b', '-n', '1', '--dry-run']],
    ['evaluate', ['evaluate', '--targets', 'a,b', '--dry-run']],
    ['conform', ['conform', '-t', 'a', '-t', 'b', '--dry-run']],
    ['replay', ['replay', 'FILE', '-t', 'a,b', '--dry-run']],
  ])('%s naming a and b of a, b, c warns for a and b only', async (_name, args) => {
    const config = configOf(['a', 'b', 'c'], NOWHERE);
    const file = join(mkdtempSync(join(tmpdir(), 'relaymon-keywarn-')), 'r.jsonl');
    writeFileSync(file, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) + '\n');
    const res = await runCli([...args.map((a) => (a === 'FILE' ? file : a)), '--config', config], { env: NO_KEY });
    expect(warnedTargets(res.stderr)).toEqual(['a', 'b']);
    expect(res.code).toBe(0);
  });

  it('check -t b warns for b alone', async () => {
    const config = configOf(['a', 'b'], NOWHERE);
    const res = await runCli(['check', '--config', config, '-t', 'b', '-n', '1', '--dry-run'], { env: NO_KEY });
    expect(warnedTargets(res.stderr)).toEqual(['b']);
    expect(res.code).toBe(0);
  });

  it('a name the config lacks is a usage error naming the configured ones', async () => {
    const config = configOf(['a', 'b'], NOWHERE);
    const res = await runCli(['check', '--config', config, '-t', 'a', '-t', 'nope', '-n', '1', '--dry-run'], { env: NO_KEY });
    expect(res.stderr).toContain('unknown target "nope"; ');
    expect(res.stderr).toContain('defines: a, b');
    expect(warnedTargets(res.stderr)).toEqual([]);
    expect(res.code).toBe(2);
  });

  it('a --base-url run with no key still warns once', async () => {
    const res = await runCli(['check', '--base-url', NOWHERE, '-n', '1', '--dry-run'], { env: NO_KEY });
    expect(warnedTargets(res.stderr)).toEqual(['default']);
    expect(res.code).toBe(0);
  });
});

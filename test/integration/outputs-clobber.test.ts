/**
 * Issue 11 item 4, "nothing the user recorded is lost", for every command
 * that writes files: an output that is the same file as one of the command's
 * inputs (config, recording, --mix/--from, key file) or as another output is
 * a usage error before anything is sent, whatever name reaches it (hard
 * links included); devices such as /dev/null stay allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, linkSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess, mockRequestCount } from '../helpers/cli.js';

let mock: MockProcess;

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4', '--no-jitter']);
});
afterAll(() => mock.stop());

const mockRequests = (): Promise<number> => mockRequestCount(mock);

const keyEnv = { OPENAI_API_KEY: SENTINEL_KEY };
const RECORDING = `${JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 })}\n`.repeat(3);
const MIX = 'gpt-4o-mini: { input: 1000000, output: 100000 }\n';

/** A fresh folder holding a recording, a mix, and a config whose targets (a, b) are the mock. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relaymon-clobber-'));
  writeFileSync(join(dir, 'rec.log'), RECORDING);
  writeFileSync(join(dir, 'mix.yaml'), MIX);
  writeFileSync(join(dir, 'my.yaml'), `targets:\n  a:\n    baseUrl: ${mock.url}\n    apiKeyEnv: OPENAI_API_KEY\n  b:\n    baseUrl: ${mock.url}\n    apiKeyEnv: OPENAI_API_KEY\n`);
  return dir;
}

interface Case {
  name: string;
  args: string[];
  /** The file that must keep its bytes. */
  kept: string;
  message: RegExp;
  prepare?: (dir: string) => void;
}

const cases: Case[] = [
  {
    name: 'cost --summary onto its --from recording',
    args: ['cost', '--mix', 'mix.yaml', '--from', 'rec.log', '--summary', 'rec.log'],
    kept: 'rec.log',
    message: /^relaymon: --summary rec\.log is the measurements file \(--from rec\.log\): writing it would destroy it; choose another file$/m,
  },
  {
    name: 'cost --summary onto its --mix file',
    args: ['cost', '--mix', 'mix.yaml', '--summary', './mix.yaml'],
    kept: 'mix.yaml',
    message: /^relaymon: --summary \.\/mix\.yaml is the mix file \(--mix mix\.yaml\)/m,
  },
  {
    name: 'check --summary onto the config file',
    args: ['check', '--config', 'my.yaml', '-t', 'a', '-n', '1', '--summary', 'my.yaml'],
    kept: 'my.yaml',
    message: /^relaymon: --summary my\.yaml is the config file \(--config my\.yaml\): writing it would destroy it; choose another file$/m,
  },
  {
    name: 'probe --log onto the config file',
    args: ['probe', '--config', 'my.yaml', '-t', 'a', '--log', 'my.yaml'],
    kept: 'my.yaml',
    message: /^relaymon: --log my\.yaml is the config file \(--config my\.yaml\)/m,
  },
  {
    name: 'watch --summary onto the config file',
    args: ['watch', '--no-tui', '--config', 'my.yaml', '-t', 'a', '-n', '1', '--summary', 'my.yaml'],
    kept: 'my.yaml',
    message: /^relaymon: --summary my\.yaml is the config file \(--config my\.yaml\)/m,
  },
  {
    name: 'replay --summary and --log on one file',
    args: ['replay', 'rec.log', '--config', 'my.yaml', '-t', 'a', '--summary', 'out.json', '--log', 'out.json'],
    kept: 'out.json',
    message: /^relaymon: --summary out\.json and --log out\.json are the same file: one would destroy the other; choose another file for one of them$/m,
    prepare: (dir) => writeFileSync(join(dir, 'out.json'), '{"earlier": "results"}\n'),
  },
  {
    name: 'check --summary and --junit on one file',
    args: ['check', '--config', 'my.yaml', '-t', 'a', '-n', '1', '--summary', 's.xml', '--junit', 's.xml'],
    kept: 's.xml',
    message: /^relaymon: --summary s\.xml and --junit s\.xml are the same file/m,
    prepare: (dir) => writeFileSync(join(dir, 's.xml'), '<earlier/>\n'),
  },
  {
    name: 'replay --log onto a hard link of the recording',
    args: ['replay', 'rec.log', '--config', 'my.yaml', '-t', 'a', '--log', 'hard.log'],
    kept: 'rec.log',
    message: /^relaymon: --log hard\.log is the file being replayed \(rec\.log\): writing it would destroy it; choose another file$/m,
    prepare: (dir) => linkSync(join(dir, 'rec.log'), join(dir, 'hard.log')),
  },
  {
    name: 'compare FILE --summary onto a hard link of the recording',
    args: ['compare', 'rec.log', '--config', 'my.yaml', '--targets', 'a,b', '--summary', 'hard.log'],
    kept: 'rec.log',
    message: /^relaymon: --summary hard\.log is the file being replayed \(rec\.log\)/m,
    prepare: (dir) => linkSync(join(dir, 'rec.log'), join(dir, 'hard.log')),
  },
  {
    name: 'check --summary and --log on two hard links of one file',
    args: ['check', '--config', 'my.yaml', '-t', 'a', '-n', '1', '--summary', 'one.json', '--log', 'two.json'],
    kept: 'one.json',
    message: /^relaymon: --summary one\.json and --log two\.json are the same file/m,
    prepare: (dir) => {
      writeFileSync(join(dir, 'one.json'), '{"earlier": "results"}\n');
      linkSync(join(dir, 'one.json'), join(dir, 'two.json'));
    },
  },
  {
    name: 'check --summary onto a target\'s key file',
    args: ['check', '--config', 'keyed.yaml', '-n', '1', '--summary', 'relay.key'],
    kept: 'relay.key',
    message: /^relaymon: --summary relay\.key is the key file of target "k" \(apiKeyFile\)/m,
    prepare: (dir) => {
      writeFileSync(join(dir, 'relay.key'), `${SENTINEL_KEY}\n`);
      chmodSync(join(dir, 'relay.key'), 0o600);
      writeFileSync(join(dir, 'keyed.yaml'), `targets:\n  k:\n    baseUrl: ${mock.url}\n    apiKeyFile: relay.key\n`);
    },
  },
];

describe('an output that is an input or another output is refused before anything is sent', () => {
  for (const c of cases) {
    it(`${c.name}: exit 2, one clear line, nothing sent, the file's bytes unchanged`, async () => {
      const dir = workspace();
      c.prepare?.(dir);
      const before = readFileSync(join(dir, c.kept));
      const sent = await mockRequests();
      const res = await runCli(c.args, { cwd: dir, env: keyEnv });
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(c.message);
      expect(res.stderr).not.toMatch(/^\s+at /m);
      expect(res.stdout + res.stderr).not.toContain(SENTINEL_KEY);
      expect(readFileSync(join(dir, c.kept))).toEqual(before);
      expect(await mockRequests()).toBe(sent);
    });
  }
});

describe('outputs that destroy nothing are still allowed', () => {
  it('--summary, --junit and --log all on /dev/null: the run goes ahead (exit 0)', async () => {
    const dir = workspace();
    const sent = await mockRequests();
    const res = await runCli(['check', '--config', 'my.yaml', '-t', 'a', '-n', '1', '--summary', '/dev/null', '--junit', '/dev/null', '--log', '/dev/null'], { cwd: dir, env: keyEnv });
    expect(res.code, res.stderr).toBe(0);
    expect(await mockRequests()).toBe(sent + 1);
  });

  it('replay --summary /dev/null --log /dev/null, and distinct output files, write as before', async () => {
    const dir = workspace();
    const res = await runCli(['replay', 'rec.log', '--config', 'my.yaml', '-t', 'a', '--summary', '/dev/null', '--log', '/dev/null'], { cwd: dir, env: keyEnv });
    expect(res.code, res.stderr).toBe(0);
    const apart = await runCli(['replay', 'rec.log', '--config', 'my.yaml', '-t', 'a', '--summary', 'out.json', '--log', 'out.log'], { cwd: dir, env: keyEnv });
    expect(apart.code, apart.stderr).toBe(0);
    expect(existsSync(join(dir, 'out.json')) && existsSync(join(dir, 'out.log'))).toBe(true);
    expect(readFileSync(join(dir, 'rec.log'), 'utf8')).toBe(RECORDING);
  });
});

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { loadLog } from '../helpers/load-log.js';

/**
 * What the built CLI loads (test/helpers/load-log.cjs logs every npm package a
 * process loads, on every thread, by import or require): printing help or the
 * version must not load the dependencies of the commands' actions (zod, yaml,
 * undici, the histograms, the price table ...), only commander. How long that
 * takes is measured in bench/startup.mjs, not here.
 */

const COMMANDS = ['watch', 'probe', 'models', 'replay', 'check', 'mock', 'compare', 'cost', 'conform', 'evaluate', 'report', 'init', 'config', 'help'];
const CONFIG_SUBCOMMANDS = ['get', 'set', 'unset', 'list', 'path'];

/** The names in the "Commands:" section of a help text. */
function commandsListed(help: string): string[] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return section.split('\n').flatMap((line) => /^ {2}([a-z]+)/.exec(line)?.[1] ?? []);
}

async function loadsOf(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; packages: string[] }> {
  const log = loadLog();
  const res = await runCli(args, { env: log.env });
  return { ...res, packages: log.packages() };
}

describe('--version and --help load no npm package but commander', () => {
  it('--version and -V alone load no package at all (bin/relaymon.js answers them without building the commands)', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, stdout, packages } = await loadsOf([flag]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
      expect(packages, flag).toEqual([]);
    }
  });

  it('relaymon --help', async () => {
    const { code, stdout, packages } = await loadsOf(['--help']);
    expect(code).toBe(0);
    // Every command is checked below: a new one must be added to COMMANDS.
    expect(commandsListed(stdout)).toEqual(COMMANDS);
    expect(packages).toEqual(['commander']);
  });

  it.each(COMMANDS)('relaymon %s --help', async (command) => {
    const { code, stdout, packages } = await loadsOf([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: relaymon /);
    expect(packages).toEqual(['commander']);
  });

  it('relaymon config <sub> --help, for every subcommand', async () => {
    const { stdout } = await runCli(['config', '--help']);
    expect(commandsListed(stdout)).toEqual(CONFIG_SUBCOMMANDS);
    for (const sub of CONFIG_SUBCOMMANDS) {
      const { code, packages } = await loadsOf(['config', sub, '--help']);
      expect(code, sub).toBe(0);
      expect(packages, sub).toEqual(['commander']);
    }
  });

  it('a usage error (a bad flag value) is reported before any action module loads', async () => {
    const { code, stderr, packages } = await loadsOf(['probe', '--kind', 'bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--kind must be one of/);
    expect(packages).toEqual(['commander']);
  });
});

describe('a command loads what its action needs', () => {
  let mock: MockProcess;
  beforeAll(async () => {
    mock = await startMockProcess(['--ttft', '0', '--itl', '0', '--no-jitter']);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('probe -n 1 against the mock: undici (the engine worker, by import); prices from the build-time table, not the genai-prices package; hdr-histogram-js without its WASM build; with no config file and no preference set, no zod or yaml; no dashboard or Prometheus client', async () => {
    const { code, packages } = await loadsOf(['probe', '-n', '1', '--base-url', mock.url]);
    expect(code).toBe(0);
    expect(packages).toEqual(expect.arrayContaining(['commander', 'undici', 'hdr-histogram-js']));
    const unusedPackages = ['zod', 'yaml', 'ink', 'react', 'prom-client', 'write-file-atomic', '@pydantic/genai-prices', 'pako', 'base64-js', '@assemblyscript/loader'];
    for (const unused of unusedPackages) expect(packages, unused).not.toContain(unused);
  });
});

describe('a command line that names a command builds that command alone (src/cli/main.ts)', () => {
  const PRELOAD = fileURLToPath(new URL('../helpers/command-log.cjs', import.meta.url));
  const DIR = mkdtempSync(join(tmpdir(), 'relaymon-commands-'));
  let runs = 0;

  /** The commands the CLI built for `args` (test/helpers/command-log.cjs), in order, and its answer. */
  async function built(args: string[]): Promise<{ code: number | null; stdout: string; commands: string[] }> {
    const file = join(DIR, `commands-${(runs += 1)}.log`);
    const res = await runCli(args, { env: { NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`, RELAYMON_COMMAND_LOG: file } });
    return { ...res, commands: existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [] };
  }
  const ALL = COMMANDS.filter((c) => c !== 'help');

  it('probe --help and a probe usage error build probe only', async () => {
    const help = await built(['probe', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: relaymon probe /);
    expect(help.commands).toEqual(['probe']);
    const usage = await built(['probe', '--kind', 'bogus']);
    expect(usage.code).toBe(2);
    expect(usage.commands).toEqual(['probe']);
  });

  it('config get --help builds config and its subcommands only', async () => {
    const { code, commands } = await built(['config', 'get', '--help']);
    expect(code).toBe(0);
    expect(commands).toEqual(['config', ...CONFIG_SUBCOMMANDS]);
  });

  it('--help, no command, help <command> and a name that is no command build every command, in the help\'s order', async () => {
    for (const args of [['--help'], [], ['help', 'probe'], ['prob']]) {
      const { commands } = await built(args);
      expect(commands.filter((c) => !CONFIG_SUBCOMMANDS.includes(c)), args.join(' ')).toEqual(ALL);
    }
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfigCommands } from '../../../src/cli/config.js';
import type { Io } from '../../../src/run/io.js';
import { ConfigError, UsageError } from '../../../src/core/errors.js';
import {
  deletePreference,
  getPreference,
  listPreferences,
  preferencesPath,
  setPreference,
} from '../../../src/config/preferences.js';
import { caught, tempDir } from './tmp.js';

const envFor = (dir: string) => ({ env: { RELAYMON_CONFIG_DIR: dir } });

describe('preferences', () => {
  it('live in RELAYMON_CONFIG_DIR and round-trip typed values', async () => {
    const dir = tempDir();
    const opts = envFor(dir);
    expect(preferencesPath(opts)).toBe(join(dir, 'preferences.json'));
    expect(listPreferences(opts)).toEqual({});
    expect(await setPreference('color', 'off', opts)).toBe(false);
    expect(await setPreference('fps', '30', opts)).toBe(30);
    expect(await setPreference('interval', '10s', opts)).toBe('10s');
    expect(await setPreference('window', '5m', opts)).toBe('5m');
    expect(await setPreference('defaultModel', 'gpt-4o-mini', opts)).toBe('gpt-4o-mini');
    expect(getPreference('fps', opts)).toBe(30);
    expect(listPreferences(opts)).toEqual({ color: false, fps: 30, interval: '10s', window: '5m', defaultModel: 'gpt-4o-mini' });
    expect(JSON.parse(readFileSync(join(dir, 'preferences.json'), 'utf8'))).toMatchObject({ fps: 30, color: false });
    await deletePreference('fps', opts);
    expect(getPreference('fps', opts)).toBeUndefined();
  });

  it('a directory that cannot be made is a clear ConfigError at once, never a spin (a /proc path, a file in the way); missing parents are made', async () => {
    for (const [dir, code] of [['/proc/relaymon-test/x', 'ENOENT'], [join(tempDir(), 'preferences-file', 'x'), 'ENOTDIR']] as const) {
      if (code === 'ENOTDIR') writeFileSync(join(dir, '..'), 'not a directory');
      const err = await caught(() => setPreference('color', 'off', envFor(dir)));
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(`cannot write preferences to ${dir} (${code}): set RELAYMON_CONFIG_DIR to a writable directory`);
      expect(await caught(() => deletePreference('color', envFor(dir)))).toBeInstanceOf(ConfigError);
    }
    const deep = join(tempDir(), 'a', 'b', 'c');
    expect(await setPreference('fps', '20', envFor(deep))).toBe(20);
    expect(getPreference('fps', envFor(deep))).toBe(20);
  });

  it('refuses bad values with what was expected', async () => {
    const opts = envFor(tempDir());
    const cases: Array<[string, string, string]> = [
      ['fps', '90', 'fps: expected a whole number from 1 to 60, got 90'],
      ['fps', '2.5', 'fps: expected a whole number from 1 to 60, got 2.5'],
      ['color', 'maybe', 'color: expected true or false, got "maybe"'],
      ['interval', 'often', 'interval: expected a duration above zero like "5s" or "500ms", got "often"'],
      ['interval', '0s', 'interval: expected a duration above zero like "5s" or "500ms", got "0s"'],
      ['window', '2m', 'window: expected one of 1m, 5m, 15m, all, got "2m"'],
      ['defaultModel', '', 'defaultModel: expected a model name, got ""'],
    ];
    for (const [key, value, message] of cases) {
      const err = await caught(() => setPreference(key, value, opts));
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toBe(message);
    }
    expect(listPreferences(opts)).toEqual({});
  });

  it('reading preferences does not load conf, whose signal hooks would break a clean Ctrl-C', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'preferences.json'), JSON.stringify({ fps: 12 }));
    const before = process.listenerCount('SIGINT');
    expect(getPreference('fps', envFor(dir))).toBe(12);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('an unknown key lists the known ones', async () => {
    const err = await caught(() => getPreference('colour', envFor(tempDir())));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('unknown preference "colour"; known: color, defaultModel, fps, interval, window');
  });

  it('a hand-edited bad value is reported with the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'preferences.json'), JSON.stringify({ fps: 500 }));
    const err = await caught(() => listPreferences(envFor(dir)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `${join(dir, 'preferences.json')}: fps: expected a whole number from 1 to 60, got 500; fix it with: relaymon config set fps VALUE`,
    );
  });
});

function fakeIo(): Io & { text: () => string } {
  let out = '';
  return { out: (t) => void (out += t), err: () => {}, color: false, stdoutIsTty: false, stderrIsTty: false, text: () => out };
}

async function cli(dir: string, args: string[]): Promise<string> {
  const io = fakeIo();
  const program = new Command('relaymon').exitOverride();
  registerConfigCommands(program, { io, env: { RELAYMON_CONFIG_DIR: dir } });
  await program.parseAsync(args, { from: 'user' });
  return io.text();
}

describe('relaymon config', () => {
  it('set, get, list, list --json, unset, path', async () => {
    const dir = tempDir();
    expect(await cli(dir, ['config', 'set', 'fps', '24'])).toBe('fps = 24\n');
    expect(await cli(dir, ['config', 'get', 'fps'])).toBe('24\n');
    expect(await cli(dir, ['config', 'get', 'window'])).toBe('');
    expect(await cli(dir, ['config', 'list'])).toBe(
      'color         (not set)\ndefaultModel  (not set)\nfps           24\ninterval      (not set)\nwindow        (not set)\n',
    );
    expect(JSON.parse(await cli(dir, ['config', 'list', '--json']))).toEqual({ fps: 24 });
    await cli(dir, ['config', 'unset', 'fps']);
    expect(JSON.parse(await cli(dir, ['config', 'list', '--json']))).toEqual({});
    expect(await cli(dir, ['config', 'path'])).toBe(`${join(dir, 'preferences.json')}\n`);
  });

  it('errors are thrown for the main CLI to print (exit 2)', async () => {
    const dir = tempDir();
    const err = await caught(() => cli(dir, ['config', 'set', 'fps', 'fast']));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    const err2 = await caught(() => cli(dir, ['config']));
    expect(err2).toBeInstanceOf(UsageError);
    expect(err2.message).toMatch(/^relaymon config needs a subcommand/);
    const err3 = await caught(() => cli(dir, ['config', 'lst']));
    expect(err3).toBeInstanceOf(UsageError);
    expect(err3.message).toBe('unknown subcommand "config lst"; expected get, set, unset, list or path');
  });
});

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ROOT } from '../helpers/cli.js';

/**
 * bin/relaymon.js compiles dist/bundle/main.cjs with the V8 code cache the
 * build wrote next to it (scripts/bundle.mjs), and only when the cache's
 * first line is the bundle's build id; RELAYMON_CODE_CACHE=check says on
 * stderr which it was. Altered caches go into a copy of bin/ and
 * dist/bundle/ under dist/ (so node_modules and the package root are found
 * as from the real one).
 */
const COPY = mkdtempSync(join(ROOT, 'dist', 'code-cache-test-'));
cpSync(join(ROOT, 'bin'), join(COPY, 'bin'), { recursive: true });
cpSync(join(ROOT, 'dist', 'bundle'), join(COPY, 'dist', 'bundle'), { recursive: true });
const COPY_BIN = join(COPY, 'bin', 'relaymon.js');
const CACHE = join(COPY, 'dist', 'bundle', 'main.cjs.cache');
const BUILT = readFileSync(CACHE);
afterAll(() => rmSync(COPY, { recursive: true, force: true }));

/** `relaymon <args>` from `bin`, saying which code cache it compiled with. */
function run(bin: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env: cleanEnv({ RELAYMON_CODE_CACHE: 'check' }), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the code cache of dist/bundle/main.cjs', () => {
  it('is used by the built CLI', () => {
    const { code, stderr } = run(BIN, ['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('code cache: used\n');
  });

  it('of another build (its first line is not the bundle\'s id) is not used, and the output is the same', () => {
    const expected = run(BIN, ['--help']).stdout;
    writeFileSync(CACHE, Buffer.concat([Buffer.from('another-build\n'), BUILT.subarray(BUILT.indexOf(10) + 1)]));
    expect(run(COPY_BIN, ['--help'])).toEqual({ code: 0, stdout: expected, stderr: 'code cache: none\n' });
  });

  it('that V8 rejects (here: not a cache at all) is a plain compile, and the output is the same', () => {
    const expected = run(BIN, ['--help']).stdout;
    writeFileSync(CACHE, Buffer.concat([BUILT.subarray(0, BUILT.indexOf(10) + 1), Buffer.from('not V8 code cache data at all')]));
    expect(run(COPY_BIN, ['--help'])).toEqual({ code: 0, stdout: expected, stderr: 'code cache: rejected\n' });
  });

  it('keeps the bundle\'s import() of an ES module (conf, in config set) working, with no warning', () => {
    const dir = mkdtempSync(join(COPY, 'prefs-'));
    const env = cleanEnv({ RELAYMON_CONFIG_DIR: dir });
    const set = spawnSync(process.execPath, [BIN, 'config', 'set', 'defaultModel', 'gpt-4o'], { env, encoding: 'utf8' });
    expect({ code: set.status, stdout: set.stdout, stderr: set.stderr }).toEqual({ code: 0, stdout: 'defaultModel = gpt-4o\n', stderr: '' });
    const get = spawnSync(process.execPath, [BIN, 'config', 'get', 'defaultModel'], { env, encoding: 'utf8' });
    expect({ code: get.status, stdout: get.stdout, stderr: get.stderr }).toEqual({ code: 0, stdout: 'gpt-4o\n', stderr: '' });
  });

  it('missing is a plain compile, and the output is the same', () => {
    const expected = run(BIN, ['--help']).stdout;
    rmSync(CACHE);
    expect(run(COPY_BIN, ['--help'])).toEqual({ code: 0, stdout: expected, stderr: 'code cache: none\n' });
  });
});

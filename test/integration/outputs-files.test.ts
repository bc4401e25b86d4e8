/**
 * Issue 11 items 4 and 5: nothing the user recorded is lost, and every output
 * failure is one line on stderr with exit code 2 (which outranks 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, statSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT, runCli, SENTINEL_KEY, spawnCli, startMockProcess, type CliResult, type MockProcess, mockRequestCount } from '../helpers/cli.js';

let mock: MockProcess;

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4', '--no-jitter']);
});
afterAll(() => mock.stop());

const mockRequests = (): Promise<number> => mockRequestCount(mock);

const keyEnv = { OPENAI_API_KEY: SENTINEL_KEY };
const fresh = (name: string) => mkdtempSync(join(tmpdir(), `relaymon-outputs-${name}-`));

/** The CLI with stdout written to a file such as /dev/full (a pipe would never fill). */
function runWithStdoutTo(path: string, args: string[]): Promise<CliResult> {
  const fd = openSync(path, 'w');
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(keyEnv), stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relaymon ${args.join(' ')} did not exit: ${stderr}`));
    }, 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: '', stderr });
    });
  });
}

/** One line per failed output, no stack trace, no key. */
function expectOneLineErrors(stderr: string, expected: string[]): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/Error:|node:internal|internal error/);
  expect(stderr).not.toContain(SENTINEL_KEY);
  const failures = stderr.split('\n').filter((l) => l.startsWith('relaymon: could not write'));
  expect(failures).toEqual(expected);
}

describe('a --log or --summary that is the file being replayed is refused before anything is sent', () => {
  it('same name, ./name, a path through .., and a symlink: exit 2, nothing sent, the recording untouched', async () => {
    const dir = fresh('replay-same');
    const recording = `${JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 })}\n`.repeat(3);
    writeFileSync(join(dir, 'same.log'), recording);
    symlinkSync(join(dir, 'same.log'), join(dir, 'link.log'));
    const before = await mockRequests();
    for (const [input, flag, output] of [
      ['same.log', '--log', 'same.log'],
      ['same.log', '--log', './same.log'],
      [join(dir, 'same.log'), '--log', `../${dir.split('/').pop()!}/same.log`],
      ['same.log', '--log', 'link.log'],
      ['link.log', '--log', 'same.log'],
      ['same.log', '--summary', 'same.log'],
    ] as const) {
      const res = await runCli(['replay', input, '--base-url', mock.url, '--rate', '50', flag, output], { cwd: dir, env: keyEnv });
      expect(res.code, `${input} ${flag} ${output}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(new RegExp(`relaymon: ${flag} \\S+ is the file being replayed`));
      expect(readFileSync(join(dir, 'same.log'), 'utf8')).toBe(recording);
    }
    expect(await mockRequests()).toBe(before);
  });

  it('replay --help says the log is written afresh, not appended', async () => {
    const res = await runCli(['replay', '--help']);
    expect(res.code).toBe(0);
    const line = res.stdout.split('\n').find((l) => l.trimStart().startsWith('--log <file>'))!;
    expect(line).not.toMatch(/append/i);
    expect(line).toMatch(/afresh/);
  });

  it('--log starts the file afresh on every command', async () => {
    const dir = fresh('afresh');
    for (const n of [3, 1]) {
      const res = await runCli(['check', '--base-url', mock.url, '-n', String(n), '--every', '10ms', '--log', 'run.log'], { cwd: dir, env: keyEnv });
      expect(res.code, res.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'run.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('--summary and --junit are written atomically', () => {
  it('the old file is replaced whole by rename (its inode still reads the old text), never rewritten in place; no temporary file stays', async () => {
    const dir = fresh('atomic');
    const summary = join(dir, 'summary.json');
    const junit = join(dir, 'junit.xml');
    const old = '{"old": true}\n'.repeat(1000);
    writeFileSync(summary, old);
    writeFileSync(junit, old);
    // Hold the old files open: an in-place rewrite would change what these descriptors read; a rename cannot.
    const held = [openSync(summary, 'r'), openSync(junit, 'r')];
    const res = await runCli(['check', '--base-url', mock.url, '-n', '2', '--every', '10ms', '--summary', summary, '--junit', junit], { env: keyEnv });
    expect(res.code, res.stderr).toBe(0);
    for (const fd of held) {
      const buf = Buffer.alloc(old.length + 10);
      const n = readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
      expect(buf.subarray(0, n).toString('utf8')).toBe(old);
    }
    expect((JSON.parse(readFileSync(summary, 'utf8')) as { command: string }).command).toBe('check');
    expect(readFileSync(junit, 'utf8')).toMatch(/^<\?xml/);
    expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'summary.json']);
  });

  it('a writer killed the moment it starts writing leaves the old file whole', async () => {
    const dir = fresh('atomic-kill');
    const target = join(dir, 'summary.json');
    const old = JSON.stringify({ old: true }) + '\n';
    writeFileSync(target, old);
    // The real writer on a large text (so the write takes a while), killed at the first change in the folder.
    const script = `import { writeOutputFile } from ${JSON.stringify(join(ROOT, 'dist/run/io.js'))};\nwriteOutputFile(${JSON.stringify(target)}, JSON.stringify({ big: 'x'.repeat(64 * 1024 * 1024) }), '--summary');\n`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let wrote = false;
    const watcher = watch(dir, () => {
      wrote = true;
      child.kill('SIGKILL');
    });
    await exited;
    watcher.close();
    // The writer really ran (a writer that failed to load would leave the old file and prove nothing).
    expect(wrote).toBe(true);
    const now = readFileSync(target, 'utf8');
    // Killed before the rename: the old text; had it finished first: the whole new one. Never a part.
    if (now !== old) expect((JSON.parse(now) as { big: string }).big).toHaveLength(64 * 1024 * 1024);
    expect(statSync(target).isFile()).toBe(true);
  }, 60_000);
});

describe('--summary on /dev/stdout', () => {
  it('with stdout redirected to a file: the summary is added after the --json output, not written over it', async () => {
    const out = join(fresh('dev-stdout'), 'both.json');
    const res = await runWithStdoutTo(out, ['check', '--base-url', mock.url, '-n', '1', '--json', '--summary', '/dev/stdout']);
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').match(/"command": "check"/g)).toHaveLength(2);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('every output failure is one line on stderr and exit 2', () => {
  const check = (extra: string[] = []) => ['check', '--base-url', mock.url, '-n', '2', '--every', '10ms', ...extra];

  it('stdout on /dev/full (text and --json, check and probe): one line, exit 2, no stack trace', async () => {
    for (const args of [check(), check(['--json']), ['probe', '--base-url', mock.url], ['probe', '--base-url', mock.url, '--json']]) {
      const res = await runWithStdoutTo('/dev/full', args);
      expectOneLineErrors(res.stderr, ['relaymon: could not write to stdout: no space left on device (ENOSPC)']);
      expect(res.code, args.join(' ')).toBe(2);
    }
  });

  it('2 outranks 1: a breached threshold with stdout on /dev/full exits 2', async () => {
    const res = await runWithStdoutTo('/dev/full', check(['--threshold', 'latency:p(95)<0.001']));
    expectOneLineErrors(res.stderr, ['relaymon: could not write to stdout: no space left on device (ENOSPC)']);
    expect(res.code).toBe(2);
  });

  it('--log /dev/full exits 2 (not the threshold code 1), in check and probe', async () => {
    for (const args of [check(['--log', '/dev/full']), ['probe', '--base-url', mock.url, '--log', '/dev/full']]) {
      const res = await runCli(args, { env: keyEnv });
      expect(res.stderr).toContain('relaymon: could not write --log /dev/full: no space left on device (ENOSPC)');
      expect(res.stderr).not.toMatch(/^\s+at /m);
      expect(res.stderr).not.toContain(SENTINEL_KEY);
      expect(res.code, args.join(' ')).toBe(2);
    }
  });

  it('--summary and --junit on /dev/full with a failing threshold: both reported, the results still on stdout, exit 2', async () => {
    const res = await runCli(check(['--threshold', 'latency:p(95)<0.001', '--json', '--summary', '/dev/full', '--junit', '/dev/full']), { env: keyEnv });
    expectOneLineErrors(res.stderr, [
      'relaymon: could not write --summary /dev/full: no space left on device (ENOSPC); the results are on stdout',
      'relaymon: could not write --junit /dev/full: no space left on device (ENOSPC); the results are on stdout',
    ]);
    expect((JSON.parse(res.stdout) as { command: string }).command).toBe('check');
    expect(res.code).toBe(2);
  });

  it('a closed pipe on stdout (| head) stays a quiet exit with the code the run had', async () => {
    const { child, exited } = spawnCli(['check', '--base-url', mock.url, '-n', '4', '--every', '10ms', '--json'], { env: keyEnv });
    child.stdout.once('data', () => child.stdout.destroy());
    const res = await exited;
    expect(res.stderr).not.toMatch(/EPIPE|could not write|^\s+at /m);
    expect(res.code).toBe(0);
  });
});

/**
 * The engine on the calling thread (engine/in-process.ts, probe's): a failure
 * settles `done` with a clear, redacted error and the process still ends.
 * Each case runs in a process of its own (test/helpers/in-process-engine.mjs):
 * a failed in-process engine may end its process (the watchdog), which must
 * never be the test runner's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ROOT, startMockProcess, type MockProcess } from '../helpers/cli.js';

const SCRIPT = fileURLToPath(new URL('../helpers/in-process-engine.mjs', import.meta.url));
const SECRET = 'sk-inprocess-secret-0123456789abcdef';
/** Far above the watchdog (CRASH_EXIT_MS, 2 s) and a loaded machine's start-up: past it the process hung. */
const LIMIT_MS = 25_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  settled: { settled: string; message?: string; exitCode?: number; requests?: number };
}

function run(kind: string, baseUrl: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, kind, baseUrl], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind}: the process did not end within ${LIMIT_MS} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return reject(new Error(`${kind}: no outcome; stderr: ${stderr}`));
      resolve({ code, stdout, stderr, settled: JSON.parse(line) as Outcome['settled'] });
    });
  });
}

describe('an engine on the calling thread', () => {
  let fast: MockProcess;
  let slow: MockProcess;
  beforeAll(async () => {
    [fast, slow] = await Promise.all([
      startMockProcess(['--ttft', '0', '--itl', '0', '--no-jitter']),
      // A request stays in flight, the run's tick timer and socket alive, when the failure comes.
      startMockProcess(['--ttft', '20000', '--no-jitter']),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fast?.stop(), slow?.stop()]);
  });

  it('runs a run to its final result and lets the process end', async () => {
    const o = await run('ok', fast.url);
    expect(o.settled).toEqual({ settled: 'final', requests: 1, stoppedBy: 'requests' });
    expect(o.code).toBe(0);
  });

  it("a runner that fails to start settles done with its own error and exit code (the worker's words)", async () => {
    const o = await run('price-file', fast.url);
    expect(o.settled).toMatchObject({ settled: 'error', exitCode: 2, message: expect.stringContaining('/nonexistent/prices.json') });
    expect(o.code).toBe(2);
  });

  it('an exception nobody catches while it runs settles done as a crash, redacted, and the process ends', async () => {
    const o = await run('throw', slow.url);
    expect(o.settled).toEqual({ settled: 'error', exitCode: 1, message: 'engine crashed: boom with [REDACTED]' });
    expect(o.code).toBe(1);
    expect(o.stdout + o.stderr).not.toContain(SECRET);
  });

  it('a rejection nobody handles does too', async () => {
    const o = await run('reject', slow.url);
    expect(o.settled).toEqual({ settled: 'error', exitCode: 1, message: 'engine crashed: rejected with [REDACTED]' });
    expect(o.code).toBe(1);
    expect(o.stdout + o.stderr).not.toContain(SECRET);
  });

  it("a runner that leaves nothing to wait for without a result is an error, not a silent exit (the worker's 'exit')", async () => {
    const o = await run('quiet', fast.url);
    expect(o.settled).toEqual({ settled: 'error', exitCode: 1, message: 'engine stopped without a result (nothing left to wait for)' });
  });
});

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startMockProcess, type MockProcess } from '../helpers/cli.js';

const PRELOAD = fileURLToPath(new URL('../helpers/thread-log.cjs', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'relaymon-threads-'));
let runs = 0;

/** The threads a CLI run started, the main thread included (thread-log.cjs). */
async function threadsOf(args: string[]): Promise<{ code: number | null; stdout: string; threads: number }> {
  runs += 1;
  const log = join(DIR, `threads-${runs}.log`);
  const res = await runCli(args, { env: { NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`, RELAYMON_THREAD_LOG: log }, timeoutMs: 30_000 });
  const threads = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('thread ')).length : 0;
  return { code: res.code, stdout: res.stdout, threads };
}

/**
 * The counting worker (tokens/count-worker.ts) is the token counter's own thread until the count host
 * (tokens/count-host.ts) serves counts on the main thread; once it is gone from dist/, a probe is one thread.
 */
const COUNT_WORKER = existsSync(join(ROOT, 'dist/tokens/count-worker.js')) ? 1 : 0;

describe('threads a command runs', () => {
  let mock: MockProcess;
  beforeAll(async () => {
    mock = await startMockProcess(['--ttft', '0', '--itl', '0', '--no-jitter']);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('probe -n 1 runs its engine on the main thread: no engine worker', async () => {
    const { code, stdout, threads } = await threadsOf(['probe', '-n', '1', '--base-url', mock.url]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+1\s+200\s/m);
    expect(threads).toBe(1 + COUNT_WORKER);
  });

  it('probe -n 3 -c 2 too, its rows all there', async () => {
    const { code, stdout, threads } = await threadsOf(['probe', '-n', '3', '-c', '2', '--base-url', mock.url]);
    expect(code).toBe(0);
    expect(stdout.match(/^\s+\d\s+200\s/gm)).toHaveLength(3);
    expect(threads).toBe(1 + COUNT_WORKER);
  });

  it('check keeps the engine in its worker (its measuring shares no thread with the output)', async () => {
    const { code, threads } = await threadsOf(['check', '--base-url', mock.url, '-m', 'gpt-4o-mini', '--requests', '1', '--every', '50ms']);
    expect(code).toBe(0);
    expect(threads).toBe(2 + COUNT_WORKER);
  });
});

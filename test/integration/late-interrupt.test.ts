/**
 * A signal after a run has ended, while its command writes the summary,
 * --junit and --report: the run's handler is gone by then, and Node's
 * default used to end the process at once (a shell saw 143, and the outputs
 * after that moment were never written). The contract's first signal stops
 * cleanly and still prints (docs/contracts.md "Exit codes"): now it is held,
 * every output is written, and relaymon exits 130. The same hold covers the
 * gap between evaluate's phases: the next phase takes the signal and stops
 * before it sends. And a command without a run (models, cost, config, init)
 * ended by a SIGTERM as Node does, with 143: it exits 130 with a line, also
 * when the signal came while its last work blocked the loop (it used to end
 * 0, the signal never seen), and init's file is whole or untouched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { startHostile } from '../helpers/hostile.js';
import { expectNoSecret } from '../helpers/probe.js';

const PRELOAD = fileURLToPath(new URL('../helpers/signal-while-writing.cjs', import.meta.url));

let mock: MockProcess;
let candidate: MockProcess;
beforeAll(async () => {
  [mock, candidate] = await Promise.all([startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4']), startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4'])]);
});
afterAll(async () => {
  await Promise.all([mock.stop(), candidate.stop()]);
});

describe('a signal while a finished run writes its outputs', () => {
  it.each(['SIGTERM', 'SIGINT'])('%s as the summary lands: junit and report still written, then exit 130', async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-late-int-'));
    const out = { summary: join(dir, 'summary.json'), junit: join(dir, 'junit.xml'), report: join(dir, 'report.html') };
    const res = await runCli(['check', '-n', '3', '--every', '20ms', '--base-url', mock.url, '--summary', out.summary, '--junit', out.junit, '--report', out.report], {
      env: { OPENAI_API_KEY: SENTINEL_KEY, NODE_OPTIONS: `--require ${PRELOAD}`, RELAYMON_TEST_SIGNAL_ON: 'summary.json', RELAYMON_TEST_SIGNAL: signal },
    });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping (again to exit at once)`);
    // The run itself was not interrupted: it ended on its request count, and says so.
    const summary = JSON.parse(readFileSync(out.summary, 'utf8')) as { stoppedBy: string };
    expect(summary.stoppedBy).toBe('requests');
    expect(readFileSync(out.junit, 'utf8')).toContain('<testsuite');
    expect(existsSync(out.report)).toBe(true);
    expect(readFileSync(out.report, 'utf8')).toContain('<html');
  });
});

describe('a signal between the phases of evaluate', () => {
  it('the comparison takes it as its first: nothing more is sent, the verdict is partial, exit 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-late-int-'));
    const cfg = join(dir, 'relaymon.config.yaml');
    const target = (name: string, m: MockProcess) => `  ${name}:\n    baseUrl: ${m.url}\n    apiKeyEnv: RELAY_KEY\n`;
    writeFileSync(cfg, `targets:\n${target('ref', mock)}${target('cand', candidate)}`);
    const res = await runCli(['evaluate', '--config', cfg, '--targets', 'ref,cand', '-n', '40', '--every', '50ms'], {
      env: { RELAY_KEY: SENTINEL_KEY, NODE_OPTIONS: `--require ${PRELOAD}`, RELAYMON_TEST_SIGNAL_ON: 'engine-worker', RELAYMON_TEST_SIGNAL: 'SIGINT' },
      timeoutMs: 60_000,
    });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('interrupted: stopping (again to exit at once)');
    expect(res.stdout).toMatch(/caveat +no comparison: latency, errors and billing not judged {2}\[notJudged\]\n +no request of the comparison was sent/);
    expect(res.stdout).toMatch(/^verdicts: cand \S+ \(interrupted before the comparison\); exit 130$/m);
  }, 60_000);
});

describe('a signal to a command without a run, once it has loaded', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('models waiting on a relay that never answers: %s exits 130 with a line, no key', async (signal) => {
    let asked!: () => void;
    const seen = new Promise<void>((resolve) => (asked = resolve));
    const server = await startHostile(() => asked()); // never answers
    try {
      const run = spawnCli(['models', '--base-url', server.url], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
      await seen;
      run.child.kill(signal);
      const res = await run.exited;
      expectNoSecret(res);
      expect(res.code, res.stderr).toBe(130);
      expect(res.stderr).toContain(`relaymon models: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}`);
    } finally {
      await server.close();
    }
  });
});

describe('a signal while evaluate lists the models', () => {
  it('is held, and the conform suite does not start: no verdict, nothing more sent, exit 130', async () => {
    let listing!: () => void;
    const listed = new Promise<void>((resolve) => (listing = resolve));
    let answer!: () => void;
    const release = new Promise<void>((resolve) => (answer = resolve));
    const server = await startHostile(async (req, res) => {
      if (req.method === 'GET') {
        listing();
        await release;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"object":"list","data":[{"id":"gpt-4o-mini","object":"model"}]}');
        return;
      }
      res.writeHead(500);
      res.end();
    });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'relaymon-late-int-'));
      const cfg = join(dir, 'relaymon.config.yaml');
      writeFileSync(cfg, `targets:\n  ref:\n    baseUrl: ${server.url}\n    apiKeyEnv: RELAY_KEY\n  cand:\n    baseUrl: ${server.url}\n    apiKeyEnv: RELAY_KEY\n`);
      const run = spawnCli(['evaluate', '--config', cfg, '--targets', 'ref,cand', '-n', '4'], { env: { RELAY_KEY: SENTINEL_KEY }, timeoutMs: 30_000 });
      textOf(run, 'stderr'); // from its first line
      await listed;
      run.child.kill('SIGINT');
      // Caught (it says so) while the lists are still awaited; then they are answered.
      await until(() => textOf(run, 'stderr').includes('interrupted: stopping'));
      answer();
      const res = await run.exited;
      expectNoSecret(res);
      expect(res.code, res.stderr).toBe(130);
      expect(res.stderr).toContain('evaluate: interrupted during the model lists; no verdict');
      expect(server.requests.filter((r) => !r.path.endsWith('/models'))).toHaveLength(0);
    } finally {
      answer();
      await server.close();
    }
  });
});

describe('a signal while the last work of a command without a run blocks the loop', () => {
  it('cost: the signal caught as it prints its table is still seen: exit 130, not 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-late-int-'));
    const mix = join(dir, 'mix.yaml');
    writeFileSync(mix, 'gpt-4o-mini: { input: 10M, output: 1M }\n');
    const cfg = join(dir, 'relaymon.config.yaml');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: ${mock.url}\n`);
    const res = await runCli(['cost', '--config', cfg, '--mix', mix], {
      env: { NODE_OPTIONS: `--require ${PRELOAD}`, RELAYMON_TEST_SIGNAL_ON: 'stdout', RELAYMON_TEST_SIGNAL: 'SIGINT' },
    });
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('relaymon cost: interrupted');
  });

  it('init --force: a signal as the file is written leaves the whole starter, never an emptied file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-late-int-'));
    const path = join(dir, 'relaymon.config.yaml');
    writeFileSync(path, 'old: content\n');
    const res = await runCli(['init', '--force', '--path', path], {
      env: { NODE_OPTIONS: `--require ${PRELOAD}`, RELAYMON_TEST_SIGNAL_ON: 'write:relaymon.config.yaml' },
    });
    expect(res.code, res.stderr).toBe(130);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('targets:');
    expect(text.length).toBeGreaterThan(200);
  });
});

describe('a signal while an output waits for a FIFO with no reader', () => {
  it('ends the process at the signal, as Node would, instead of waiting for a reader that never comes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-late-int-'));
    const fifo = join(dir, 'summary.json');
    execFileSync('mkfifo', [fifo]);
    const run = spawnCli(['check', '-n', '1', '--base-url', mock.url, '--summary', fifo], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 20_000 });
    textOf(run, 'stdout'); // from its first line
    // The text summary is printed before --summary is opened; the signal goes once the main thread is blocked in
    // that open (the kernel's wait for the FIFO's other end). A signal before it is held, as a late one is, and
    // the write then waits for a reader (docs/contracts.md "Exit codes").
    const pid = run.child.pid!;
    await until(() => /thresholds? passed/.test(textOf(run, 'stdout')) && waitChannel(pid) === 'wait_for_partner');
    run.child.kill('SIGINT');
    const res = await run.exited;
    expectNoSecret(res);
    expect(res.code === 130 || res.signal === 'SIGINT', `code ${res.code}, signal ${res.signal}`).toBe(true);
  });
});

const buffers = new WeakMap<object, { stdout: string; stderr: string }>();
/** What the running CLI has printed so far on one stream (spawnCli hands it over only at exit). */
function textOf(run: ReturnType<typeof spawnCli>, stream: 'stdout' | 'stderr'): string {
  let b = buffers.get(run);
  if (!b) {
    const fresh = { stdout: '', stderr: '' };
    buffers.set(run, fresh);
    run.child.stdout.on('data', (d: Buffer | string) => (fresh.stdout += String(d)));
    run.child.stderr.on('data', (d: Buffer | string) => (fresh.stderr += String(d)));
    b = fresh;
  }
  return b[stream];
}

/** What the process's main thread sleeps on in the kernel ('' once it has gone). */
function waitChannel(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/wchan`, 'utf8');
  } catch {
    return '';
  }
}

function until(ok: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => {
      if (ok()) resolve();
      else setTimeout(poll, 10);
    };
    poll();
  });
}

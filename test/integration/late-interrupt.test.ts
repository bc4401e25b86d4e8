/**
 * A signal after a run has ended, while its command writes the summary,
 * --junit and --report: the run's handler is gone by then, and Node's
 * default used to end the process at once (a shell saw 143, and the outputs
 * after that moment were never written). The contract's first signal stops
 * cleanly and still prints (docs/contracts.md "Exit codes"): now it is held,
 * every output is written, and relaymon exits 130. The same hold covers the
 * gap between evaluate's phases: the next phase takes the signal and stops
 * before it sends. And a command without a run (models, cost, config, init)
 * ended by a SIGTERM as Node does, with 143: it exits 130 with a line.
 */
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
    expect(res.stdout).toMatch(/^verdicts: cand \S+ \(interrupted: a partial comparison\); exit 130$/m);
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

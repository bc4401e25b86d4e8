/**
 * `watch` without a terminal: the CLI's stdout is a pipe here, which is the
 * plain line mode DESIGN.md describes (also forced by --no-tui). Real CLI,
 * real `relaymon mock` over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess, mockRequestCount } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { counterSum, metricsUrl, promtool, scrape, until } from './prometheus-helpers.js';

const LINE = /^time=(\S+) target=(\S+) rps=(\S*) p50_ms=(\S*) p95_ms=(\S*) ttft_p95_ms=(\S*) err_pct=(\S*) cost_per_hour_usd=(\S*)$/;
const TTFT = 60;

let mock: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-watch-'));

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', String(TTFT), '--itl', '2', '--tokens', '8']);
});
afterAll(() => mock.stop());

function logfmtLines(text: string): RegExpExecArray[] {
  return text
    .split('\n')
    .map((l) => LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
}

describe('watch, plain line mode', () => {
  it('prints a logfmt line per target every --interval, then the summary; --duration stops it with exit 0', async () => {
    const started = Date.now();
    const res = await runCli(['watch', '--no-tui', '--base-url', mock.url, '--every', '100ms', '--interval', '500ms', '--duration', '2.6s']);
    expect(res.code).toBe(0);
    const lines = logfmtLines(res.stdout);
    // 2.6 s of run at 0.5 s intervals: 5 lines (a slow start may cost one). Lines go on while the requests in
    // flight at the stop drain, so a slow drain on a loaded machine may add one: never more than the run lasted.
    const ran = /\(ran ([\d.]+)(ms|s)\)/.exec(res.stdout);
    expect(ran).not.toBeNull();
    const ranMs = Number(ran![1]) * (ran![2] === 's' ? 1000 : 1);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.length).toBeLessThanOrEqual(Math.max(5, Math.floor(ranMs / 500)));
    const times = lines.map((m) => Date.parse(m[1]!));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(started - 1000);
    // One late tick on a loaded machine shortens the gap after it, so the spacing is judged on average; a gap
    // under 100 ms would be a doubled line, not a late one.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(100);
    const meanGap = (times.at(-1)! - times[0]!) / (times.length - 1);
    expect(meanGap).toBeGreaterThanOrEqual(350);
    expect(meanGap).toBeLessThanOrEqual(750);
    const last = lines.at(-1)!;
    expect(last[2]).toBe('default');
    expect(Number(last[3])).toBeGreaterThan(5); // 10/s scheduled
    expect(Number(last[3])).toBeLessThan(15);
    // The mock's first token comes TTFT ms after the request; relaymon adds loopback and parse time only.
    expect(Number(last[6])).toBeGreaterThanOrEqual(TTFT);
    expect(Number(last[6])).toBeLessThan(TTFT + 100);
    expect(last[7]).toBe('0.00');
    expect(Number(last[8])).toBeGreaterThan(0);
    // Every logfmt line comes before the summary.
    const summaryAt = res.stdout.indexOf('stopped: the duration was reached');
    expect(summaryAt).toBeGreaterThan(res.stdout.lastIndexOf('time='));
    expect(res.stdout).toMatch(/requests\s+\d+/);
  });

  it('stdout that is not a terminal means plain mode without --no-tui', async () => {
    const res = await runCli(['watch', '--base-url', mock.url, '--every', '100ms', '--interval', '300ms', '--requests', '8']);
    expect(res.code).toBe(0);
    expect(logfmtLines(res.stdout).length).toBeGreaterThanOrEqual(1);
    expect(res.stdout).not.toContain('\u001b[?1049h'); // never the alternate screen on a pipe
    expect(res.stdout).toContain('stopped: the request count was reached');
  });

  it('--window 15m: the lines carry that window\'s numbers (the engine computes only the windows shown)', async () => {
    const res = await runCli(['watch', '--no-tui', '--window', '15m', '--base-url', mock.url, '--every', '100ms', '--interval', '300ms', '--duration', '1.5s']);
    expect(res.code).toBe(0);
    const lines = logfmtLines(res.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const last = lines.at(-1)!;
    expect(Number(last[3])).toBeGreaterThan(0);
    expect(Number(last[6])).toBeGreaterThanOrEqual(TTFT);
  });

  it('--json: stdout is only the summary JSON; the lines go to stderr; --summary writes the same', async () => {
    const file = join(dir, 'summary.json');
    const res = await runCli(['watch', '--no-tui', '--json', '--summary', file, '--base-url', mock.url, '--every', '100ms', '--interval', '300ms', '--requests', '6']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as { command: string; stoppedBy: string; targets: { name: string }[]; summary: { requests: number } };
    expect(json).toMatchObject({ command: 'watch', stoppedBy: 'requests', targets: [{ name: 'default' }], summary: { requests: 6 } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(json);
    expect(logfmtLines(res.stderr).length).toBeGreaterThanOrEqual(1);
  });

  it('a failed threshold in a bounded run → exit 1; no HTTP answer at all → exit 3', async () => {
    const slow = await runCli(['watch', '--no-tui', '--base-url', mock.url, '--every', '100ms', '--requests', '5', '--threshold', `ttft:p(95)<${TTFT / 2}`]);
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(/✗ ttft:p\(95\)<30/);

    const s = netServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const down = await runCli(['watch', '--no-tui', '--base-url', `http://127.0.0.1:${port}/v1`, '--every', '50ms', '--requests', '3']);
    expect(down.code).toBe(3);
    expect(down.stdout).toContain('connection_refused');
  });

  it('Ctrl-C stops cleanly, prints the summary, and exits 130', async () => {
    const run = spawnCli(['watch', '--no-tui', '--base-url', mock.url, '--every', '100ms', '--interval', '200ms']);
    await new Promise<void>((resolve) => {
      let seen = '';
      run.child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if (LINE.test(seen.split('\n')[0] ?? '')) resolve();
      });
    });
    run.child.kill('SIGINT');
    const res = await run.exited;
    expect(res.code).toBe(130);
    expect(res.stdout).toContain('stopped: interrupted');
    expect(res.stderr).toContain('interrupted: stopping');
  });

  it('never prints the key, whatever the mode', async () => {
    const res = await runCli(['watch', '--no-tui', '--json', '--base-url', mock.url, '--every', '100ms', '--interval', '200ms', '--requests', '4'], {
      env: { OPENAI_API_KEY: SENTINEL_KEY },
    });
    expect(res.code).toBe(0);
    expectNoSecret(res);
  });

  it('--dry-run prints the plan and its cost, sends nothing', async () => {
    const before = await mockRequests();
    const res = await runCli(['watch', '--dry-run', '--base-url', mock.url, '--every', '2s', '--model', 'gpt-4o']);
    expect(res.code).toBe(0);
    // One probe every 2 s is 1800 an hour.
    expect(res.stdout).toMatch(/default\s+gpt-4o\s+1800\s+\$/);
    expect(await mockRequests()).toBe(before);
  });

  it('--budget-usd stops the run when the next request could take the spend over it', async () => {
    const res = await runCli(['watch', '--no-tui', '--json', '--base-url', mock.url, '--every', '50ms', '--model', 'gpt-4o', '--budget-usd', '0.0005']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as { stoppedBy: string; summary: { costUsd: number } };
    expect(json.stoppedBy).toBe('budget');
    expect(json.summary.costUsd).toBeLessThanOrEqual(0.0005);
  });
});

describe('watch as the headless Prometheus agent', () => {
  it('--no-tui --metrics-port serves /metrics while it runs, valid for promtool, without the key', async () => {
    const run = spawnCli(['watch', '--no-tui', '--metrics-port', '0', '--base-url', mock.url, '--every', '100ms', '--interval', '1s'], {
      env: { OPENAI_API_KEY: SENTINEL_KEY },
    });
    try {
      const url = await metricsUrl(run.child);
      const text = await until(async () => {
        const t = await scrape(url);
        return counterSum(t, 'relaymon_requests_total', 'relaymon_target="default"') >= 5 ? t : null;
      }, 'five requests counted on /metrics');
      expect(counterSum(text, 'gen_ai_client_operation_duration_seconds_count', 'relaymon_target="default"')).toBeGreaterThanOrEqual(5);
      expect(text).toMatch(/relaymon_target_state\{[^}]*relaymon_target="default"[^}]*\} 0/);
      expect(text).not.toContain(SENTINEL_KEY);
      expect(promtool(['check', 'metrics'], text).code).toBe(0);
    } finally {
      run.child.kill('SIGTERM');
    }
    const res = await run.exited;
    expect(res.code).toBe(130);
    expectNoSecret(res);
  });
});

const mockRequests = (): Promise<number> => mockRequestCount(mock);

describe('watch, bad input → exit 2 with a clear message', () => {
  const cases: [string, string[], RegExp][] = [
    ['fps of 0', ['--fps', '0'], /--fps expects a whole number from 1 to 60, got "0"/],
    ['fps not a number', ['--fps', 'fast'], /--fps expects a whole number from 1 to 60/],
    ['interval too short', ['--interval', '10ms'], /--interval must be at least 100ms/],
    ['interval not a duration', ['--interval', 'often'], /interval|duration/i],
    ['unknown window', ['--window', '2m'], /--window.*2m.*1m, 5m, 15m, all/s],
    ['demo with a base URL', ['--demo', '--base-url', 'http://127.0.0.1:9/v1'], /--demo watches its own simulated relays/],
    ['bad threshold', ['--threshold', 'ttft:p(95)<>800'], /threshold/i],
    ['zero duration', ['--duration', '0s'], /--duration must be above zero/],
    ['summary in a missing folder', ['--summary', '/nonexistent/relaymon/x.json'], /--summary \/nonexistent\/relaymon\/x\.json: cannot create it \(no folder/],
    ['summary that is a folder', ['--summary', '/tmp'], /--summary \/tmp: is a folder/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const base = args.includes('--demo') ? [] : ['--base-url', mock.url];
      const res = await runCli(['watch', '--no-tui', ...base, ...args, '--requests', '1'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expectNoSecret(res);
    });
  }
});

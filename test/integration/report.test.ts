import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { embeddedData, resourceFetches } from '../helpers/report.js';

let mock: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-report-'));
const log = join(dir, 'run.log');
const runHtml = join(dir, 'run.html');
const summary = join(dir, 'run.json');
let check: CliResult;

function expectClean(res: CliResult, html: string): void {
  for (const text of [res.stdout, res.stderr, html]) expect(text).not.toContain(SENTINEL_KEY);
  expect(res.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
  expect(resourceFetches(html)).toEqual([]);
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
}

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '4', '--error-rate', '0.2', '--seed', '3']);
  // The key is configured (the environment) while the log and the report are written.
  check = await runCli(
    ['check', '--base-url', mock.url, '--rate', '40/s', '-n', '40', '--log', log, '--summary', summary, '--report', runHtml, '--threshold', 'latency:p(95)<60000'],
    { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 30_000 },
  );
}, 40_000);
afterAll(() => mock.stop());

describe('relaymon report', () => {
  it('check --report writes the run as one HTML file with the run\'s own verdict', () => {
    expect([0, 1]).toContain(check.code);
    const html = readFileSync(runHtml, 'utf8');
    expectClean(check, html);
    expect(html).toContain('<h2>Verdict</h2>');
    expect(html).toContain('the verdict of the run itself');
    expect(html).not.toContain('badge recomputed');
    expect(html).toContain(`exit code ${check.code}`);
    const data = embeddedData(html);
    expect(data.charts.map((c) => c.id)).toEqual(expect.arrayContaining(['dist-latency', 'dist-ttft', 'time-latency', 'time-rps', 'time-errors']));
  });

  it('re-judges a request log with the given thresholds and labels the verdict recomputed', async () => {
    const out = join(dir, 'from-log.html');
    const res = await runCli(['report', log, '-o', out, '--threshold', 'latency:p(95)<0.001'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/wrote .*from-log\.html \(40 requests, \d+ KB\)/);
    const html = readFileSync(out, 'utf8');
    expectClean(res, html);
    expect(html).toContain('badge recomputed');
    expect(html).toContain('✗ latency:p(95)&#60;0.001');
    expect(html).toContain('errors:rate&#60;0.05 (implied)');
    expect(html).toContain('exit code 1');
    // The log's 40 requests in the summary table, one target.
    expect(html).toMatch(/<th scope="row">default<\/th><td>openai<\/td><td>40<\/td>/);
  });

  it('--no-default-thresholds and a passing threshold: exit code 0 in the report', async () => {
    const out = join(dir, 'pass.html');
    const res = await runCli(['report', log, '-o', out, '--threshold', 'latency:p(95)<60000', '--no-default-thresholds']);
    expect(res.code, res.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('exit code 0');
    expect(html).not.toContain('(implied)');
  });

  it('reads a --summary file: the tables and the verdict as written, no charts', async () => {
    const out = join(dir, 'summary.html');
    const res = await runCli(['report', summary, '-o', out]);
    expect(res.code, res.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expectClean(res, html);
    expect(html).toContain('as written in the summary file');
    expect(html).toContain('A summary file holds no per-request data');
    expect(embeddedData(html).charts).toEqual([]);
  });

  it('needs no key: in a folder whose config names unset key and header variables, it renders a log (with the config\'s thresholds) and a summary', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'relaymon-report-nokey-'));
    writeFileSync(
      join(folder, 'relaymon.config.yaml'),
      `targets:\n  default:\n    baseUrl: ${mock.url}\n    apiKeyEnv: RELAYMON_TEST_UNSET_KEY\n    headers: { X-Gateway-Key: "\${RELAYMON_TEST_UNSET_HEADER}" }\nthresholds:\n  latency: ["p(95)<0.001"]\n`,
    );
    const env = { RELAYMON_TEST_UNSET_KEY: undefined, RELAYMON_TEST_UNSET_HEADER: undefined };
    const fromLog = join(folder, 'log.html');
    const res = await runCli(['report', log, '-o', fromLog], { cwd: folder, env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toContain('is not set');
    const html = readFileSync(fromLog, 'utf8');
    // The config's threshold re-judged the log.
    expect(html).toContain('✗ latency:p(95)&#60;0.001');
    const fromSummary = join(folder, 'summary.html');
    const res2 = await runCli(['report', summary, '-o', fromSummary, '--config', join(folder, 'relaymon.config.yaml')], { env });
    expect(res2.code, res2.stderr).toBe(0);
    expect(existsSync(fromSummary)).toBe(true);
  });

  it('anything else is a usage error (exit 2) naming what was expected, never a stack trace', async () => {
    const cases: [string, string][] = [
      ['text.txt', 'hello\nworld\n'],
      ['other.json', JSON.stringify({ command: 'probe?', x: 1 })],
      ['shape.json', JSON.stringify({ command: 'check', startedAt: 1 })],
      ['empty.log', '\n\n'],
    ];
    for (const [name, text] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const res = await runCli(['report', path, '-o', join(dir, `${name}.html`)]);
      expect(res.code, `${name}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(/request log|--json/);
      expect(res.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    const missing = await runCli(['report', join(dir, 'nope.log'), '-o', join(dir, 'nope.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.log/);
  });

  it('a line with an impossible value is named and skipped, even the first: not read as a run centuries long', async () => {
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const damaged = (i: number, patch: Record<string, unknown>): string => {
      const o = JSON.parse(lines[i]!) as { result: Record<string, unknown> };
      Object.assign(o.result, patch);
      return JSON.stringify(o);
    };
    const path = join(dir, 'damaged.log');
    writeFileSync(path, [damaged(0, { startedAt: 1e16 }), ...lines.slice(1, 10), damaged(10, { latencyMs: -5 }), damaged(11, { ttftMs: 1e308 }), ...lines.slice(12)].join('\n') + '\n');
    const out = join(dir, 'damaged.html');
    const res = await runCli(['report', path, '-o', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('damaged.log:1: startedAt 10000000000000000 is not a time between 2000 and 2100');
    expect(res.stderr).toContain('damaged.log:11: latencyMs -5 is out of range');
    expect(res.stderr).toContain('damaged.log:12: ttftMs 1e+308 is out of range');
    expect(res.stderr).toContain('skipped 3 bad lines');
    expect(res.stdout).toMatch(/\(37 requests, /);
  });

  it('an output that cannot be written: exit 2, and no claim that it was written or that results are on stdout', async () => {
    const res = await runCli(['report', log, '-o', '/dev/full']);
    expect(res.code).toBe(2);
    expect(res.stdout).not.toContain('wrote');
    expect(res.stderr).toContain('/dev/full');
    expect(res.stderr).not.toContain('the results are on stdout');
  });

  it('SIGTERM while a long log is read: exit 130 with a line saying so, and no report file', async () => {
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const path = join(dir, 'long.log');
    writeFileSync(path, Array.from({ length: 1500 }, () => lines.join('\n')).join('\n') + '\n');
    const out = join(dir, 'long.html');
    const run = spawnCli(['report', path, '-o', out], { timeoutMs: 60_000 });
    // The handler is in place before the log is opened: wait until the process holds it open.
    const pid = run.child.pid!;
    const deadline = Date.now() + 30_000;
    const holds = (): boolean => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
          } catch {
            return false;
          }
        });
      } catch {
        return false;
      }
    };
    while (!holds()) {
      if (Date.now() > deadline) throw new Error('report never opened the log');
      await new Promise((r) => setTimeout(r, 5));
    }
    run.child.kill('SIGTERM');
    const res = await run.exited;
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('relaymon report: terminated; no report written');
    expect(existsSync(out)).toBe(false);
  }, 70_000);

  it('embeds data safely: a </script> in a result cannot close the data element', async () => {
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const hostile = lines.map((l) => {
      const o = JSON.parse(l) as { target: string; result: Record<string, unknown> };
      o.result['target'] = '</script><script>alert(1)</script>';
      o.target = o.result['target'] as string;
      return JSON.stringify(o);
    });
    const path = join(dir, 'hostile.log');
    writeFileSync(path, hostile.join('\n') + '\n');
    const out = join(dir, 'hostile.html');
    const res = await runCli(['report', path, '-o', out]);
    expect(res.code, res.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    // Exactly the three script elements of the report.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(embeddedData(html).charts.find((c) => c.id === 'time-rps')!.series[0]!.label).toBe('</script><script>alert(1)</script>');
  });

  it('conform, watch and replay --report write the same report at the end of their runs', async () => {
    const conformHtml = join(dir, 'conform.html');
    const conform = await runCli(['conform', '--base-url', mock.url, '--only', 'usage_present,model_echo', '--report', conformHtml], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 30_000 });
    expect([0, 1], conform.stderr).toContain(conform.code);
    const ch = readFileSync(conformHtml, 'utf8');
    expectClean(conform, ch);
    expect(ch).toContain('<h2>Conformance</h2>');
    expect(ch).toMatch(/<td>usage_present<\/td><td>openai<\/td><td>(pass|fail)<\/td>/);
    expect(ch).toContain(`exit code ${conform.code}`);
    const watchHtml = join(dir, 'watch.html');
    const watch = await runCli(['watch', '--base-url', mock.url, '--no-tui', '--rate', '20/s', '-n', '15', '--report', watchHtml], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 30_000 });
    expect([0, 1], watch.stderr).toContain(watch.code);
    const wh = readFileSync(watchHtml, 'utf8');
    expectClean(watch, wh);
    expect(wh).toContain('relaymon watch report');
    expect(wh).toMatch(/<th scope="row">default<\/th><td>openai<\/td><td>15<\/td>/);
    const replayHtml = join(dir, 'replay.html');
    const replay = await runCli(['replay', log, '--base-url', mock.url, '--rate', '40/s', '-n', '10', '--report', replayHtml], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 30_000 });
    expect([0, 1], replay.stderr).toContain(replay.code);
    const rh = readFileSync(replayHtml, 'utf8');
    expectClean(replay, rh);
    expect(rh).toContain('relaymon replay report');
    expect(rh).toContain(`exit code ${replay.code}`);
  }, 60_000);

  it('shows progress off a terminal: one line on stderr per interval', async () => {
    const big = join(dir, 'big.log');
    const text = readFileSync(log, 'utf8');
    writeFileSync(big, text.repeat(60));
    const res = await runCli(['report', big, '-o', join(dir, 'big.html')], { env: { RELAYMON_PROGRESS_INTERVAL_MS: '1' } });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^report: \[[#.]{24}\] \d+ lines, [\d.]+\/[\d.]+ MB {2}\d+ lines\/s {2}ETA /m);
  });
});

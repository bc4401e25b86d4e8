import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as netServer } from 'node:net';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess, mockRequestCount } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

let mock: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-check-'));

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '20', '--itl', '2', '--tokens', '16']);
});
afterAll(() => mock.stop());

const mockRequests = (): Promise<number> => mockRequestCount(mock);

interface CheckJson {
  command: string;
  stoppedBy: string | null;
  summary: { requests: number; errors: number; costUsd: number | null };
  thresholds: { expression: string; ok: boolean; value: number | null }[];
  targets: { name: string }[];
}

const base = () => ['check', '--base-url', mock.url, '--every', '50ms'];

describe('relaymon check', () => {
  it('passes (exit 0) with the default threshold, and says it used it', async () => {
    const res = await runCli([...base(), '--requests', '6'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('errors:rate<0.05');
    expect(res.stdout).toMatch(/✓ errors:rate<0\.05 \(implied\)/);
  });

  it('fails (exit 1) on a breached threshold; JSON and JUnit name it with the observed value', async () => {
    const junit = join(dir, 'report.xml');
    const summary = join(dir, 'summary.json');
    const res = await runCli([...base(), '--requests', '6', '--threshold', 'ttft:p(95)<5', '--threshold', 'errors:rate<1%', '--json', '--junit', junit, '--summary', summary]);
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout) as CheckJson;
    expect(json.command).toBe('check');
    expect(json.stoppedBy).toBe('requests');
    expect(json.summary.requests).toBe(6);
    const ttft = json.thresholds.find((t) => t.expression === 'ttft:p(95)<5')!;
    expect(ttft.ok).toBe(false);
    expect(ttft.value!).toBeGreaterThanOrEqual(19);
    expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual(json);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toMatch(/<testcase[^>]*name="ttft:p\(95\)&lt;5"[^>]*>\s*<failure message="[^"]*\d+(\.\d+)? ?ms/);
    expect(xml).toMatch(/<testsuites[^>]*failures="1"/);
    expect(balancedXml(xml)).toBe(true);
  });

  it('an unwritable --summary, --junit, --log or --report is refused before anything is sent (a paid run would lose its results)', async () => {
    const before = await mockRequests();
    for (const args of [['--summary', join(dir, 'missing', 'x.json')], ['--junit', dir], ['--log', join(dir, 'missing', 'x.log')], ['--report', join(dir, 'missing', 'x.html')]]) {
      const res = await runCli(['check', '--base-url', mock.url, '--requests', '2', ...args]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/--(summary|junit|log|report) .*(cannot create it|is a folder)/);
      expect(res.stderr).not.toContain('internal error');
    }
    expect(await mockRequests()).toBe(before);
  });

  it('an empty --summary says it was empty, not that it is a folder', async () => {
    const res = await runCli(['check', '--base-url', mock.url, '--requests', '1', '--summary', '']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--summary: give a file name (it was empty)');
  });

  it('probe refuses an unwritable --log before it prints or sends anything', async () => {
    const before = await mockRequests();
    const res = await runCli(['probe', '--base-url', mock.url, '--log', join(dir, 'missing', 'x.log')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--log .*: cannot create it \(no folder /);
    expect(res.stdout).toBe('');
    expect(await mockRequests()).toBe(before);
  });

  it('--prompt, --max-tokens and --no-stream adjust the config\'s probes; --model replaces them', async () => {
    const cfg = join(dir, 'probes.yaml');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: ${mock.url}\nprobes:\n  cfg:\n    model: gpt-4o\n    prompt: "Reply with OK"\n    maxTokens: 32\n    stream: true\n`);
    const log = join(dir, 'probes.log');
    const res = await runCli(['check', '--config', cfg, '-n', '2', '--every', '50ms', '--prompt', 'Say hi', '--max-tokens', '5', '--no-stream', '--log', log]);
    expect(res.code).toBe(0);
    const bodies = readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { probe: string; body: Record<string, unknown> }));
    expect(bodies).toHaveLength(2);
    for (const b of bodies) {
      expect(b.probe).toBe('cfg');
      expect(b.body).toMatchObject({ model: 'gpt-4o', max_tokens: 5, stream: false, messages: [{ role: 'user', content: 'Say hi' }] });
    }
    const zero = await runCli(['check', '--config', cfg, '-n', '1', '--max-tokens', '0']);
    expect(zero.code).toBe(2);
  });

  it('unreachable → exit 3', async () => {
    const s = netServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const res = await runCli(['check', '--base-url', `http://127.0.0.1:${port}/v1`, '--every', '50ms', '--requests', '3']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/check: unreachable: no request got an HTTP answer from any target \(connection_refused ×3\); exit 3/);
  });

  it('bad config → exit 2', async () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: ${mock.url}\n    timeouts: { connect: soon }\n`);
    const res = await runCli(['check', '--config', cfg, '--requests', '2']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('targets.relay.timeouts.connect');
  });

  it('--dry-run prints the plan and its cost and sends nothing', async () => {
    const before = await mockRequests();
    const res = await runCli([...base(), '--duration', '10m', '--model', 'gpt-4o', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('gpt-4o');
    expect(res.stdout).toMatch(/72,?000|72000/); // 20 requests/s × 3600
    expect(await mockRequests()).toBe(before);
  });

  it('the budget guard stops before overspending', async () => {
    const before = await mockRequests();
    const budget = 0.0001;
    const res = await runCli([...base(), '--duration', '20s', '--budget-usd', String(budget), '--json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as CheckJson;
    expect(json.stoppedBy).toBe('budget');
    const sent = (await mockRequests()) - before;
    expect(sent).toBe(json.summary.requests);
    expect(sent).toBeGreaterThan(0);
    // gpt-4o-mini: $0.60/M output; 16 tokens each at most, plus the small prompt.
    expect(json.summary.costUsd!).toBeLessThanOrEqual(budget);
    expect(sent).toBeLessThan(budget / (16 * 0.6e-6));
  });
});

describe('abortOnFail', () => {
  it('a failing abortOnFail threshold stops the run early, exit 1', async () => {
    const cfg = join(dir, 'abort.yaml');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: ${mock.url}\nthresholds:\n  ttft:\n    - threshold: "p(95)<1"\n      abortOnFail: true\n`);
    const started = Date.now();
    const res = await runCli(['check', '--config', cfg, '--every', '50ms', '--duration', '30s', '--json']);
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout) as CheckJson;
    expect(json.stoppedBy).toBe('abortOnFail');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('alerts during check', () => {
  it('a webhook receiver gets firing and then resolved, with no secret', async () => {
    const received: { text: string; state: string }[] = [];
    const hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as { text: string; state: string });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook?token=\${HOOK_TOKEN}`;
    // The first 15 requests fail, the rest succeed: the 1m error rate rises over 50% and falls back under it.
    // Counted, not timed, so a slow start of the CLI on a loaded machine cannot change the story.
    let served = 0;
    const relay = await startHostile((_req, res) => {
      served += 1;
      if (served <= 15) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'boom' } }));
        return;
      }
      res.writeHead(200, SSE_HEADERS);
      res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(3, 1)) + 'data: [DONE]\n\n');
    });
    const cfg = join(dir, 'alerts.yaml');
    writeFileSync(
      cfg,
      [
        'targets:',
        `  relay:`,
        `    baseUrl: ${relay.url}`,
        'alerts:',
        '  - name: RelayErrors',
        '    threshold: "errors{target:relay}:rate<0.5"',
        '    window: 1m',
        '    for: 0s',
        '    notify: [webhook]',
        'notify:',
        `  webhook: "${hookUrl}"`,
        'thresholds:',
        '  requests: ["count>0"]',
        '',
      ].join('\n'),
    );
    try {
      // --no-default-thresholds: the 15 planned failures would breach the implied errors:rate<0.05; this test is about the alert.
      const res = await runCli(['check', '--config', cfg, '--every', '50ms', '--duration', '5s', '--no-default-thresholds'], { env: { HOOK_TOKEN: 'hook-secret-token-77' } });
      expect(res.code).toBe(0);
      expectNoSecret(res, 'hook-secret-token-77');
      expect(received.map((r) => r.state)).toEqual(['firing', 'resolved']);
      expect(received[0]!.text).toContain('RelayErrors');
      expect(JSON.stringify(received)).not.toContain('hook-secret-token-77');
    } finally {
      await relay.close();
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });
});

/** Well-formedness, enough for our own output: every tag closed in order, attributes quoted. */
function balancedXml(xml: string): boolean {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0 && !/<(?![/?A-Za-z!])/.test(body);
}

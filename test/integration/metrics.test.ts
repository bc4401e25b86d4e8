import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess, mockRequestCount } from '../helpers/cli.js';
import { counterSum, metricsUrl, promtool, scrape, until } from './prometheus-helpers.js';

const GATEWAY_SECRET = 'gw-secret-header-value-8f3a9c71d2';
const dir = mkdtempSync(join(tmpdir(), 'relaymon-metrics-'));
let relay: MockProcess;
let evil: MockProcess;
let config = '';

beforeAll(async () => {
  [relay, evil] = await Promise.all([
    startMockProcess(['--ttft', '30', '--itl', '3', '--tokens', '8']),
    // A relay that claims the caller's key as its model name: the label must not carry it.
    startMockProcess(['--ttft', '30', '--itl', '3', '--tokens', '8', '--serve-model', SENTINEL_KEY]),
  ]);
  config = join(dir, 'relaymon.config.yaml');
  writeFileSync(
    config,
    `targets:
  relay:
    baseUrl: ${relay.url}
    apiKeyEnv: RELAY_API_KEY
    headers: { X-Gateway-Key: "\${GATEWAY_KEY}" }
  evil:
    baseUrl: ${evil.url}
    apiKeyEnv: RELAY_API_KEY
`,
  );
});
afterAll(async () => {
  await Promise.all([relay?.stop(), evil?.stop()]);
});

const env = () => ({ RELAY_API_KEY: SENTINEL_KEY, GATEWAY_KEY: GATEWAY_SECRET });

const mockRequests = mockRequestCount;

describe('check --metrics-port', () => {
  it('serves /metrics during the run: promtool-clean after real traffic, no key or secret header, 404 elsewhere; --json stays pure', async () => {
    const cli = spawnCli(['check', '--config', config, '--every', '100ms', '-d', '60s', '--metrics-port', '0', '--json'], { env: env(), timeoutMs: 60_000 });
    try {
      const url = await metricsUrl(cli.child);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const text = await until(
        async () => {
          const t = await scrape(url);
          const ok = ['relay', 'evil'].every((n) => counterSum(t, 'relaymon_requests_total', `relaymon_target="${n}"`) >= 5);
          return ok ? t : null;
        },
        'five requests per target in /metrics',
      );

      const lint = promtool(['check', 'metrics'], text);
      expect(lint.out).toBe('');
      expect(lint.code).toBe(0);

      expect(text).not.toContain(SENTINEL_KEY);
      expect(text).not.toContain(SENTINEL_KEY.slice(3, 20));
      expect(text).not.toContain(GATEWAY_SECRET);
      expect(text).toMatch(/relaymon_model_mismatch_total\{[^}]*gen_ai_response_model="\[REDACTED\]"[^}]*relaymon_target="evil"|relaymon_model_mismatch_total\{[^}]*relaymon_target="evil"[^}]*gen_ai_response_model="\[REDACTED\]"/);
      expect(text).toMatch(/^gen_ai_client_operation_time_to_first_chunk_seconds_bucket\{le="0\.04",.*relaymon_target="relay"/m);
      expect(counterSum(text, 'relaymon_cost_usd_total', 'relaymon_target="relay"')).toBeGreaterThan(0);
      expect(text).toMatch(/^relaymon_target_state\{relaymon_target="relay",server_address="127\.0\.0\.1",gen_ai_provider_name="openai"\} 0$/m);
      expect(text).toMatch(/^process_cpu_seconds_total /m);

      const base = url.replace(/\/metrics$/, '');
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
      expect((await fetch(url, { method: 'POST' })).status).toBe(405);
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    } finally {
      cli.child.kill('SIGTERM');
    }
    const res = await cli.exited;
    expect(res.code).toBe(130);
    const json = JSON.parse(res.stdout) as { command: string; summary: { requests: number } };
    expect(json.command).toBe('check');
    expect(json.summary.requests).toBeGreaterThanOrEqual(10);
    expect(res.stdout + res.stderr).not.toContain(SENTINEL_KEY);
    expect(res.stdout + res.stderr).not.toContain(GATEWAY_SECRET);
  });

  it('a port in use, or a bad port or host, is a usage error (exit 2) before anything is sent', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    const before = await mockRequests(relay);
    try {
      const inUse = await runCli(['check', '--base-url', relay.url, '-n', '2', '--metrics-port', String(port)], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain(`--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
      expect(inUse.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
    for (const [flags, message] of [
      [['--metrics-port', 'abc'], '--metrics-port expects a port number from 0 to 65535'],
      [['--metrics-port', '70000'], '--metrics-port expects a port number from 0 to 65535'],
      [['--metrics-host', '0.0.0.0'], '--metrics-host needs --metrics-port'],
      [['--metrics-port', '0', '--metrics-host', 'no-such-host.invalid'], '--metrics-host no-such-host.invalid: not an address of this machine'],
    ] as const) {
      const res = await runCli(['check', '--base-url', relay.url, '-n', '2', ...flags], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
      expect(res.code, flags.join(' ')).toBe(2);
      expect(res.stderr).toContain(message);
    }
    expect(await mockRequests(relay)).toBe(before);
  });
});

describe('replay --metrics-port', () => {
  it('serves while replaying and stops serving when the run ends', async () => {
    const file = join(dir, 'traffic.jsonl');
    const line = JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    writeFileSync(file, `${line}\n`);
    const cli = spawnCli(['replay', file, '--base-url', relay.url, '--rate', '20/s', '--loop', '-d', '60s', '--metrics-port', '0', '--json'], {
      env: { OPENAI_API_KEY: SENTINEL_KEY },
      timeoutMs: 60_000,
    });
    let url = '';
    try {
      url = await metricsUrl(cli.child);
      const text = await until(async () => {
        const t = await scrape(url);
        return counterSum(t, 'relaymon_requests_total') >= 3 ? t : null;
      }, 'replayed requests in /metrics');
      expect(counterSum(text, 'relaymon_cost_usd_total')).toBeGreaterThan(0);
    } finally {
      cli.child.kill('SIGTERM');
    }
    const res = await cli.exited;
    expect(res.code).toBe(130);
    expect((JSON.parse(res.stdout) as { command: string }).command).toBe('replay');
    await expect(fetch(url)).rejects.toThrow();
  });
});

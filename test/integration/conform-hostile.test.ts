/**
 * `relaymon conform` against hostile relays over loopback: hand-written
 * node:http servers (and one in front of `relaymon mock`) that report zero
 * usage, answer a stream request with HTML, rate-limit everything, or never
 * end the malformed-body answer.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

interface Row {
  name: string;
  protocol: string;
  status: string;
  evidence: { got: string };
}

const env = { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY };
const servers: Server[] = [];
let mock: MockProcess;

function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler!);
  servers.push(s);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`)));
}

function rows(res: CliResult): Row[] {
  try {
    return (JSON.parse(res.stdout) as { targets: { checks: Row[] }[] }).targets.flatMap((t) => t.checks);
  } catch {
    throw new Error(`no JSON (exit ${res.code})\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
}
const row = (rs: Row[], name: string): Row => rs.find((r) => r.name === name)!;

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '10', '--itl', '10', '--buffer-stream']);
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await mock?.stop();
});

describe('relaymon conform against hostile relays', () => {
  it('a buffering relay that reports 0 usage fails streams_incrementally (buffered) and usage_present (billed as zero)', async () => {
    const up = new URL(mock.url);
    // A proxy in front of the buffering mock that rewrites every token count to 0.
    const url = await listen((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        const headers = { ...req.headers, host: up.host, 'content-length': String(body.length) };
        const pr = httpRequest({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers }, (pres) => {
          const h = { ...pres.headers };
          delete h['content-length'];
          res.writeHead(pres.statusCode ?? 502, h);
          pres.on('data', (d: Buffer) => res.write(d.toString().replace(/"(prompt_tokens|completion_tokens|input_tokens|output_tokens|total_tokens)":\d+/g, '"$1":0')));
          pres.on('end', () => res.end());
        });
        pr.on('error', () => res.destroy());
        pr.end(body);
      });
    });
    const res = await runCli(['conform', '--base-url', url, '--protocol', 'openai', '--only', 'usage_present,streams_incrementally,max_tokens_honoured', '--json'], { env, timeoutMs: 60_000 });
    expectNoSecret(res);
    const rs = rows(res);
    expect(row(rs, 'streams_incrementally')).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/^\d+ tokens in 1 read.*buffered$/) } });
    expect(row(rs, 'usage_present')).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/billed as zero/) } });
    expect(row(rs, 'max_tokens_honoured').status).toBe('pass');
    expect(res.code).toBe(1);
  }, 60_000);

  it('a stream request answered with 200 text/html fails stream_terminated; event_order is n/a "no stream"', async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Welcome to nginx</body></html>');
      });
    });
    const res = await runCli(['conform', '--base-url', url, '--protocol', 'openai', '--only', 'stream_terminated,event_order', '--json'], { env, timeoutMs: 60_000 });
    const rs = rows(res);
    expect(row(rs, 'stream_terminated')).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/asked to stream .*got text\/html, not an event stream/) } });
    expect(row(rs, 'event_order')).toMatchObject({ status: 'n/a', evidence: { got: expect.stringMatching(/^no stream/) } });
    expect(res.code).toBe(1);
  }, 60_000);

  it('HTTP 429 on every request: the checks are n/a "request failed", not fail', async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ error: { type: 'rate_limit_error', message: 'slow down' } }));
      });
    });
    const res = await runCli(['conform', '--base-url', url, '--protocol', 'openai', '--only', 'usage_present,model_echo,error_in_stream', '--json'], { env, timeoutMs: 60_000 });
    const rs = rows(res);
    for (const name of ['usage_present', 'model_echo', 'error_in_stream']) {
      expect([name, row(rs, name).status]).toEqual([name, 'n/a']);
      expect(row(rs, name).evidence.got).toMatch(/^request failed: HTTP 429 .*; judged nothing$/);
    }
  }, 60_000);

  it('--timeout 2s --only error_shape against an endless 200 stream ends, and fails error_shape', async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const t = setInterval(() => res.write('data: {"choices":[{"delta":{"content":"x"}}]}\n\n'), 5);
        res.on('close', () => clearInterval(t));
      });
    });
    const t0 = Date.now();
    const res = await runCli(['conform', '--base-url', url, '--protocol', 'openai', '--only', 'error_shape', '--timeout', '2s', '--json'], { env, timeoutMs: 30_000 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(row(rows(res), 'error_shape')).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/200/) } });
    expect(res.code).toBe(1);
  }, 40_000);

  it('a 1 ms first-token timeout against a relay that never answers reads "within 1 ms", not "within 0 s"', async () => {
    // Never answers: the timeout, not the relay's speed, decides (relaymon mock answers a bad request at once, and could beat 1 ms).
    const url = await listen((req) => req.resume());
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-conform-limit-'));
    const cfg = join(dir, 'relaymon.config.yaml');
    writeFileSync(cfg, `targets:\n  slow:\n    baseUrl: ${url}\n    apiKeyEnv: OPENAI_API_KEY\n    timeouts: { firstToken: 1ms }\n`);
    const res = await runCli(['conform', '--config', cfg, '--only', 'error_shape', '--json'], { env, timeoutMs: 30_000 });
    expectNoSecret(res);
    // relaymon's own timeout cut it: n/a, judged nothing (not a fail of the relay).
    expect(row(rows(res), 'error_shape')).toMatchObject({ status: 'n/a', evidence: { got: expect.stringContaining('no answer within 1 ms') } });
    expect(res.stdout).not.toContain('within 0 s');
    // No HTTP answer from any target: unreachable (docs/contracts.md).
    expect(res.code).toBe(3);
  }, 40_000);

  it('a cut stream (mock --truncate-rate 1; --omit-terminator on Responses) is still judged on the tokens relaymon saw, not "0 output tokens"', async () => {
    for (const knob of [['--truncate-rate', '1'], ['--omit-terminator']]) {
      const m = await startMockProcess(['--ttft', '5', '--itl', '25', ...knob]);
      try {
        const res = await runCli(['conform', '--base-url', m.url, '--protocol', 'openai-responses', '--only', 'streams_incrementally', '--json'], { env, timeoutMs: 60_000 });
        const r = row(rows(res), 'streams_incrementally');
        expect([knob[0], r.evidence.got]).not.toEqual([knob[0], expect.stringMatching(/^0 output tokens/)]);
        expect([knob[0], r.status]).toEqual([knob[0], 'pass']);
      } finally {
        await m.stop();
      }
    }
  }, 60_000);

  it('a fast honest stream (mock --itl 1, 1,000 tokens/s) passes streams_incrementally; the same stream buffered fails', async () => {
    // The honest mock's 40 writes come 1 ms apart; a CI machine that starves the mock's process or relaymon's for
    // ~15 ms at a time merges them into two reads, which is what a buffering relay looks like from the client. So the
    // honest stream gets three tries and must pass one; the buffered one must fail each time it is asked.
    for (const [knobs, want] of [[[], 'pass'], [['--buffer-stream'], 'fail']] as const) {
      const m = await startMockProcess(['--ttft', '20', '--itl', '1', '--tokens', '40', '--seed', '3', ...knobs]);
      try {
        const seen: string[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const res = await runCli(['conform', '--base-url', m.url, '--protocol', 'openai', '--only', 'streams_incrementally', '--json'], { env, timeoutMs: 60_000 });
          const r = row(rows(res), 'streams_incrementally');
          seen.push(`${r.status}: ${r.evidence.got}`);
          if (want === 'fail') expect([knobs, r.status]).toEqual([knobs, 'fail']);
          if (r.status === 'pass' || want === 'fail') break;
        }
        expect([knobs, seen.at(-1)]).toEqual([knobs, expect.stringMatching(new RegExp(`^${want}: `))]);
      } finally {
        await m.stop();
      }
    }
  }, 90_000);

  it('a relay that ignores max_tokens with an answer too large to read fails max_tokens_honoured, not "no finish reason"', async () => {
    const m = await startMockProcess(['--ttft', '1', '--itl', '0', '--tokens', '100000', '--ignore-max-tokens']);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'relaymon-conform-huge-'));
      const cfg = join(dir, 'huge.yaml');
      // A small cap (the default is 16 MiB) keeps the test quick; the rule is the same.
      writeFileSync(cfg, `targets:\n  huge:\n    baseUrl: ${m.url}\n    apiKeyEnv: OPENAI_API_KEY\n    maxResponseBytes: 65536\n`);
      const res = await runCli(['conform', '--config', cfg, '--only', 'max_tokens_honoured', '--json'], { env, timeoutMs: 60_000 });
      expect(row(rows(res), 'max_tokens_honoured')).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/response size cap \(.*65536 bytes\) for a limit of 5 tokens$/) } });
      expect(res.code).toBe(1);
      expectNoSecret(res);
    } finally {
      await m.stop();
    }
  }, 60_000);

  it('a relay that ignores max_tokens costs more than the budget: spentUsd over budgetUsd in the JSON, and a line on stderr says so', async () => {
    const m = await startMockProcess(['--ttft', '1', '--itl', '0', '--tokens', '20000', '--ignore-max-tokens']);
    try {
      const args = ['conform', '--base-url', m.url, '--protocol', 'openai', '--only', 'usage_present', '--json'];
      const res = await runCli([...args, '--budget-usd', '0.001'], { env, timeoutMs: 60_000 });
      const json = JSON.parse(res.stdout) as { spentUsd: number; budgetUsd: number | null };
      expect(json.budgetUsd).toBe(0.001);
      expect(json.spentUsd).toBeGreaterThan(0.001);
      expect(res.stderr).toMatch(/conform: spent \$[\d.]+, over the \$0\.001 budget: an answer is charged once it has arrived/);
      // Without a budget, against the worst case said before sending.
      const free = await runCli(args, { env, timeoutMs: 60_000 });
      expect((JSON.parse(free.stdout) as { budgetUsd: number | null }).budgetUsd).toBeNull();
      expect(free.stderr).toMatch(/conform: spent \$[\d.]+, above the worst case \$[\d.]+ said before sending/);
    } finally {
      await m.stop();
    }
  }, 60_000);
});

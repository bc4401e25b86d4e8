import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { probeJson, expectNoSecret, type ProbeJson } from '../helpers/probe.js';
import { SENTINEL_KEY, spawnCli } from '../helpers/cli.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const tmp = mkdtempSync(join(tmpdir(), 'relaymon-net-'));

function okStream() {
  return startHostile(async (_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    await writeSlowly(res, [sse(openaiChunk({ content: 'OK' })), sse(openaiUsageChunk(5, 1)), 'data: [DONE]\n\n']);
    res.end();
  });
}

function writeConfig(name: string, yaml: string): string {
  const path = join(tmp, name);
  writeFileSync(path, yaml);
  return path;
}

describe('phase timeouts (config timeouts)', () => {
  const config = (url: string) =>
    writeConfig(
      `t-${Math.random().toString(36).slice(2)}.yaml`,
      `targets:\n  slow:\n    baseUrl: ${url}\n    apiKeyEnv: OPENAI_API_KEY\n    timeouts: { connect: 2s, firstToken: 300ms, idle: 300ms, total: 1500ms }\n    maxResponseBytes: 4096\n`,
    );

  it('no token within firstToken → timeout/first_token', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ role: 'assistant', content: '' })), ': ping\n\n', { waitMs: 2000 }]);
      res.end();
    });
    const { json, code } = await probeJson(server.url, ['--config', config(server.url), '-t', 'slow']);
    expect(code).toBe(1);
    const r = json.requests[0]!;
    expect([r.errorType, r.timeoutPhase]).toEqual(['timeout', 'first_token']);
    expect(r.latencyMs).toBeGreaterThanOrEqual(295); // whole-ms timer clock: see the total-timeout test below
    expect(r.latencyMs).toBeLessThan(300 + 200);
  });

  it('a stall after the first token → timeout/idle', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ content: 'a' })), { waitMs: 2000 }]);
      res.end();
    });
    const { json } = await probeJson(server.url, ['--config', config(server.url), '-t', 'slow']);
    const r = json.requests[0]!;
    expect([r.errorType, r.timeoutPhase]).toEqual(['timeout', 'idle']);
  });

  it('a stream that keeps dribbling past total → timeout/total', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < 40 && !res.destroyed; i += 1) {
        res.write(sse(openaiChunk({ content: 'x' })));
        await new Promise((r) => setTimeout(r, 100));
      }
      res.end();
    });
    const { json } = await probeJson(server.url, ['--config', config(server.url), '-t', 'slow']);
    const r = json.requests[0]!;
    expect([r.errorType, r.timeoutPhase]).toEqual(['timeout', 'total']);
    // libuv keeps timer time in whole milliseconds, so a 1500 ms timer can
    // fire up to ~1 ms early as seen by performance.now(); 1499 failed in CI.
    expect(r.latencyMs).toBeGreaterThanOrEqual(1495);
    expect(r.latencyMs).toBeLessThan(2500);
  });

  it('--timeout overrides the total timeout', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < 20 && !res.destroyed; i += 1) {
        res.write(sse(openaiChunk({ content: 'x' })));
        await new Promise((r) => setTimeout(r, 50));
      }
      res.end();
    });
    const { json } = await probeJson(server.url, ['--timeout', '400ms']);
    expect([json.requests[0]!.errorType, json.requests[0]!.timeoutPhase]).toEqual(['timeout', 'total']);
  });

  it('a response over maxResponseBytes → response_too_large', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < 100 && !res.destroyed; i += 1) res.write(sse(openaiChunk({ content: 'y'.repeat(100) })));
      res.end('data: [DONE]\n\n');
    });
    const { json } = await probeJson(server.url, ['--config', config(server.url), '-t', 'slow']);
    expect(json.requests[0]!.errorType).toBe('response_too_large');
  });
});

describe('auth header per protocol and overridable', () => {
  it('apiKeyHeader: api-key sends the raw key there and no Authorization', async () => {
    server = await okStream();
    const cfg = writeConfig('azure.yaml', `targets:\n  azure:\n    baseUrl: ${server.url}\n    apiKeyEnv: AZURE_KEY\n    apiKeyHeader: api-key\n    headers: { X-Gateway-Key: "\${GATEWAY_SECRET}" }\n`);
    const run = await probeJson(server.url, ['--config', cfg, '-t', 'azure'], { AZURE_KEY: SENTINEL_KEY, GATEWAY_SECRET: 'gw-secret-value-42' });
    expect(run.code).toBe(0);
    const h = server.requests[0]!.headers;
    expect(h['api-key']).toBe(SENTINEL_KEY);
    expect(h['authorization']).toBeUndefined();
    expect(h['x-gateway-key']).toBe('gw-secret-value-42');
    expectNoSecret(run, 'gw-secret-value-42');
  });
});

describe('TLS and NODE_EXTRA_CA_CERTS', () => {
  let https: HttpsServer;
  let url = '';
  const certDir = mkdtempSync(join(tmpdir(), 'relaymon-tls-'));
  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=relaymon-test',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const { readFileSync } = await import('node:fs');
    https = createHttpsServer({ key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, SSE_HEADERS);
        res.end(sse(openaiChunk({ content: 'OK' })) + sse(openaiUsageChunk(4, 1)) + 'data: [DONE]\n\n');
      });
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => https.close(() => r())));

  it('an untrusted certificate is a tls error and unreachable (exit 3)', async () => {
    const { json, code } = await probeJson(url);
    expect(code).toBe(3);
    expect(json.requests[0]!.errorType).toBe('tls');
  });

  it('trusted through NODE_EXTRA_CA_CERTS', async () => {
    const { json, code } = await probeJson(url, [], { NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem') });
    expect(code).toBe(0);
    expect(json.requests[0]!.ok).toBe(true);
  });
});

describe('HTTP_PROXY / NO_PROXY', () => {
  let proxy: Server;
  let proxyUrl = '';
  let seen: string[] = [];
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    proxy = createHttpServer((req, res) => {
      // A plain forward proxy request (absolute-form URL).
      seen.push(`${req.method} ${req.url}`);
      const up = httpRequest(req.url!, { method: req.method, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      req.pipe(up);
    });
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream).add(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => proxy.close(() => r()));
  });

  it('requests go through HTTP_PROXY', async () => {
    seen = [];
    server = await okStream();
    const { code } = await probeJson(server.url, [], { HTTP_PROXY: proxyUrl });
    expect(code).toBe(0);
    expect(seen.length).toBe(1);
    expect(seen[0]).toContain(`127.0.0.1:${server.port}`);
  });

  it('NO_PROXY bypasses the proxy', async () => {
    seen = [];
    server = await okStream();
    const { code } = await probeJson(server.url, [], { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
    expect(code).toBe(0);
    expect(seen).toEqual([]);
  });
});

describe('interrupt', () => {
  /** Starts `server` as a relay that opens a stream and then says nothing: its URL, and a promise that a request arrived. */
  async function stalledStream(): Promise<{ url: string; requestArrived: Promise<void> }> {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((r) => (arrived = r));
    server = await startHostile(async (_req, res) => {
      arrived();
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ role: 'assistant', content: '' })), { waitMs: 10_000 }]);
      res.end();
    });
    return { url: server.url, requestArrived };
  }

  /** probe with `args` against a stream that stalls, interrupted once its request arrived: exit 130, no key shown. */
  async function interruptedProbe(args: string[]): Promise<{ stdout: string }> {
    const { url, requestArrived } = await stalledStream();
    const { child, exited } = spawnCli(['probe', '--base-url', url, ...args], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    await requestArrived;
    child.kill('SIGINT');
    const res = await exited;
    expect(res.code).toBe(130);
    expectNoSecret(res);
    return res;
  }

  it('Ctrl-C mid-request cancels it, still prints the result, exits 130', async () => {
    const json = JSON.parse((await interruptedProbe(['--json'])).stdout) as ProbeJson;
    expect(json.requests[0]!.errorType).toBe('cancelled');
  });
  it('a cancelled request says in the text output what cut it, not the word twice', async () => {
    const { stdout } = await interruptedProbe([]);
    expect(stdout).toContain('✗ cancelled: the run stopped before its answer ended');
    expect(stdout).not.toContain('cancelled: cancelled');
  });
  it('an interrupted probe -n 3 says how many of its requests were never sent', async () => {
    const { stdout } = await interruptedProbe(['-n', '3']);
    expect(stdout).toContain('✗ cancelled');
    expect(stdout).toContain('(interrupted: 2 of 3 requests not sent)');
  });
  // GNU `timeout -s INT` signals relaymon and then its process group: one interrupt, delivered twice.
  it('the same interrupt delivered twice at once is one Ctrl-C: the output is still printed', async () => {
    const { url, requestArrived } = await stalledStream();
    const { child, exited } = spawnCli(['probe', '--base-url', url, '-n', '5', '--json'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    await requestArrived;
    // The second arrives once the first was handled (two signals sent back to back would merge into one).
    const firstHandled = new Promise<void>((r) => child.stderr.on('data', (d: string) => d.includes('stopping') && r()));
    child.kill('SIGINT');
    await firstHandled;
    child.kill('SIGINT');
    const res = await exited;
    expect(res.code).toBe(130);
    expectNoSecret(res);
    const json = JSON.parse(res.stdout) as ProbeJson;
    expect(json.requests[0]!.errorType).toBe('cancelled');
  });
});

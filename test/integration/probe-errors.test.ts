import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { probeJson } from '../helpers/probe.js';
import { SENTINEL_KEY } from '../helpers/cli.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function jsonError(status: number, body: unknown, headers: Record<string, string> = {}) {
  return startHostile((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
}

describe('HTTP errors map to the closed errorType set', () => {
  const cases: { name: string; status: number; body: unknown; headers?: Record<string, string>; errorType: string }[] = [
    { name: '401', status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, errorType: 'auth' },
    { name: '403', status: 403, body: { error: { message: 'forbidden' } }, errorType: 'auth' },
    { name: '404', status: 404, body: { error: { message: 'The model does not exist' } }, errorType: 'not_found' },
    { name: '400', status: 400, body: { error: { message: 'max_tokens is too large' } }, errorType: 'bad_request' },
    { name: '402', status: 402, body: { error: { message: 'Insufficient balance' } }, errorType: 'quota_exceeded' },
    { name: '429 quota', status: 429, body: { error: { message: 'You exceeded your current quota', type: 'insufficient_quota' } }, errorType: 'quota_exceeded' },
    { name: '500', status: 500, body: { error: { message: 'internal' } }, errorType: 'server_error' },
    { name: '529', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, errorType: 'overloaded' },
    { name: '503 overloaded', status: 503, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, errorType: 'overloaded' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.errorType}, exit 1`, async () => {
      server = await jsonError(c.status, c.body, c.headers);
      const { json, code } = await probeJson(server.url);
      expect(code).toBe(1);
      const r = json.requests[0]!;
      expect(r.ok).toBe(false);
      expect(r.httpStatus).toBe(c.status);
      expect(r.errorType).toBe(c.errorType);
      expect(r.errorMessage).toContain(String(c.status));
    });
  }

  it('429 rate limit honours retry-after-ms', async () => {
    server = await jsonError(429, { error: { message: 'Rate limit reached for requests', code: 'rate_limit_exceeded' } }, { 'retry-after-ms': '1500', 'retry-after': '2' });
    const { json, code } = await probeJson(server.url);
    expect(code).toBe(1);
    const r = json.requests[0]!;
    expect(r.errorType).toBe('rate_limited');
    expect(json.summary.errorTypes).toEqual({ rate_limited: 1 });
  });

  it('an error body that echoes the key does not leak it', async () => {
    server = await startHostile((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${String(req.headers['authorization'])}` } }));
    });
    const run = await probeJson(server.url);
    expect(server.requests[0]!.headers['authorization']).toBe(`Bearer ${SENTINEL_KEY}`);
    expect(run.json.requests[0]!.errorType).toBe('auth');
    expect(run.json.requests[0]!.errorMessage).toContain('[REDACTED]');
  });
});

describe('failures inside a 200', () => {
  it('data: {"error": …} inside a stream is stream_error', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ content: 'Hi' })), sse({ error: { message: 'upstream failed', type: 'server_error' } })]);
      res.end();
    });
    const { json, code } = await probeJson(server.url);
    expect(code).toBe(1);
    expect(json.requests[0]!.errorType).toBe('stream_error');
    expect(json.requests[0]!.errorMessage).toContain('upstream failed');
  });

  it('event: error with overloaded_error is overloaded', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [
        sse({ type: 'message_start', message: { id: 'msg_2', model: 'claude-sonnet-4-5', usage: { input_tokens: 3 } } }, 'message_start'),
        sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
      ]);
      res.end();
    });
    const { json } = await probeJson(server.url, ['--protocol', 'anthropic', '--model', 'claude-sonnet-4-5']);
    expect(json.requests[0]!.errorType).toBe('overloaded');
  });

  it('a stream that ends without its terminator is stream_truncated', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ content: 'Hel' })), sse(openaiChunk({ content: 'lo' }))]);
      res.end();
    });
    const { json, code } = await probeJson(server.url);
    expect(code).toBe(1);
    expect(json.requests[0]!.errorType).toBe('stream_truncated');
  });

  it('a stream with its terminator and nothing before it is bad_response, not an instant answer', async () => {
    const bodies: Record<string, string> = {
      openai: 'data: [DONE]\n\n',
      anthropic: 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-haiku-4-5","usage":{"input_tokens":5,"output_tokens":0}}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    };
    for (const [protocol, body] of Object.entries(bodies)) {
      server = await startHostile((_req, res) => {
        res.writeHead(200, SSE_HEADERS);
        res.end(body);
      });
      const { json, code } = await probeJson(server.url, ['--protocol', protocol]);
      expect(code).toBe(1);
      expect(json.requests[0]).toMatchObject({ ok: false, httpStatus: 200, errorType: 'bad_response' });
      expect(json.requests[0]!.errorMessage).toContain('no answer');
      await server.close();
      server = null;
    }
  });

  it('an HTML page with status 200 is bad_response (streaming and not)', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>');
    });
    for (const mode of ['--stream', '--no-stream']) {
      const { json } = await probeJson(server.url, [mode]);
      expect(json.requests[0]!.errorType).toBe('bad_response');
    }
  });

  it('invalid JSON with status 200 is bad_response', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [');
    });
    const { json } = await probeJson(server.url, ['--no-stream']);
    expect(json.requests[0]!.errorType).toBe('bad_response');
  });

  it('invalid JSON inside a stream is bad_response', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, ['data: {not json\n\n', 'data: [DONE]\n\n']);
      res.end();
    });
    const { json } = await probeJson(server.url);
    expect(json.requests[0]!.errorType).toBe('bad_response');
  });
});

describe('network failures', () => {
  it('connection refused → connection_refused, exit 3 (unreachable)', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { json, code } = await probeJson(`http://127.0.0.1:${port}/v1`, ['-n', '2']);
    expect(code).toBe(3);
    expect(json.requests.map((r) => r.errorType)).toEqual(['connection_refused', 'connection_refused']);
    expect(json.requests[0]!.httpStatus).toBeNull();
  });

  it('a socket reset mid-stream is connection_reset', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [sse(openaiChunk({ content: 'Hel' })), { waitMs: 50 }]);
      res.socket?.destroy();
    });
    const { json, code } = await probeJson(server.url);
    expect(code).toBe(1);
    expect(json.requests[0]!.errorType).toBe('connection_reset');
  });
});

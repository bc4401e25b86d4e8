/**
 * Issue 11 item 7: the wire is read as clients read it. Real loopback servers
 * answering gzip/deflate/br bodies and streams, and error objects in a 200.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { OPENAI_COMPLETION_OK, openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { probeJson } from '../helpers/probe.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const COMPLETION = OPENAI_COMPLETION_OK;

describe('content-encoding', () => {
  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['deflate', (b: Buffer) => deflateSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b)],
  ] as const)('a %s-encoded JSON body is decoded and read', async (encoding, encode) => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(encode(Buffer.from(JSON.stringify(COMPLETION))));
    });
    const { json, code } = await probeJson(server.url, ['--no-stream', '-n', '1']);
    const r = json.requests[0]!;
    expect(r.errorType ?? null).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.outputTokens).toBe(1);
    expect(code).toBe(0);
  });

  it('a gzip-encoded SSE stream is decoded event by event, with its time to first token before the end', async () => {
    server = await startHostile(async (_req, res) => {
      res.writeHead(200, { ...SSE_HEADERS, 'content-encoding': 'gzip' });
      const gz = createGzip();
      gz.pipe(res);
      const flushed = (): Promise<void> => new Promise((resolve) => gz.flush(() => resolve()));
      gz.write(sse(openaiChunk({ role: 'assistant', content: 'Hel' })));
      await flushed();
      await new Promise((r) => setTimeout(r, 400));
      gz.write(sse(openaiChunk({ content: 'lo' })));
      gz.write(sse(openaiUsageChunk(9, 2)));
      gz.write('data: [DONE]\n\n');
      gz.end();
    });
    const { json, code } = await probeJson(server.url, ['--stream', '-n', '1']);
    const r = json.requests[0]!;
    expect(r.errorType ?? null).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.outputTokens).toBe(2);
    // The first token was flushed 400 ms before the rest: it was read as it came, not when the body ended.
    expect(r.ttftMs!).toBeLessThan(r.latencyMs - 300);
    expect(code).toBe(0);
  });

  it('a gzip-encoded error body is decoded and read for its type', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.from(JSON.stringify({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota' } }))));
    });
    const { json } = await probeJson(server.url, ['--no-stream', '-n', '1']);
    const r = json.requests[0]!;
    expect(r.errorType).toBe('quota_exceeded');
    expect(r.errorMessage).toContain('You exceeded your current quota');
  });

  it('a body that claims gzip but is not is a bad_response that says so', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(JSON.stringify(COMPLETION));
    });
    const { json, code } = await probeJson(server.url, ['--no-stream', '-n', '1']);
    const r = json.requests[0]!;
    expect(r.errorType).toBe('bad_response');
    expect(r.errorMessage).toMatch(/could not decode the gzip-encoded body/);
    expect(code).toBe(1);
  });
});

describe('an error object in a 200 body', () => {
  it.each([
    [{ error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'quota_exceeded'],
    [{ type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } }, 'rate_limited'],
    [{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded'],
    [{ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, 'auth'],
  ])('%o is classified by its type as %s', async (body, errorType) => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    const { json, code } = await probeJson(server.url, ['--no-stream', '-n', '1']);
    const r = json.requests[0]!;
    expect(r.ok).toBe(false);
    expect(r.httpStatus).toBe(200);
    expect(r.errorType).toBe(errorType);
    expect(code).toBe(1);
  });
});

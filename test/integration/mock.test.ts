import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerMock, runMock } from '../../src/cli/mock.js';
import { UsageError } from '../../src/core/errors.js';
import type { MockOptions } from '../../src/mock/options.js';
import { startMock, type MockServer } from '../../src/mock/server.js';

const agent = new Agent({ keepAliveTimeout: 1000 });
afterAll(() => agent.close());

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function mock(o: Partial<MockOptions> = {}): Promise<MockServer> {
  const s = await startMock({ ttftMs: 30, itlMs: 2, tokens: 5, ...o });
  servers.push(s);
  return s;
}

interface SseFrame {
  t: number;
  event: string | null;
  data: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  frames: SseFrame[];
  /** ms after the request was sent, of each body chunk's arrival */
  error: Error | null;
  t0: number;
  tEnd: number;
}

const OPENAI_BODY = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello to the mock relay' }] };
const ANTHROPIC_BODY = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi there' }] };

async function call(
  s: MockServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  method: 'POST' | 'GET' = 'POST',
): Promise<Answer> {
  const t0 = performance.now();
  const res = await request(`${s.url}${path}`, {
    method,
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? JSON.stringify(body) : null,
  });
  const frames: SseFrame[] = [];
  let text = '';
  let pending = '';
  let error: Error | null = null;
  try {
    for await (const chunk of res.body) {
      const t = performance.now() - t0;
      const s = (chunk as Buffer).toString('utf8');
      text += s;
      pending += s;
      let cut: number;
      while ((cut = pending.indexOf('\n\n')) !== -1) {
        const block = pending.slice(0, cut);
        pending = pending.slice(cut + 2);
        const lines = block.split('\n');
        const ev = lines.find((l) => l.startsWith('event: '));
        const data = lines.find((l) => l.startsWith('data: '));
        frames.push({ t, event: ev ? ev.slice(7) : null, data: data ? data.slice(6) : '' });
      }
    }
  } catch (err) {
    error = err as Error;
  }
  return { status: res.statusCode, headers: res.headers, text, frames, error, t0, tEnd: performance.now() - t0 };
}

/** The fields these tests read from either protocol's events; all optional since shapes differ. */
interface EventJson {
  model?: string;
  system_fingerprint?: string;
  choices?: Array<{ delta?: { role?: string; content?: string }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; output_tokens?: number };
  message?: { model: string; usage: { input_tokens: number } };
  delta?: { stop_reason?: string };
  error?: { type: string };
}
const json = (f: SseFrame): EventJson => JSON.parse(f.data) as EventJson;
const contentFrames = (a: Answer): SseFrame[] =>
  a.frames.filter((f) => f.data.startsWith('{') && json(f).choices?.[0]?.delta?.content);

describe('OpenAI chat completions', () => {
  it('streams a role-only delta, one token per chunk, finish, usage with choices [] and [DONE]', async () => {
    const s = await mock({ tokens: 6 });
    const a = await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true, stream_options: { include_usage: true } });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(a.headers['x-request-id']).toMatch(/^req_/);
    expect(Number(a.headers['x-ratelimit-remaining-requests'])).toBeGreaterThan(0);
    const first = json(a.frames[0]!);
    expect(first.choices![0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(first.system_fingerprint).toBe('fp_mock');
    expect(first.model).toBe('gpt-4o');
    expect(contentFrames(a)).toHaveLength(6);
    expect(contentFrames(a).map((f) => json(f).choices![0]!.delta!.content).join('')).toBe('The quick brown fox jumps over');
    const n = a.frames.length;
    expect(json(a.frames[n - 3]!).choices![0]!.finish_reason).toBe('stop');
    const usage = json(a.frames[n - 2]!);
    expect(usage.choices).toEqual([]);
    // As relaymon counts it: 3 + "user" + 6 text tokens + 3 reply priming (an honest bill)
    expect(usage.usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 6, total_tokens: 19 });
    expect(a.frames[n - 1]!.data).toBe('[DONE]');
    expect(n).toBe(1 + 6 + 3);
  });

  it('sends no usage chunk unless include_usage is asked for', async () => {
    const s = await mock();
    const a = await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true });
    expect(a.frames.some((f) => f.data.includes('"usage"'))).toBe(false);
    expect(a.frames.at(-1)!.data).toBe('[DONE]');
  });

  it('answers non-streaming requests with one JSON after ttft + (tokens-1)*itl', async () => {
    const s = await mock({ ttftMs: 60, itlMs: 10, tokens: 4 });
    const a = await call(s, '/chat/completions', OPENAI_BODY);
    expect(a.status).toBe(200);
    const body = JSON.parse(a.text);
    expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-4o', system_fingerprint: 'fp_mock' });
    expect(body.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'The quick brown fox' } });
    expect(body.usage!.completion_tokens).toBe(4);
    expect(a.tEnd).toBeGreaterThanOrEqual(89);
    expect(a.tEnd).toBeLessThan(90 + 40);
  });

  it('stops at the request max_tokens with finish_reason length', async () => {
    const s = await mock({ tokens: 10 });
    const a = await call(s, '/chat/completions', { ...OPENAI_BODY, max_tokens: 3, stream: true, stream_options: { include_usage: true } });
    expect(contentFrames(a)).toHaveLength(3);
    expect(a.frames.some((f) => f.data.includes('"finish_reason":"length"'))).toBe(true);
    expect(json(a.frames.at(-2)!).usage!.completion_tokens).toBe(3);
  });
});

describe('Anthropic messages', () => {
  it('streams events in order with input usage first and cumulative output usage last', async () => {
    const s = await mock({ tokens: 4 });
    const a = await call(s, '/messages', { ...ANTHROPIC_BODY, stream: true }, { 'anthropic-version': '2023-06-01' });
    expect(a.status).toBe(200);
    expect(a.headers['request-id']).toMatch(/^req_/);
    expect(a.frames.map((f) => f.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(json(a.frames[0]!).message!.usage.input_tokens).toBe(9); // 3 + "user" + "hi there" + 3
    expect(json(a.frames[0]!).message!.model).toBe('claude-sonnet-4-5');
    expect(json(a.frames[8]!).usage!.output_tokens).toBe(4);
    expect(json(a.frames[8]!).delta!.stop_reason).toBe('end_turn');
  });

  it('answers non-streaming requests with a message', async () => {
    const s = await mock({ tokens: 3 });
    const a = await call(s, '/messages', { ...ANTHROPIC_BODY, max_tokens: 2 });
    const body = JSON.parse(a.text);
    expect(body).toMatchObject({ type: 'message', stop_reason: 'max_tokens', usage: { input_tokens: 9, output_tokens: 2 } });
    expect(body.content[0].text).toBe('The quick');
  });
});

describe('timing', () => {
  it('delivers the first token at --ttft (never early) and tokens --itl apart, jitter off', async () => {
    const s = await mock({ ttftMs: 120, itlMs: 25, tokens: 5 });
    // Warm the connection and the code paths: the first request of a process pays for both on the client side.
    await call(s, '/chat/completions', OPENAI_BODY);
    for (let i = 0; i < 3; i++) {
      const a = await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true });
      // The role-only delta comes at once; it is not a token.
      expect(a.frames[0]!.t).toBeLessThan(60);
      const tokens = contentFrames(a);
      const ttft = tokens[0]!.t;
      expect(ttft).toBeGreaterThanOrEqual(119);
      expect(ttft).toBeLessThan(120 + 25);
      // Due times are absolute from the request's arrival, so lateness does not add up.
      expect(tokens.at(-1)!.t).toBeLessThan(120 + 4 * 25 + 60); // 245.4 < 245 failed at load 13
      for (let k = 1; k < tokens.length; k++) expect(tokens[k]!.t).toBeGreaterThanOrEqual(120 + 25 * k - 1);
    }
  });

  it('adds stallMs before the first token for slow-first-token', async () => {
    const s = await mock({ ttftMs: 20, stallMs: 150 });
    const a = await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true }, { 'x-mock-fault': 'slow-first-token' });
    expect(contentFrames(a)[0]!.t).toBeGreaterThanOrEqual(169);
    expect(a.frames.at(-1)!.data).toBe('[DONE]');
  });
});

describe('dishonest relays', () => {
  it('inflates reported usage by the factor on both protocols', async () => {
    const s = await mock({ tokens: 10, inflateUsage: 1.5 });
    const o = await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true, stream_options: { include_usage: true } });
    expect(contentFrames(o)).toHaveLength(10);
    expect(json(o.frames.at(-2)!).usage!.completion_tokens).toBe(15);
    const a = await call(s, '/messages', { ...ANTHROPIC_BODY, stream: true });
    expect(json(a.frames.find((f) => f.event === 'message_delta')!).usage!.output_tokens).toBe(15);
    expect(JSON.parse((await call(s, '/chat/completions', OPENAI_BODY)).text).usage!.completion_tokens).toBe(15);
  });

  it('claims the served model instead of the requested one', async () => {
    const s = await mock({ serveModel: 'gpt-4o-mini' });
    const o = await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true });
    expect(o.frames.filter((f) => f.data.startsWith('{')).every((f) => json(f).model === 'gpt-4o-mini')).toBe(true);
    const a = await call(s, '/messages', ANTHROPIC_BODY);
    expect(JSON.parse(a.text).model).toBe('gpt-4o-mini');
  });
});

describe('x-mock-fault', () => {
  const stream = { ...OPENAI_BODY, stream: true, stream_options: { include_usage: true } };

  it('stall pauses mid-stream for stallMs and still finishes', async () => {
    const s = await mock({ tokens: 4, itlMs: 5, stallMs: 150 });
    const a = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'stall' });
    const t = contentFrames(a).map((f) => f.t);
    expect(t).toHaveLength(4);
    // Token 2 is due at ttft 30 + 2 gaps of 5 + the 150 ms stall, measured from the send: never earlier.
    expect(t[2]!).toBeGreaterThanOrEqual(189);
    expect(t[1]!).toBeLessThan(100);
    expect(a.frames.at(-1)!.data).toBe('[DONE]');
    expect(s.stats().byOutcome.stall).toBe(1);
  });

  it('reset drops the connection mid-stream', async () => {
    const s = await mock({ tokens: 6, itlMs: 20 });
    const a = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'reset' });
    expect(a.status).toBe(200);
    expect(a.error).not.toBeNull();
    // The mock writes half the tokens (3), then resets. A TCP reset discards what the client has not read yet: when a
    // stalled loop (this process runs the mock and the client) writes the last of them in the turn of the reset, the
    // client may never read it. Never more than 3, and the stream had begun.
    const n = contentFrames(a).length;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(3);
    expect(a.text).not.toContain('[DONE]');
  });

  it('truncate ends the stream cleanly without a terminator', async () => {
    const s = await mock({ tokens: 6 });
    const o = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'truncate' });
    expect(o.error).toBeNull();
    expect(contentFrames(o)).toHaveLength(3);
    expect(o.text).not.toContain('[DONE]');
    expect(o.text).not.toContain('finish_reason":"stop');
    const a = await call(s, '/messages', { ...ANTHROPIC_BODY, stream: true }, { 'x-mock-fault': 'truncate' });
    expect(a.error).toBeNull();
    expect(a.frames.map((f) => f.event)).not.toContain('message_stop');
    expect(a.frames.filter((f) => f.event === 'content_block_delta')).toHaveLength(3);
  });

  it('error answers 500 with a server_error body', async () => {
    const s = await mock();
    const a = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'error' });
    expect(a.status).toBe(500);
    expect(JSON.parse(a.text).error.type).toBe('server_error');
  });

  it('overloaded answers 503 on the OpenAI route and 529 on the Anthropic one', async () => {
    const s = await mock();
    const o = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'overloaded' });
    const a = await call(s, '/messages', ANTHROPIC_BODY, { 'x-mock-fault': 'overloaded' });
    expect([o.status, a.status]).toEqual([503, 529]);
    for (const r of [o, a]) expect(JSON.parse(r.text)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('rate-limit answers 429 with retry-after and the OpenAI body', async () => {
    const s = await mock();
    const a = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'rate-limit' });
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('1');
    expect(a.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(JSON.parse(a.text).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
  });

  it('stream-overloaded sends an overloaded_error inside a 200 stream', async () => {
    const s = await mock({ tokens: 4 });
    const o = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'stream-overloaded' });
    expect(o.status).toBe(200);
    expect(json(o.frames.at(-1)!).error!.type).toBe('overloaded_error');
    expect(o.text).not.toContain('[DONE]');
    const a = await call(s, '/messages', { ...ANTHROPIC_BODY, stream: true }, { 'x-mock-fault': 'stream-overloaded' });
    expect(a.frames.at(-1)!.event).toBe('error');
    expect(json(a.frames.at(-1)!).error!.type).toBe('overloaded_error');
  });

  it('html answers an HTML page with status 200', async () => {
    const s = await mock();
    const a = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'html' });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/^text\/html/);
    expect(a.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('refuses an unknown fault with 400 naming the valid ones', async () => {
    const s = await mock();
    const a = await call(s, '/chat/completions', stream, { 'x-mock-fault': 'gremlins' });
    expect(a.status).toBe(400);
    expect(JSON.parse(a.text).error.message).toContain('slow-first-token');
  });
});

describe('routes and status', () => {
  it('--status answers every API request with that status and a real body', async () => {
    const s = await mock({ status: 401 });
    const o = await call(s, '/chat/completions', OPENAI_BODY);
    const a = await call(s, '/messages', { ...ANTHROPIC_BODY, stream: true });
    const m = await call(s, '/models', null, {}, 'GET');
    expect([o.status, a.status, m.status]).toEqual([401, 401, 401]);
    expect(JSON.parse(o.text).error.code).toBe('invalid_api_key');
    expect(JSON.parse(a.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(s.stats().byOutcome.status).toBe(3);
  });

  it('lists models', async () => {
    const s = await mock();
    const a = await call(s, '/models', null, {}, 'GET');
    const body = JSON.parse(a.text);
    expect(body.object).toBe('list');
    expect(body.data.map((m: { id: string }) => m.id)).toContain('claude-haiku-4-5');
    expect(body.data.every((m: { owned_by: string }) => m.owned_by === 'relaymon-mock')).toBe(true);
  });

  it('answers unknown paths and bad bodies with OpenAI-style errors', async () => {
    const s = await mock();
    const nf = await call(s, '/embeddings', {});
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.text).error.code).toBe('unknown_url');
    const bad = await call(s, '/chat/completions', { messages: [] });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.type).toBe('invalid_request_error');
  });

  it('gives every request its own id', async () => {
    const s = await mock({ ttftMs: 0, itlMs: 0 });
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(String((await call(s, '/chat/completions', OPENAI_BODY)).headers['x-request-id']));
    expect(ids.size).toBe(5);
  });
});

describe('stats and lifecycle', () => {
  it('counts requests by route and outcome, on /__relaymon/stats too', async () => {
    const s = await mock({ ttftMs: 0, itlMs: 0 });
    await call(s, '/chat/completions', OPENAI_BODY);
    await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true });
    await call(s, '/messages', ANTHROPIC_BODY, { 'x-mock-fault': 'error' });
    await call(s, '/models', null, {}, 'GET');
    await call(s, '/nowhere', null, {}, 'GET');
    const res = await request(s.url.replace(/\/v1$/, '/__relaymon/stats'), { dispatcher: agent });
    const remote = (await res.body.json()) as Record<string, unknown>;
    expect(remote).toEqual(s.stats());
    expect(remote).toMatchObject({
      requests: 5,
      inFlight: 0,
      clientClosed: 0,
      byRoute: { chat: 2, messages: 1, models: 1, not_found: 1 },
      byOutcome: { ok: 3, server_error: 1, not_found: 1, reset: 0 },
    });
  });

  it('notices a client that goes away and stops its timers', async () => {
    const s = await mock({ ttftMs: 10, itlMs: 50, tokens: 100 });
    const controller = new AbortController();
    const res = await request(`${s.url}/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      body: JSON.stringify({ ...OPENAI_BODY, stream: true }),
      signal: controller.signal,
    });
    expect(res.statusCode).toBe(200);
    controller.abort();
    await res.body.text().catch(() => undefined);
    for (let i = 0; i < 50 && s.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.stats()).toMatchObject({ inFlight: 0, clientClosed: 1 });
  });

  it('close() resolves promptly with streams in flight', async () => {
    const s = await startMock({ ttftMs: 10_000, tokens: 3 });
    const pending = call(s, '/chat/completions', { ...OPENAI_BODY, stream: true });
    for (let i = 0; i < 50 && s.stats().inFlight === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(s.stats().inFlight).toBe(1);
    const t = performance.now();
    await s.close();
    expect(performance.now() - t).toBeLessThan(1000);
    const a = await pending;
    expect(a.error).not.toBeNull();
    await s.close();
  });

  it('replays the same faults for the same seed', async () => {
    const outcomes = async (seed: number): Promise<Record<string, number>> => {
      const s = await mock({ ttftMs: 0, itlMs: 0, errorRate: 0.3, truncateRate: 0.3, seed });
      for (let i = 0; i < 30; i++) await call(s, '/chat/completions', { ...OPENAI_BODY, stream: true });
      return s.stats().byOutcome;
    };
    const a = await outcomes(5);
    expect(await outcomes(5)).toEqual(a);
    expect(a.ok! + a.server_error! + a.truncate!).toBe(30);
    expect(a.server_error).toBeGreaterThan(0);
    expect(a.truncate).toBeGreaterThan(0);
  });
});

describe('relaymon mock command', () => {
  it('runMock prints the listening line, serves, and stops on abort', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    const done = runMock(
      { tokens: 2, ttftMs: 0, itlMs: 0 },
      { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, signal: controller.signal },
    );
    for (let i = 0; i < 100 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(out[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/v1\n$/);
    expect(err.join('')).toContain('ttft 0ms');
    const url = out[0]!.slice('listening on '.length).trim();
    const res = await request(`${url}/models`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    controller.abort();
    await done;
    await expect(request(`${url}/models`, { dispatcher: new Agent() })).rejects.toThrow();
  });

  it('registerMock runs until SIGTERM and returns', async () => {
    const program = new Command().exitOverride();
    registerMock(program);
    const before = new Set(process.listeners('SIGTERM'));
    const writes: string[] = [];
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      const run = program.parseAsync(['node', 'relaymon', 'mock', '--port', '0', '--ttft', '0', '--tokens', '1']);
      for (let i = 0; i < 100 && !writes.some((w) => w.startsWith('listening on')); i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const line = writes.find((w) => w.startsWith('listening on'));
      expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/v1\n$/);
      const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
      expect(added).toHaveLength(1);
      // Call our own handler rather than signalling the test worker.
      (added[0] as () => void)();
      await run;
      expect(process.listeners('SIGTERM').filter((l) => !before.has(l))).toHaveLength(0);
    } finally {
      process.stdout.write = origOut;
      process.stderr.write = origErr;
    }
  });

  it('registerMock rejects bad values with a UsageError before listening', async () => {
    const program = new Command().exitOverride();
    registerMock(program);
    await expect(program.parseAsync(['node', 'relaymon', 'mock', '--error-rate', '2'])).rejects.toThrow(UsageError);
    const p2 = new Command().exitOverride();
    registerMock(p2);
    await expect(p2.parseAsync(['node', 'relaymon', 'mock', '--scenario', 'flaky', '--error-rate', '1'])).rejects.toThrow(
      /add up to/,
    );
  });

  it('documents the fault header and examples in --help', () => {
    const program = new Command();
    registerMock(program);
    const mockCmd = program.commands.find((c) => c.name() === 'mock')!;
    let help = '';
    mockCmd.configureOutput({ writeOut: (s) => (help += s) });
    mockCmd.outputHelp();
    expect(help).toContain('x-mock-fault');
    expect(help).toContain('slow-first-token');
    expect(help).toContain('Examples:');
    expect(help).toContain('--inflate-usage');
  });
});

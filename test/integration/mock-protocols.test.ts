import { Ajv } from 'ajv';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MockOptions } from '../../src/mock/options.js';
import { startMock, type MockServer } from '../../src/mock/server.js';
import { bodyFor, WEATHER_SCHEMA, type Features } from '../helpers/mock-bodies.js';
import { finalUsage, joinedArgs, PATHS, rawCall, readStream, WIRE_PROTOCOLS, type RawAnswer, type WireProtocol } from '../helpers/raw-sse.js';

const agent = new Agent({ keepAliveTimeout: 1000 });
afterAll(() => agent.close());
const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ITL = 4;
async function mock(o: Partial<MockOptions> = {}): Promise<MockServer> {
  const s = await startMock({ ttftMs: 5, itlMs: ITL, tokens: 5, ...o });
  servers.push(s);
  return s;
}
const call = (s: MockServer, p: WireProtocol, f: Features = {}, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  rawCall(agent, s.url + PATHS[p], bodyFor(p, f), headers);

const validWeather = new Ajv({ strict: false }).compile(WEATHER_SCHEMA);
const FINISH = {
  openai: { stop: 'stop', tool: 'tool_calls', length: 'length' },
  anthropic: { stop: 'end_turn', tool: 'tool_use', length: 'max_tokens' },
  'openai-responses': { stop: 'completed', tool: 'completed', length: 'incomplete' },
} as const;

describe.each(WIRE_PROTOCOLS)('the honest mock over %s', (p) => {
  it('streams text token by token, spread over time, with usage and the terminator', async () => {
    const a = await call(await mock({ itlMs: 40 }), p);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const r = readStream(p, a.frames);
    expect(r.content).toBe('The quick brown fox jumps');
    expect(r.terminated).toBe(true);
    expect(r.finish).toBe(FINISH[p].stop);
    expect(finalUsage(r).output).toBe(5);
    expect(finalUsage(r).input).toBeGreaterThan(0);
    // Written 40 ms apart: only a client stalled for the whole answer could read them in one chunk.
    expect(r.deltaTimes.at(-1)!).toBeGreaterThan(r.deltaTimes[0]!);
    if (p === 'openai-responses') expect(a.text).not.toContain('[DONE]');
  });

  it('calls the tool with schema-valid arguments streamed in fragments under one id and index', async () => {
    const r = readStream(p, (await call(await mock(), p, { tools: true })).frames);
    expect(r.calls.length).toBeGreaterThan(5);
    expect(r.calls[0]!.name).toBe('get_weather');
    expect(r.calls[0]!.id).toMatch(/^(call_|toolu_|fc_)/);
    if (p !== 'openai') expect(new Set(r.calls.map((c) => c.id)).size).toBe(1);
    else expect(r.calls.slice(1).every((c) => c.id === null)).toBe(true);
    expect(new Set(r.calls.map((c) => c.index)).size).toBe(1);
    const args: unknown = JSON.parse(joinedArgs(r));
    expect(validWeather(args), JSON.stringify(validWeather.errors)).toBe(true);
    expect(r.finish).toBe(FINISH[p].tool);
    expect(r.terminated).toBe(true);
  });

  it('answers structured output with JSON valid against the schema', async () => {
    const r = readStream(p, (await call(await mock(), p, { json: true })).frames);
    const text = p === 'anthropic' ? joinedArgs(r) : r.content;
    expect(validWeather(JSON.parse(text))).toBe(true);
    expect(r.deltaTimes.length).toBeGreaterThan(5);
  });

  it('streams reasoning before the content and reports it', async () => {
    const r = readStream(p, (await call(await mock(), p, { reasoning: true })).frames);
    expect(r.reasoning).toBe('Let me think about what');
    expect(r.content).toBe('The quick brown fox jumps');
    const u = finalUsage(r);
    // Anthropic counts thinking inside output_tokens; the other two also say how much was reasoning.
    expect(u.output).toBe(10);
    if (p !== 'anthropic') expect(u.reasoning).toBe(5);
  });

  it('reports cached tokens when a long prefix comes again', async () => {
    const s = await mock();
    const first = finalUsage(readStream(p, (await call(s, p, { cache: true, question: 'one?' })).frames));
    const second = finalUsage(readStream(p, (await call(s, p, { cache: true, question: 'two?' })).frames));
    if (p === 'anthropic') {
      expect(first.cacheWrite).toBeGreaterThanOrEqual(1024);
      expect(first.cached).toBe(0);
      expect(second.cached).toBe(first.cacheWrite);
      expect(second.cacheWrite).toBe(0);
    } else {
      expect(first.cached).toBe(0);
      expect(second.cached).toBeGreaterThanOrEqual(1024);
      expect(second.cached! % 128).toBe(0);
      expect(second.cached).toBeLessThanOrEqual(second.input!);
    }
  });

  it('honours max tokens with the protocol finish reason', async () => {
    const a = await call(await mock(), p, { max: 3 });
    const r = readStream(p, a.frames);
    expect(r.content).toBe('The quick brown');
    expect(r.finish).toBe(FINISH[p].length);
    expect(finalUsage(r).output).toBe(3);
    if (p === 'openai-responses') expect(a.text).toContain('"incomplete_details":{"reason":"max_output_tokens"}');
  });

  it('answers a non-streamed request with one JSON body', async () => {
    const a = await call(await mock(), p, { stream: false, tools: true });
    const j = JSON.parse(a.text) as Record<string, unknown>;
    expect(a.headers['content-type']).toBe('application/json');
    const args =
      p === 'openai'
        ? (j['choices'] as Array<{ message: { tool_calls: Array<{ function: { arguments: string } }> } }>)[0]!.message.tool_calls[0]!.function.arguments
        : p === 'anthropic'
          ? JSON.stringify((j['content'] as Array<{ input: unknown }>)[0]!.input)
          : (j['output'] as Array<{ type: string; arguments: string }>).find((i) => i.type === 'function_call')!.arguments;
    expect(validWeather(JSON.parse(args))).toBe(true);
  });

  it('refuses malformed bodies with 400 and the protocol JSON error', async () => {
    const s = await mock();
    const good = bodyFor(p, {});
    const limitKey = p === 'openai' ? 'max_tokens' : p === 'anthropic' ? 'max_tokens' : 'max_output_tokens';
    const bad = [
      { ...good, model: undefined },
      p === 'openai-responses' ? { ...good, input: 42 } : { ...good, messages: 'hello' },
      { ...good, [limitKey]: 0 },
      'not json',
    ];
    for (const body of bad) {
      const a = await rawCall(agent, s.url + PATHS[p], body);
      expect(a.status).toBe(400);
      expect(a.headers['content-type']).toBe('application/json');
      const j = JSON.parse(a.text) as { type?: string; error: { type: string; message: string; code?: unknown } };
      expect(j.error.message.length).toBeGreaterThan(0);
      if (p === 'anthropic') expect(j).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      else expect(j.error).toMatchObject({ type: 'invalid_request_error', code: null });
    }
  });

  it('fails the stream mid-way when conform asks, and says it did', async () => {
    const a = await call(await mock(), p, {}, { 'x-relaymon-conform': 'stream-error' });
    expect(a.headers['x-relaymon-mock-injected']).toBe('stream-error');
    const r = readStream(p, a.frames);
    expect(r.errored).toBe(true);
    expect(r.terminated).toBe(false);
    expect(r.content).toBe('The quick');
    const plain = await call(await mock(), p, { stream: false }, { 'x-relaymon-conform': 'stream-error' });
    expect(plain.status).toBe(200);
    expect(plain.headers['x-relaymon-mock-injected']).toBeUndefined();
  });
});

describe('the Responses API route', () => {
  it('answers on /responses without /v1 and keeps GET /v1/models', async () => {
    const s = await mock();
    const a = await rawCall(agent, s.url.replace(/\/v1$/, '/responses'), bodyFor('openai-responses', {}));
    expect(readStream('openai-responses', a.frames).content).toBe('The quick brown fox jumps');
    expect(s.stats().byRoute.responses).toBe(1);
    const models = await request(`${s.url}/models`, { dispatcher: agent });
    expect(models.statusCode).toBe(200);
    expect(((await models.body.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it('applies --serve-model, --drop-usage, --inflate-usage and the fault header as on the other routes', async () => {
    const s = await mock({ serveModel: 'gpt-4o-mini', inflateUsage: 2 });
    const a = await call(s, 'openai-responses');
    expect(JSON.parse(a.frames[0]!.data).response.model).toBe('gpt-4o-mini');
    expect(finalUsage(readStream('openai-responses', a.frames)).output).toBe(10);
    const dropped = readStream('openai-responses', (await call(await mock({ dropUsageRate: 1 }), 'openai-responses')).frames);
    expect(dropped.terminated).toBe(true);
    expect(dropped.usages).toEqual([]);
    const cut = await call(await mock(), 'openai-responses', {}, { 'x-mock-fault': 'truncate' });
    expect(readStream('openai-responses', cut.frames).terminated).toBe(false);
    const busy = await call(await mock(), 'openai-responses', {}, { 'x-mock-fault': 'overloaded' });
    expect(busy.status).toBe(503);
  });
});

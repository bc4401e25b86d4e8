import { Agent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MockOptions } from '../../src/mock/options.js';
import { startMock, type MockServer } from '../../src/mock/server.js';
import { bodyFor, type Features } from '../helpers/mock-bodies.js';
import { finalUsage, joinedArgs, PATHS, rawCall, readStream, WIRE_PROTOCOLS, type RawAnswer, type StreamReading, type WireProtocol } from '../helpers/raw-sse.js';

const agent = new Agent({ keepAliveTimeout: 1000 });
afterAll(() => agent.close());
const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function mock(o: Partial<MockOptions>): Promise<MockServer> {
  const s = await startMock({ ttftMs: 5, itlMs: 2, tokens: 5, ...o });
  servers.push(s);
  return s;
}
const call = (s: MockServer, p: WireProtocol, f: Features = {}, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  rawCall(agent, s.url + PATHS[p], bodyFor(p, f), headers);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Index of the last event named `name` in a reading's order. */
const last = (r: StreamReading, name: string): number => r.order.lastIndexOf(name);

interface KnobCase {
  name: string;
  knob: Partial<MockOptions>;
  /** Asserts the fault on the knob's server and its absence on an honest one. */
  check(p: WireProtocol, faulty: MockServer, honest: MockServer): Promise<void>;
}

const CASES: KnobCase[] = [
  {
    name: '--decreasing-usage',
    knob: { decreasingUsage: true },
    async check(p, faulty, honest) {
      const outputs = async (s: MockServer): Promise<number[]> =>
        readStream(p, (await call(s, p)).frames)
          .usages.map((u) => u.output)
          .filter((n): n is number => n !== null);
      const decreases = (counts: number[]): boolean => counts.some((n, i) => i > 0 && n < Math.max(...counts.slice(0, i)));
      const bad = await outputs(faulty);
      expect(decreases(bad)).toBe(true);
      expect(bad.at(-1)).toBe(5);
      expect(decreases(await outputs(honest))).toBe(false);
    },
  },
  {
    name: '--omit-terminator',
    knob: { omitTerminator: true },
    async check(p, faulty, honest) {
      const bad = readStream(p, (await call(faulty, p)).frames);
      expect(bad.terminated).toBe(false);
      expect(bad.content).toBe('The quick brown fox jumps');
      // Chat Completions and Anthropic still carry usage; Responses' usage rides on the terminator.
      if (p !== 'openai-responses') expect(finalUsage(bad).output).toBe(5);
      expect(readStream(p, (await call(honest, p)).frames).terminated).toBe(true);
    },
  },
  {
    name: '--misorder-events',
    knob: { misorderEvents: true },
    async check(p, faulty, honest) {
      for (const [s, misordered] of [
        [faulty, true],
        [honest, false],
      ] as const) {
        const r = readStream(p, (await call(s, p)).frames);
        expect(r.content).toBe('The quick brown fox jumps');
        const [delta, close] =
          p === 'openai'
            ? ['content', 'done']
            : p === 'anthropic'
              ? ['content_block_delta', 'content_block_stop']
              : ['response.output_text.delta', 'response.output_item.done'];
        expect(last(r, delta) > last(r, close)).toBe(misordered);
      }
    },
  },
  {
    name: '--swallow-stream-errors',
    knob: { swallowStreamErrors: true },
    async check(p, faulty, honest) {
      const a = await call(faulty, p, {}, { 'x-relaymon-conform': 'stream-error' });
      expect(a.headers['x-relaymon-mock-injected']).toBe('stream-error');
      const bad = readStream(p, a.frames);
      expect(bad.errored).toBe(false);
      expect(bad.terminated).toBe(true);
      expect(bad.content).toBe('The quick');
      expect(readStream(p, (await call(honest, p, {}, { 'x-relaymon-conform': 'stream-error' })).frames).errored).toBe(true);
    },
  },
  {
    name: '--ignore-max-tokens',
    knob: { ignoreMaxTokens: true },
    async check(p, faulty, honest) {
      const bad = readStream(p, (await call(faulty, p, { max: 3 })).frames);
      expect(finalUsage(bad).output).toBe(5);
      expect(bad.finish).toBe(p === 'openai' ? 'stop' : p === 'anthropic' ? 'end_turn' : 'completed');
      expect(finalUsage(readStream(p, (await call(honest, p, { max: 3 })).frames)).output).toBe(3);
    },
  },
  {
    name: '--mangle-tool-calls id',
    knob: { mangleToolCalls: 'id' },
    async check(p, faulty, honest) {
      const bad = readStream(p, (await call(faulty, p, { tools: true })).frames);
      if (p === 'anthropic') expect(bad.calls[0]!.id).toBe('');
      else expect(new Set(bad.calls.map((c) => c.id).filter((id) => id !== null)).size).toBeGreaterThan(1);
      expect(parses(joinedArgs(bad))).toBe(true);
      const good = readStream(p, (await call(honest, p, { tools: true })).frames);
      expect(new Set(good.calls.map((c) => c.id).filter((id) => id !== null)).size).toBe(1);
    },
  },
  {
    name: '--mangle-tool-calls index',
    knob: { mangleToolCalls: 'index' },
    async check(p, faulty, honest) {
      expect(new Set(readStream(p, (await call(faulty, p, { tools: true })).frames).calls.map((c) => c.index)).size).toBe(2);
      expect(new Set(readStream(p, (await call(honest, p, { tools: true })).frames).calls.map((c) => c.index)).size).toBe(1);
      // Anthropic's forced tool is structured output: this knob leaves it whole.
      if (p === 'anthropic') {
        const json = readStream(p, (await call(faulty, p, { json: true })).frames);
        expect(new Set(json.calls.map((c) => c.index)).size).toBe(1);
        expect(json.calls[0]!.id).toMatch(/^toolu_/);
      }
    },
  },
  {
    name: '--mangle-tool-calls args',
    knob: { mangleToolCalls: 'args' },
    async check(p, faulty, honest) {
      expect(parses(joinedArgs(readStream(p, (await call(faulty, p, { tools: true })).frames)))).toBe(false);
      expect(parses(joinedArgs(readStream(p, (await call(honest, p, { tools: true })).frames)))).toBe(true);
      // Structured output is not a tool call's business: it stays valid (Anthropic's forced tool included).
      const json = readStream(p, (await call(faulty, p, { json: true })).frames);
      expect(parses(p === 'anthropic' ? joinedArgs(json) : json.content)).toBe(true);
      if (p === 'anthropic') expect(new Set(json.calls.map((c) => c.index)).size).toBe(1);
    },
  },
  {
    name: '--invalid-json-output',
    knob: { invalidJsonOutput: true },
    async check(p, faulty, honest) {
      const text = (r: StreamReading): string => (p === 'anthropic' ? joinedArgs(r) : r.content);
      const bad = text(readStream(p, (await call(faulty, p, { json: true })).frames));
      expect(bad.startsWith('```json')).toBe(true);
      expect(parses(bad)).toBe(false);
      expect(parses(text(readStream(p, (await call(honest, p, { json: true })).frames)))).toBe(true);
      // Plain tool calls are left alone.
      expect(parses(joinedArgs(readStream(p, (await call(faulty, p, { tools: true })).frames)))).toBe(true);
    },
  },
  {
    name: '--no-cache-report',
    knob: { noCacheReport: true },
    async check(p, faulty, honest) {
      for (const [s, reported] of [
        [faulty, false],
        [honest, true],
      ] as const) {
        await call(s, p, { cache: true, question: 'one?' });
        const u = finalUsage(readStream(p, (await call(s, p, { cache: true, question: 'two?' })).frames));
        expect((u.cached ?? 0) > 0).toBe(reported);
      }
    },
  },
  {
    name: '--drop-reasoning',
    knob: { dropReasoning: true },
    async check(p, faulty, honest) {
      const bad = readStream(p, (await call(faulty, p, { reasoning: true })).frames);
      expect(bad.reasoning).toBe('');
      expect(bad.content).toBe('The quick brown fox jumps');
      if (p !== 'anthropic') expect(finalUsage(bad).reasoning).toBe(0);
      expect(readStream(p, (await call(honest, p, { reasoning: true })).frames).reasoning.length).toBeGreaterThan(0);
    },
  },
  {
    name: '--html-errors',
    knob: { htmlErrors: true },
    async check(p, faulty, honest) {
      const bad = await rawCall(agent, faulty.url + PATHS[p], { ...bodyFor(p), model: '' });
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(bad.text).toContain('<title>400 Bad Request</title>');
      const err = await call(faulty, p, {}, { 'x-mock-fault': 'error' });
      expect(err.status).toBe(500);
      expect(err.text.startsWith('<!DOCTYPE html>')).toBe(true);
      const good = await rawCall(agent, honest.url + PATHS[p], { ...bodyFor(p), model: '' });
      expect(good.headers['content-type']).toBe('application/json');
    },
  },
];

describe.each(WIRE_PROTOCOLS)('misbehaviour knobs over %s', (p) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s shows in the raw stream, and not without it', async (_name, c) => {
    await c.check(p, await mock(c.knob), await mock({}));
  });

  it('--buffer-stream sends nothing until the whole answer is ready, then all of it', async () => {
    const ttft = 10;
    const itl = 15;
    const bad = await call(await mock({ ttftMs: ttft, itlMs: itl, bufferStream: true }), p);
    // The last token is due at ttft + 4 itl; a buffered first byte cannot come sooner (each of the five timers may fire ~1 ms early).
    expect(bad.frames[0]!.t).toBeGreaterThanOrEqual(ttft + 4 * itl - 5);
    const r = readStream(p, bad.frames);
    expect(r.content).toBe('The quick brown fox jumps');
    expect(r.terminated).toBe(true);
  });
});

/**
 * The adapters' requests for tools, structured output, reasoning and prompt
 * caching, and their decoders' tool_call / finish / usage events, against
 * `relaymon mock` (which writes each wire itself, src/mock/): both sides of
 * issue 13's wire formats agree, for all three protocols, streamed and not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOLS, type Protocol } from '../../src/core/result.js';
import { adapterFor } from '../../src/protocol/index.js';
import { createSseFramer, decodeFramed } from '../../src/protocol/sse.js';
import type { RequestSpec, ToolDef, WireEvent } from '../../src/protocol/adapter.js';
import { startMockProcess, type MockProcess } from '../helpers/cli.js';

let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '12', '--no-jitter']);
});
afterAll(() => mock.stop());

const WEATHER: ToolDef = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};
const SCHEMA = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
const MODEL: Record<Protocol, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-5', 'openai-responses': 'gpt-5-mini' };

/** POST the adapter's body and decode the answer with the adapter, as the client does. */
async function send(protocol: Protocol, over: Partial<RequestSpec>): Promise<WireEvent[]> {
  const adapter = adapterFor(protocol);
  const spec: RequestSpec = { model: MODEL[protocol], messages: [{ role: 'user', content: 'What is the weather in Huế?' }], maxTokens: 64, stream: true, ...over };
  const res = await fetch(`${mock.url}${adapter.chatPath}`, { method: 'POST', headers: adapter.headers('sk-mock', protocol === 'anthropic' ? 'x-api-key' : 'authorization'), body: JSON.stringify(adapter.buildBody(spec)) });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  if (!spec.stream) return adapter.decodeBody(JSON.parse(text));
  const decoder = adapter.newStreamDecoder();
  const out: WireEvent[] = [];
  const framer = createSseFramer((ev) => out.push(...decodeFramed(decoder, ev)));
  framer.push(new TextEncoder().encode(text));
  framer.end();
  return out;
}

type ToolCall = Extract<WireEvent, { kind: 'tool_call' }>;

/** Fragments joined per index, with every id and name each call's fragments carried. */
function calls(events: WireEvent[]): Map<number, { ids: string[]; names: string[]; args: string }> {
  const m = new Map<number, { ids: string[]; names: string[]; args: string }>();
  for (const e of events.filter((x): x is ToolCall => x.kind === 'tool_call')) {
    const c = m.get(e.index) ?? { ids: [], names: [], args: '' };
    if (e.id !== undefined) c.ids.push(e.id);
    if (e.name !== undefined) c.names.push(e.name);
    c.args += e.args;
    m.set(e.index, c);
  }
  return m;
}

const finish = (events: WireEvent[]) => events.filter((e) => e.kind === 'finish').map((e) => (e.kind === 'finish' ? e.reason : null));
const content = (events: WireEvent[]) => events.map((e) => (e.kind === 'token' && e.channel === 'content' ? e.text : '')).join('');
const usage = (events: WireEvent[]) => Object.assign({}, ...events.filter((e) => e.kind === 'usage')) as Extract<WireEvent, { kind: 'usage' }>;

describe.each(PROTOCOLS)('%s against relaymon mock', (protocol) => {
  it.each([true, false])('a forced tool call (stream %s): one call, one id, the name, JSON arguments; finish tool_calls', async (stream) => {
    const events = await send(protocol, { tools: [WEATHER], toolChoice: { name: 'get_weather' }, stream });
    const all = [...calls(events).values()];
    expect(all).toHaveLength(1);
    const call = all[0]!;
    expect(new Set(call.ids).size).toBe(1);
    expect(call.names).toEqual(['get_weather']);
    expect(typeof (JSON.parse(call.args) as { city: unknown }).city).toBe('string');
    expect(finish(events)).toEqual(['tool_calls']);
    expect(events.at(-1)).toEqual({ kind: 'done' });
  });

  it('structured output: an answer that parses against the schema', async () => {
    const events = await send(protocol, { responseSchema: { name: 'answer', schema: SCHEMA } });
    // Anthropic has no structured-output field: the schema is a forced tool, the answer its arguments.
    const text = protocol === 'anthropic' ? [...calls(events).values()][0]!.args : content(events);
    expect(typeof (JSON.parse(text) as { answer: unknown }).answer).toBe('string');
    expect(events.at(-1)).toEqual({ kind: 'done' });
  });

  it('reasoning: reasoning tokens stream before the content and are reported', async () => {
    const events = await send(protocol, { reasoning: { effort: 'low', budgetTokens: 1024 } });
    const firstReasoning = events.findIndex((e) => e.kind === 'token' && e.channel === 'reasoning');
    const firstContent = events.findIndex((e) => e.kind === 'token' && e.channel === 'content');
    expect(firstReasoning).toBeGreaterThanOrEqual(0);
    expect(firstContent).toBeGreaterThan(firstReasoning);
    if (protocol !== 'anthropic') expect(usage(events).reasoningTokens).toBeGreaterThan(0); // Anthropic reports no reasoning count
    expect(finish(events)).toHaveLength(1);
  });

  it('a cacheable prefix sent twice: the second answer reports cached input tokens', async () => {
    const prefix = `You answer questions about the weather. ${'Keep every answer short and polite. '.repeat(180)}`;
    const spec: Partial<RequestSpec> = {
      messages: [
        { role: 'system', content: prefix },
        { role: 'user', content: `Weather in Huế? (${protocol})` },
      ],
      cachePrefix: true,
    };
    await send(protocol, spec);
    const second = usage(await send(protocol, spec));
    expect(second.cachedInputTokens).toBeGreaterThan(0);
    expect(second.inputTokens!).toBeGreaterThanOrEqual(second.cachedInputTokens!);
  });

  it('max tokens: a short limit finishes length', async () => {
    const events = await send(protocol, { maxTokens: 3 });
    expect(finish(events)).toEqual(['length']);
    expect(usage(events).outputTokens).toBe(3);
  });
});

/**
 * The tool_call and finish events of every protocol's decoder: fragments
 * carry the call's index as the protocol numbers it, id and name where the
 * wire gives them; finish reasons are normalised (core/result.ts FINISH_REASONS).
 */
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../src/protocol/anthropic.js';
import { openaiAdapter } from '../../../src/protocol/openai.js';
import { anthropicFinish, openaiFinish, responsesFinish } from '../../../src/protocol/finish.js';
import type { WireEvent } from '../../../src/protocol/adapter.js';
import { chunkings, decode } from './feed.js';

type ToolCall = Extract<WireEvent, { kind: 'tool_call' }>;

/** Joins fragments per index the simplest way: the first id and name, the arguments in order. */
function assemble(events: WireEvent[]): Map<number, { id?: string; name?: string; args: string }> {
  const calls = new Map<number, { id?: string; name?: string; args: string }>();
  for (const e of events.filter((x): x is ToolCall => x.kind === 'tool_call')) {
    const c = calls.get(e.index) ?? { args: '' };
    if (e.id !== undefined) c.id ??= e.id;
    if (e.name !== undefined) c.name ??= e.name;
    c.args += e.args;
    calls.set(e.index, c);
  }
  return calls;
}

const oa = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'c', model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const OPENAI_TOOLS =
  oa({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
  oa({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] }) +
  oa({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }) +
  oa({ tool_calls: [{ index: 0, function: { arguments: ':"Huế"}' } }] }) +
  oa({}, 'tool_calls') +
  `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 5, completion_tokens: 9 } })}\n\ndata: [DONE]\n\n`;

describe('openai tool calls', () => {
  it('fragments assemble per index (id and name on the first only), however the bytes are cut', () => {
    for (const { name, chunks } of chunkings(OPENAI_TOOLS, 20)) {
      const events = decode(openaiAdapter, chunks);
      expect([...assemble(events).entries()], name).toEqual([
        [0, { id: 'call_a', name: 'get_weather', args: '{"city":"Huế"}' }],
        [1, { id: 'call_b', name: 'get_time', args: '{}' }],
      ]);
      expect(events.filter((e) => e.kind === 'finish'), name).toEqual([{ kind: 'finish', reason: 'tool_calls' }]);
    }
  });

  it('every arguments fragment is also a tool token, never an empty one', () => {
    const events = decode(openaiAdapter, chunkings(OPENAI_TOOLS, 0)[0]!.chunks);
    expect(events.filter((e) => e.kind === 'token').map((e) => (e.kind === 'token' ? e.text : ''))).toEqual(['{"city"', '{}', ':"Huế"}']);
  });

  it('a relay that drops index gets the position in the list', () => {
    const on = openaiAdapter.newStreamDecoder();
    const events = on.onEvent({ data: JSON.stringify({ choices: [{ delta: { tool_calls: [{ id: 'x', function: { name: 'f' } }, { id: 'y', function: { name: 'g' } }] } }] }) });
    expect(events).toEqual([
      { kind: 'tool_call', index: 0, id: 'x', name: 'f', args: '' },
      { kind: 'tool_call', index: 1, id: 'y', name: 'g', args: '' },
    ]);
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['eos', 'other'],
  ])('finish_reason %s is %s', (raw, reason) => {
    expect(openaiFinish(raw)).toBe(reason);
  });
});

const an = (type: string, rest: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...rest })}\n\n`;
const ANTHROPIC_TOOLS =
  an('message_start', { message: { id: 'msg', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 9, output_tokens: 1 } } }) +
  an('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
  an('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Checking.' } }) +
  an('content_block_stop', { index: 0 }) +
  an('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }) +
  an('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }) +
  an('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Đà' } }) +
  an('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: ' Nẵng"}' } }) +
  an('content_block_stop', { index: 1 }) +
  an('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } }) +
  an('message_stop', {});

describe('anthropic tool calls', () => {
  it('tool_use start names the call at its block index; input_json_delta fragments carry the same index', () => {
    for (const { name, chunks } of chunkings(ANTHROPIC_TOOLS, 20)) {
      const events = decode(anthropicAdapter, chunks);
      expect([...assemble(events).entries()], name).toEqual([[1, { id: 'toolu_1', name: 'get_weather', args: '{"city": "Đà Nẵng"}' }]]);
      expect(events.filter((e) => e.kind === 'finish'), name).toEqual([{ kind: 'finish', reason: 'tool_calls' }]);
    }
  });

  it('the empty first partial_json is neither a token nor a fragment', () => {
    const d = anthropicAdapter.newStreamDecoder();
    expect(d.onEvent({ data: JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }) })).toEqual([]);
  });

  it('a whole message: tool_use blocks are calls at their block index, stop_reason the finish', () => {
    const events = anthropicAdapter.decodeBody({
      id: 'm',
      content: [{ type: 'text', text: 'ok' }, { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
    });
    expect(events).toContainEqual({ kind: 'tool_call', index: 1, id: 't1', name: 'f', args: '{"a":1}' });
    expect(events).toContainEqual({ kind: 'finish', reason: 'tool_calls' });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'other'],
  ])('stop_reason %s is %s', (raw, reason) => {
    expect(anthropicFinish(raw)).toBe(reason);
  });
});

describe('responses finish', () => {
  it.each([
    ['completed', undefined, false, 'stop'],
    ['completed', undefined, true, 'tool_calls'],
    ['incomplete', 'max_output_tokens', false, 'length'],
    ['incomplete', 'content_filter', false, 'content_filter'],
    ['incomplete', undefined, false, 'other'],
    ['cancelled', undefined, false, 'other'],
  ] as const)('status %s (reason %s, tool %s) is %s', (status, why, tool, reason) => {
    expect(responsesFinish(status, why, tool)).toBe(reason);
  });
});

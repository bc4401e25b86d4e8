import { describe, expect, it } from 'vitest';
import type { Protocol } from '../../../src/core/result.js';
import { adapterFor } from '../../../src/protocol/index.js';
import type { SseEvent } from '../../../src/protocol/adapter.js';
import { StreamConformance, type StreamEnd } from '../../../src/honesty/conformance.js';

const OK: StreamEnd = { ok: true, terminated: true, failedInBand: false, errorType: null };

/** Feeds events through the protocol's real decoder, as the client does. */
function run(protocol: Protocol, events: SseEvent[], end: StreamEnd = OK) {
  const decoder = adapterFor(protocol).newStreamDecoder();
  const c = new StreamConformance(protocol);
  for (const ev of events) c.event(ev, decoder.onEvent(ev));
  return c.violations(end);
}

const a = (type: string, extra: Record<string, unknown> = {}, named = true): SseEvent => ({
  ...(named ? { event: type } : {}),
  data: JSON.stringify({ type, ...extra }),
});
const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 9, output_tokens: 1 } };
const start = a('message_start', { message });
const blockStart = (i: number) => a('content_block_start', { index: i, content_block: { type: 'text', text: '' } });
const delta = (i: number, text = 'hi') => a('content_block_delta', { index: i, delta: { type: 'text_delta', text } });
const blockStop = (i: number) => a('content_block_stop', { index: i });
const msgDelta = (out: number | null) => a('message_delta', { delta: { stop_reason: 'end_turn' }, ...(out === null ? {} : { usage: { output_tokens: out } }) });
const stop = a('message_stop');
const ping = a('ping');

describe('Anthropic stream conformance', () => {
  it('a stream in order, with pings and two blocks, breaks nothing', () => {
    expect(run('anthropic', [start, ping, blockStart(0), delta(0), ping, delta(0), blockStop(0), blockStart(1), delta(1), blockStop(1), msgDelta(5), stop])).toEqual([]);
  });

  it('also when the relay leaves out the event: names (type in the JSON only)', () => {
    const unnamed = [start, blockStart(0), delta(0), blockStop(0), msgDelta(5), stop].map((e) => ({ data: e.data }));
    expect(run('anthropic', unnamed)).toEqual([]);
  });

  it.each([
    ['a delta before message_start', [blockStart(0), start, delta(0), blockStop(0), msgDelta(5), stop]],
    ['a second message_start', [start, start, blockStart(0), delta(0), blockStop(0), msgDelta(5), stop]],
    ['a delta for a block never started', [start, delta(0), msgDelta(5), stop]],
    ['a delta for another block than the open one', [start, blockStart(0), delta(1), blockStop(0), msgDelta(5), stop]],
    ['interleaved blocks', [start, blockStart(0), blockStart(1), delta(1), blockStop(1), blockStop(0), msgDelta(5), stop]],
    ['a block index going back', [start, blockStart(1), blockStop(1), blockStart(0), blockStop(0), msgDelta(5), stop]],
    ['message_delta while a block is open', [start, blockStart(0), delta(0), msgDelta(5), blockStop(0), stop]],
    ['a block after message_delta', [start, msgDelta(5), blockStart(0), blockStop(0), stop]],
    ['anything after message_stop', [start, blockStart(0), blockStop(0), msgDelta(5), stop, delta(0)]],
  ])('%s is out_of_order', (_name, events) => {
    expect(run('anthropic', events)).toContain('out_of_order');
  });

  const { content: _content, ...noContent } = message;
  it.each([
    ['no message', a('message_start')],
    ['a message without content', a('message_start', { message: noContent })],
    ['content that is not an array', a('message_start', { message: { ...message, content: '' } })],
    ['a message without role', a('message_start', { message: { ...message, role: undefined } })],
    ["role 'user'", a('message_start', { message: { ...message, role: 'user' } })],
    ['a message that is not an object', a('message_start', { message: 'msg_1' })],
    ['data that is not JSON', { event: 'message_start', data: 'message_start' }],
  ])('a message_start with %s is out_of_order (a shape fault, filed there: the contract has no other kind)', (_name, bad) => {
    expect(run('anthropic', [bad, blockStart(0), delta(0), blockStop(0), msgDelta(5), stop])).toContain('out_of_order');
  });

  it('a message_start with content [] and role assistant, also with more fields or no event: name, is fine', () => {
    expect(run('anthropic', [a('message_start', { message: { ...message, stop_reason: null, extra: 1 } }), blockStart(0), delta(0), blockStop(0), msgDelta(5), stop])).toEqual([]);
    expect(run('anthropic', [{ data: start.data }, blockStart(0), delta(0), blockStop(0), msgDelta(5), stop])).toEqual([]);
  });

  it("tolerates an OpenAI [DONE] appended by a translating relay", () => {
    expect(run('anthropic', [start, blockStart(0), delta(0), blockStop(0), msgDelta(5), stop, { data: '[DONE]' }])).toEqual([]);
  });

  it('a finished stream whose message_delta has no usage is usage_missing', () => {
    expect(run('anthropic', [start, blockStart(0), delta(0), blockStop(0), msgDelta(null), stop])).toEqual(['usage_missing']);
  });

  it('an output count that goes down is usage_decreased', () => {
    const events = [start, blockStart(0), delta(0), blockStop(0), a('message_delta', { usage: { output_tokens: 12 } }), msgDelta(7), stop];
    expect(run('anthropic', events)).toEqual(['usage_decreased']);
  });
});

const chunk = (content: string) => ({ data: JSON.stringify({ id: 'c', model: 'gpt-4o', choices: [{ index: 0, delta: { content } }] }) });
const usage = (prompt: number, completion: number) => ({ data: JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } }) });
const DONE = { data: '[DONE]' };

describe('OpenAI stream conformance', () => {
  it('content, usage, [DONE]: nothing', () => {
    expect(run('openai', [chunk('O'), chunk('K'), usage(10, 2), DONE])).toEqual([]);
  });

  it('no usage chunk although include_usage was asked: usage_missing', () => {
    expect(run('openai', [chunk('O'), chunk('K'), DONE])).toEqual(['usage_missing']);
  });

  it('data after [DONE] is out_of_order', () => {
    expect(run('openai', [chunk('O'), DONE, usage(10, 1)])).toEqual(['out_of_order']);
  });

  it('usage reported on every chunk that goes down is usage_decreased', () => {
    expect(run('openai', [chunk('O'), usage(10, 5), chunk('K'), usage(10, 2), DONE])).toEqual(['usage_decreased']);
  });
});

describe('unterminated streams', () => {
  const partial = [chunk('O')];
  it('a stream that ended or hung without its terminator', () => {
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: false, errorType: 'stream_truncated' })).toEqual(['unterminated']);
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: false, errorType: 'timeout' })).toEqual(['unterminated']);
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: false, errorType: 'connection_reset' })).toEqual(['unterminated']);
  });

  it('not when the stream said why it ended, or when relaymon ended it', () => {
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: true, errorType: 'overloaded' })).toEqual([]);
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: false, errorType: 'cancelled' })).toEqual([]);
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: false, errorType: 'response_too_large' })).toEqual([]);
  });

  it('a failed stream is not also usage_missing', () => {
    expect(run('openai', partial, { ok: false, terminated: false, failedInBand: false, errorType: 'stream_truncated' })).not.toContain('usage_missing');
  });
});

const r = (type: string, extra: Record<string, unknown> = {}, named = true): SseEvent => ({
  ...(named ? { event: type } : {}),
  data: JSON.stringify({ type, ...extra }),
});
const created = r('response.created', { response: { id: 'resp_1', model: 'gpt-5', status: 'in_progress', output: [] } });
const inProgress = r('response.in_progress', { response: { id: 'resp_1', status: 'in_progress' } });
const itemAdded = (i: number, type = 'message') => r('response.output_item.added', { output_index: i, item: { id: `it_${i}`, type } });
const itemDone = (i: number) => r('response.output_item.done', { output_index: i, item: { id: `it_${i}`, type: 'message' } });
const textDelta = (i: number, delta = 'hi') => r('response.output_text.delta', { item_id: `it_${i}`, output_index: i, content_index: 0, delta });
const argsDelta = (i: number) => r('response.function_call_arguments.delta', { item_id: `it_${i}`, output_index: i, delta: '{}' });
const completed = (usage: Record<string, unknown> | null = { input_tokens: 9, output_tokens: 2 }) =>
  r('response.completed', { response: { id: 'resp_1', status: 'completed', output: [], ...(usage ? { usage } : {}) } });
const incomplete = r('response.incomplete', { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 9, output_tokens: 16 } } });
const failed = r('response.failed', { response: { status: 'failed', error: { code: 'server_error', message: 'x' } } });

describe('Responses stream conformance', () => {
  it('created, items with their deltas, completed: nothing; also incomplete, and without event: names', () => {
    const ok = [created, inProgress, itemAdded(0, 'reasoning'), itemDone(0), itemAdded(1), textDelta(1), textDelta(1), itemDone(1), itemAdded(2, 'function_call'), argsDelta(2), itemDone(2), completed()];
    expect(run('openai-responses', ok)).toEqual([]);
    expect(run('openai-responses', ok.map((e) => ({ data: e.data })))).toEqual([]);
    expect(run('openai-responses', [created, itemAdded(0), textDelta(0), itemDone(0), incomplete])).toEqual([]);
  });

  it.each([
    ['an event before response.created', [itemAdded(0), created, textDelta(0), itemDone(0), completed()]],
    ['a second response.created', [created, created, itemAdded(0), textDelta(0), itemDone(0), completed()]],
    ['a text delta before its output_item.added', [created, textDelta(0), itemAdded(0), itemDone(0), completed()]],
    ['a text delta after its output_item.done', [created, itemAdded(0), itemDone(0), textDelta(0), completed()]],
    ['arguments for an item never added', [created, argsDelta(3), completed()]],
    ['an item added twice', [created, itemAdded(0), itemAdded(0), itemDone(0), completed()]],
    ['anything after response.completed', [created, itemAdded(0), textDelta(0), itemDone(0), completed(), textDelta(0)]],
    ['anything after response.incomplete', [created, incomplete, completed()]],
    ['anything after response.failed', [created, failed, itemAdded(0)]],
    ['a response.created without a response object', [r('response.created'), itemAdded(0), textDelta(0), itemDone(0), completed()]],
    ['a response.created whose response is not an object', [r('response.created', { response: 'resp_1' }), itemAdded(0), textDelta(0), itemDone(0), completed()]],
  ])('%s is out_of_order', (_name, events) => {
    expect(run('openai-responses', events)).toContain('out_of_order');
  });

  it('tolerates an error event anywhere before the end, and a [DONE] appended by a translating relay', () => {
    expect(run('openai-responses', [created, itemAdded(0), r('error', { code: 'x', message: 'y' }), textDelta(0), itemDone(0), completed(), { data: '[DONE]' }])).toEqual([]);
  });

  it('a completed response without usage is usage_missing', () => {
    expect(run('openai-responses', [created, itemAdded(0), textDelta(0), itemDone(0), completed(null)])).toEqual(['usage_missing']);
    expect(run('openai-responses', [created, completed({ input_tokens: 3 })])).toEqual(['usage_missing']);
  });

  it('a stream that never reached completed/incomplete is unterminated; one that failed in band is not', () => {
    expect(run('openai-responses', [created, itemAdded(0), textDelta(0)], { ok: false, terminated: false, failedInBand: false, errorType: 'stream_truncated' })).toEqual(['unterminated']);
    expect(run('openai-responses', [created, failed], { ok: false, terminated: false, failedInBand: true, errorType: 'stream_error' })).toEqual([]);
  });
});

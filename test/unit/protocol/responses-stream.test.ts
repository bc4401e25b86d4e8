import { describe, expect, it } from 'vitest';
import { openaiResponsesAdapter } from '../../../src/protocol/openai-responses.js';
import type { WireEvent } from '../../../src/protocol/adapter.js';
import { chunkings, decode, fold } from './feed.js';

const dec = (): ((data: unknown, event?: string) => WireEvent[]) => {
  const d = openaiResponsesAdapter.newStreamDecoder();
  return (data, event) => {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return d.onEvent(event === undefined ? { data: text } : { event, data: text });
  };
};

const ev = (type: string, rest: Record<string, unknown> = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...rest })}\n\n`;
const RESPONSE = { id: 'resp_1', object: 'response', model: 'gpt-5-mini-2025-08-07' };
const USAGE = {
  input_tokens: 40,
  input_tokens_details: { cached_tokens: 32 },
  output_tokens: 25,
  output_tokens_details: { reasoning_tokens: 12 },
  total_tokens: 65,
};

/** A stream as OpenAI sends it: reasoning summary, then a message, then a function call, then completed. */
const STREAM = [
  ev('response.created', { sequence_number: 0, response: { ...RESPONSE, status: 'in_progress', output: [], usage: null } }),
  ev('response.in_progress', { sequence_number: 1, response: { ...RESPONSE, status: 'in_progress', output: [] } }),
  ev('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }),
  ev('response.reasoning_summary_part.added', { item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } }),
  ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'Thinking ' }),
  ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'hard' }),
  ev('response.reasoning_summary_text.done', { item_id: 'rs_1', output_index: 0, summary_index: 0, text: 'Thinking hard' }),
  ev('response.output_item.done', { output_index: 0, item: { id: 'rs_1', type: 'reasoning' } }),
  ev('response.output_item.added', { output_index: 1, item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] } }),
  ev('response.content_part.added', { item_id: 'msg_1', output_index: 1, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
  ev('response.output_text.delta', { item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'Xin chào ' }),
  ev('response.output_text.delta', { item_id: 'msg_1', output_index: 1, content_index: 0, delta: '' }),
  ev('response.output_text.delta', { item_id: 'msg_1', output_index: 1, content_index: 0, delta: '🌏 你好' }),
  ev('response.output_text.done', { item_id: 'msg_1', output_index: 1, content_index: 0, text: 'Xin chào 🌏 你好' }),
  ev('response.content_part.done', { item_id: 'msg_1', output_index: 1, content_index: 0, part: { type: 'output_text', text: 'Xin chào 🌏 你好' } }),
  ev('response.output_item.done', { output_index: 1, item: { id: 'msg_1', type: 'message' } }),
  ev('response.output_item.added', { output_index: 2, item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '' } }),
  ev('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 2, delta: '{"city":' }),
  ev('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 2, delta: '"Hà Nội"}' }),
  ev('response.function_call_arguments.done', { item_id: 'fc_1', output_index: 2, arguments: '{"city":"Hà Nội"}' }),
  ev('response.output_item.done', { output_index: 2, item: { id: 'fc_1', type: 'function_call', arguments: '{"city":"Hà Nội"}' } }),
  ev('response.completed', { response: { ...RESPONSE, status: 'completed', output: [], usage: USAGE } }),
].join('');

describe('openai-responses stream decoder', () => {
  it('decodes a whole stream identically however the bytes are cut', () => {
    for (const { name, chunks } of chunkings(STREAM, 30)) {
      const f = fold(decode(openaiResponsesAdapter, chunks));
      expect(f.content, name).toBe('Xin chào 🌏 你好');
      expect(f.reasoning, name).toBe('Thinking hard');
      expect(f.tool, name).toBe('{"city":"Hà Nội"}');
      // The empty delta is no token; the ….done events repeat text and are none either.
      expect(f.tokenEvents, name).toBe(6);
      expect(f.id, name).toBe('resp_1');
      expect(f.model, name).toBe('gpt-5-mini-2025-08-07');
      expect(f.usage, name).toEqual({ inputTokens: 40, outputTokens: 25, cachedInputTokens: 32, reasoningTokens: 12 });
      expect(f.done, name).toBe(true);
      expect(f.errors, name).toEqual([]);
      expect(f.invalid, name).toEqual([]);
    }
  });

  it('emits the tool call fragments (id = item id, index = output_index) and finish tool_calls at completed', () => {
    const events = decode(openaiResponsesAdapter, chunkings(STREAM, 0)[0]!.chunks);
    expect(events.filter((e) => e.kind === 'tool_call')).toEqual([
      { kind: 'tool_call', index: 2, id: 'fc_1', name: 'get_weather', args: '' },
      { kind: 'tool_call', index: 2, id: 'fc_1', args: '{"city":' },
      { kind: 'tool_call', index: 2, id: 'fc_1', args: '"Hà Nội"}' },
    ]);
    expect(events.filter((e) => e.kind === 'finish')).toEqual([{ kind: 'finish', reason: 'tool_calls' }]);
    // Every argument fragment is also a tool token, timed like any other.
    expect(events.filter((e) => e.kind === 'token' && e.channel === 'tool').length).toBe(2);
  });

  it('response.created gives the meta once; a later event repeating it adds nothing', () => {
    const on = dec();
    expect(on({ type: 'response.created', response: { ...RESPONSE, status: 'in_progress' } }, 'response.created')).toEqual([
      { kind: 'meta', id: 'resp_1', model: 'gpt-5-mini-2025-08-07' },
    ]);
    expect(on({ type: 'response.in_progress', response: { ...RESPONSE, status: 'in_progress' } })).toEqual([]);
  });

  it('each token event on its channel; reasoning_text (raw reasoning) and refusal too', () => {
    const on = dec();
    expect(on({ type: 'response.output_text.delta', delta: 'a' })).toEqual([{ kind: 'token', channel: 'content', text: 'a' }]);
    expect(on({ type: 'response.refusal.delta', delta: 'no' })).toEqual([{ kind: 'token', channel: 'content', text: 'no' }]);
    expect(on({ type: 'response.reasoning_summary_text.delta', delta: 'r' })).toEqual([{ kind: 'token', channel: 'reasoning', text: 'r' }]);
    expect(on({ type: 'response.reasoning_text.delta', delta: 'raw' })).toEqual([{ kind: 'token', channel: 'reasoning', text: 'raw' }]);
    expect(on({ type: 'response.output_text.delta', delta: '' })).toEqual([]);
    expect(on({ type: 'response.function_call_arguments.delta', item_id: 'fc', output_index: 0, delta: '' })).toEqual([]);
  });

  it('takes the type from the event: name when the data leaves it out', () => {
    const on = dec();
    expect(on({ delta: 'x' }, 'response.output_text.delta')).toEqual([{ kind: 'token', channel: 'content', text: 'x' }]);
  });

  it('a relay that sends text in content_part.added or arguments in output_item.added still sent tokens', () => {
    const on = dec();
    expect(on({ type: 'response.content_part.added', part: { type: 'output_text', text: 'hi' } })).toEqual([{ kind: 'token', channel: 'content', text: 'hi' }]);
    expect(on({ type: 'response.output_item.added', output_index: 0, item: { id: 'fc', type: 'function_call', name: 'f', arguments: '{}' } })).toEqual([
      { kind: 'token', channel: 'tool', text: '{}' },
      { kind: 'tool_call', index: 0, id: 'fc', name: 'f', args: '{}' },
    ]);
  });

  it('completed: finish stop, usage, done', () => {
    expect(dec()({ type: 'response.completed', response: { ...RESPONSE, status: 'completed', output: [{ type: 'message' }], usage: USAGE } })).toEqual([
      { kind: 'meta', id: 'resp_1', model: 'gpt-5-mini-2025-08-07' },
      { kind: 'finish', reason: 'stop' },
      { kind: 'usage', inputTokens: 40, outputTokens: 25, cachedInputTokens: 32, reasoningTokens: 12 },
      { kind: 'done' },
    ]);
  });

  it('completed with a function call in its output finishes tool_calls even when the stream did not announce it', () => {
    const events = dec()({ type: 'response.completed', response: { status: 'completed', output: [{ type: 'function_call', name: 'f' }] } });
    expect(events).toContainEqual({ kind: 'finish', reason: 'tool_calls' });
  });

  it('incomplete at max_output_tokens: finish length, usage, done (a normal end)', () => {
    const events = dec()(
      {
        type: 'response.incomplete',
        response: { ...RESPONSE, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 5, output_tokens: 16 } },
      },
      'response.incomplete',
    );
    expect(events).toEqual([
      { kind: 'meta', id: 'resp_1', model: 'gpt-5-mini-2025-08-07' },
      { kind: 'finish', reason: 'length' },
      { kind: 'usage', inputTokens: 5, outputTokens: 16 },
      { kind: 'done' },
    ]);
    const filtered = dec()({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } } });
    expect(filtered).toContainEqual({ kind: 'finish', reason: 'content_filter' });
  });

  it('response.failed is an in-band error classified by its code, with no terminator', () => {
    const on = dec();
    const failed = on({ type: 'response.failed', response: { ...RESPONSE, status: 'failed', error: { code: 'server_error', message: 'The model failed' } } });
    expect(failed).toEqual([
      { kind: 'meta', id: 'resp_1', model: 'gpt-5-mini-2025-08-07' },
      { kind: 'error', errorType: 'stream_error', message: 'The model failed' },
    ]);
    expect(failed.some((e) => e.kind === 'done')).toBe(false);
    expect(dec()({ type: 'response.failed', response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' } } })).toEqual([
      { kind: 'error', errorType: 'rate_limited', message: 'slow down' },
    ]);
    expect(dec()({ type: 'response.failed', response: { status: 'failed' } })[0]).toMatchObject({ kind: 'error', errorType: 'stream_error' });
  });

  it('event: error is an in-band error, classified by code (JSON or plain text data)', () => {
    expect(dec()({ type: 'error', code: 'insufficient_quota', message: 'You exceeded your quota', param: null }, 'error')).toEqual([
      { kind: 'error', errorType: 'quota_exceeded', message: 'You exceeded your quota' },
    ]);
    expect(dec()({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error')).toEqual([
      { kind: 'error', errorType: 'overloaded', message: 'Overloaded' },
    ]);
    expect(dec()('upstream went away', 'error')).toEqual([{ kind: 'error', errorType: 'stream_error', message: 'upstream went away' }]);
  });

  it('an error in the middle of a stream: tokens before it are kept, the error is reported, no done', () => {
    const text = ev('response.created', { response: RESPONSE }) + ev('response.output_text.delta', { delta: 'part' }) + ev('error', { code: 'server_error', message: 'boom' });
    const f = fold(decode(openaiResponsesAdapter, chunkings(text, 0)[0]!.chunks));
    expect(f.content).toBe('part');
    expect(f.errors).toEqual([{ errorType: 'stream_error', message: 'boom' }]);
    expect(f.done).toBe(false);
  });

  it('ignores [DONE] (not this protocol\'s terminator), ….done events and unknown types; bad data is invalid', () => {
    const on = dec();
    expect(on('[DONE]')).toEqual([]);
    expect(on({ type: 'response.output_text.done', text: 'all of it' })).toEqual([]);
    expect(on({ type: 'response.function_call_arguments.done', arguments: '{}' })).toEqual([]);
    expect(on({ type: 'response.something_new', delta: 'x' })).toEqual([]);
    expect(on('{not json')[0]?.kind).toBe('invalid');
    expect(on('[1,2]')[0]?.kind).toBe('invalid');
  });

  it('a stream without completed/incomplete never reads as done', () => {
    const text = ev('response.created', { response: RESPONSE }) + ev('response.output_text.delta', { delta: 'cut' });
    expect(fold(decode(openaiResponsesAdapter, chunkings(text, 0)[0]!.chunks)).done).toBe(false);
  });

  it('ignores usage values that are not counts', () => {
    const events = dec()({ type: 'response.completed', response: { status: 'completed', usage: { input_tokens: -1, output_tokens: 'x', input_tokens_details: null } } });
    expect(events.filter((e) => e.kind === 'usage')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../src/protocol/anthropic.js';
import type { WireEvent } from '../../../src/protocol/adapter.js';
import { chunkings, decode, fold } from './feed.js';

const on = (data: string | object, event?: string): WireEvent[] => {
  const d = typeof data === 'string' ? data : JSON.stringify(data);
  return anthropicAdapter.newStreamDecoder().onEvent(event === undefined ? { data: d } : { event, data: d });
};

const ev = (type: string, payload: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

const THINKING_STREAM =
  ev('message_start', {
    message: {
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 25, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 1 },
    },
  }) +
  ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
  'event: ping\ndata: {"type": "ping"}\n\n' +
  ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Suy nghĩ một chút…' } }) +
  ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' } }) +
  ev('content_block_stop', { index: 0 }) +
  ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }) +
  ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: '' } }) +
  ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'こんにちは、' } }) +
  ': keep-alive\n\n' +
  ev('message_delta', { delta: { stop_reason: null }, usage: { output_tokens: 5 } }) +
  ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'thế giới 🦀' } }) +
  ev('message_delta', { delta: { stop_reason: null }, usage: { output_tokens: 12 } }) +
  ev('content_block_stop', { index: 1 }) +
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }) +
  ev('message_stop', {});

describe('anthropic stream decoder', () => {
  it('decodes a thinking + text stream identically however the bytes are cut', () => {
    for (const { name, chunks } of chunkings(THINKING_STREAM, 40)) {
      const f = fold(decode(anthropicAdapter, chunks));
      expect(f.reasoning, name).toBe('Suy nghĩ một chút…');
      expect(f.content, name).toBe('こんにちは、thế giới 🦀');
      expect(f.tokenEvents, name).toBe(3);
      expect(f.id, name).toBe('msg_01XFDUDYJgAACzvnptvVoYEL');
      expect(f.model, name).toBe('claude-sonnet-4-5-20250929');
      // Cumulative output_tokens 5, 12, 20: assigned, so the fold ends at 20, not 37 (or 38 with the 1 from message_start).
      expect(f.usage, name).toEqual({ inputTokens: 2125, cachedInputTokens: 2000, cacheWriteInputTokens: 100, outputTokens: 20 });
      expect(f.done, name).toBe(true);
      expect(f.errors, name).toEqual([]);
      expect(f.invalid, name).toEqual([]);
    }
  });

  it('decodes the same stream with CRLF line ends', () => {
    const crlf = THINKING_STREAM.replace(/\n/g, '\r\n');
    for (const { name, chunks } of chunkings(crlf, 15)) {
      const f = fold(decode(anthropicAdapter, chunks));
      expect(f.content, name).toBe('こんにちは、thế giới 🦀');
      expect(f.usage.outputTokens, name).toBe(20);
      expect(f.done, name).toBe(true);
    }
  });

  it('emits each message_delta output_tokens as a value to assign', () => {
    const d = anthropicAdapter.newStreamDecoder();
    const outs = [5, 12, 20].map((n) => d.onEvent({ event: 'message_delta', data: JSON.stringify({ type: 'message_delta', delta: {}, usage: { output_tokens: n } }) }));
    expect(outs).toEqual([
      [{ kind: 'usage', outputTokens: 5 }],
      [{ kind: 'usage', outputTokens: 12 }],
      [{ kind: 'usage', outputTokens: 20 }],
    ]);
  });

  it('reads input and cache fields on message_delta the same way as on message_start', () => {
    expect(
      on({ type: 'message_delta', delta: {}, usage: { input_tokens: 10, cache_read_input_tokens: 50, cache_creation_input_tokens: 0, output_tokens: 7 } }),
    ).toEqual([{ kind: 'usage', inputTokens: 60, outputTokens: 7, cachedInputTokens: 50, cacheWriteInputTokens: 0 }]);
    expect(on({ type: 'message_delta', delta: {}, usage: { output_tokens: 3, cache_creation_input_tokens: null } })).toEqual([
      { kind: 'usage', outputTokens: 3 },
    ]);
  });

  it('reads message_start meta and input usage (not its placeholder output_tokens), counting cache reads and writes as input', () => {
    expect(
      on({ type: 'message_start', message: { id: 'msg_1', model: 'claude-3-5-haiku-20241022', usage: { input_tokens: 9, output_tokens: 1 } } }),
    ).toEqual([
      { kind: 'meta', id: 'msg_1', model: 'claude-3-5-haiku-20241022' },
      // output_tokens in message_start is a placeholder sent before any token; the count comes with message_delta.
      { kind: 'usage', inputTokens: 9 },
    ]);
    expect(
      on({ type: 'message_start', message: { id: 'msg_2', usage: { input_tokens: 3, cache_creation_input_tokens: 1000 } } }),
    ).toEqual([
      { kind: 'meta', id: 'msg_2' },
      { kind: 'usage', inputTokens: 1003, cacheWriteInputTokens: 1000 },
    ]);
    expect(on({ type: 'message_start' })).toEqual([]);
  });

  it('streams tool input as tool tokens', () => {
    const text =
      ev('message_start', { message: { id: 'msg_t', model: 'claude-opus-4-1', usage: { input_tokens: 5, output_tokens: 1 } } }) +
      ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }) +
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } }) +
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"location": "San Fra' } }) +
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: 'ncisco"}' } }) +
      ev('content_block_stop', { index: 0 }) +
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } }) +
      ev('message_stop', {});
    for (const { name, chunks } of chunkings(text, 5)) {
      const f = fold(decode(anthropicAdapter, chunks));
      expect(f.tool, name).toBe('{"location": "San Francisco"}');
      expect(f.tokenEvents, name).toBe(2);
      expect(f.usage, name).toEqual({ inputTokens: 5, outputTokens: 40 });
      expect(f.done, name).toBe(true);
    }
  });

  it('takes the event type from data.type when the SSE event name is missing, and from the name when type is missing', () => {
    expect(on({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'a' } })).toEqual([{ kind: 'token', channel: 'content', text: 'a' }]);
    expect(on({ delta: { type: 'text_delta', text: 'b' } }, 'content_block_delta')).toEqual([{ kind: 'token', channel: 'content', text: 'b' }]);
    expect(on({}, 'message_stop')).toEqual([{ kind: 'done' }]);
    expect(on({ type: 'message_stop' })).toEqual([{ kind: 'done' }]);
  });

  it('emits nothing for ping, block starts and stops, signature deltas and unknown events', () => {
    expect(on({ type: 'ping' }, 'ping')).toEqual([]);
    expect(on({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })).toEqual([]);
    expect(on({ type: 'content_block_stop', index: 0 })).toEqual([]);
    expect(on({ type: 'content_block_delta', delta: { type: 'signature_delta', signature: 'abc' } })).toEqual([]);
    expect(on({ type: 'content_block_delta', delta: { type: 'citations_delta', citation: {} } })).toEqual([]);
    expect(on({ type: 'content_block_delta', delta: { type: 'text_delta' } })).toEqual([]);
    expect(on({ type: 'brand_new_event', whatever: 1 }, 'brand_new_event')).toEqual([]);
    expect(on({ no: 'type' })).toEqual([]);
  });

  it('counts text a relay put in content_block_start', () => {
    expect(on({ type: 'content_block_start', content_block: { type: 'text', text: 'Hi' } })).toEqual([{ kind: 'token', channel: 'content', text: 'Hi' }]);
    expect(on({ type: 'content_block_start', content_block: { type: 'thinking', thinking: 'hm' } })).toEqual([
      { kind: 'token', channel: 'reasoning', text: 'hm' },
    ]);
  });

  it('accepts a trailing [DONE] some translating relays add', () => {
    expect(on('[DONE]')).toEqual([{ kind: 'done' }]);
  });

  describe('in-stream errors', () => {
    it('reads event: error with overloaded_error as overloaded', () => {
      expect(on({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error')).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'Overloaded' },
      ]);
    });

    it('reads data.type error without an event name', () => {
      expect(on({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } })).toEqual([
        { kind: 'error', errorType: 'stream_error', message: 'Internal server error' },
      ]);
      expect(on({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } })).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'busy' },
      ]);
    });

    it('reads an error event whose data is not JSON', () => {
      expect(on('stream reset by upstream', 'error')).toEqual([{ kind: 'error', errorType: 'stream_error', message: 'stream reset by upstream' }]);
    });

    it('stops short of message_stop when an error arrives mid-stream', () => {
      const text =
        ev('message_start', { message: { id: 'm', model: 'claude', usage: { input_tokens: 1 } } }) +
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }) +
        ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
      for (const { name, chunks } of chunkings(text, 5)) {
        const f = fold(decode(anthropicAdapter, chunks));
        expect(f.content, name).toBe('Hel');
        expect(f.errors, name).toEqual([{ errorType: 'overloaded', message: 'Overloaded' }]);
        expect(f.done, name).toBe(false);
      }
    });
  });

  it('reports invalid JSON and non-object JSON', () => {
    expect(on('{"type":"content_block_delta",', 'content_block_delta')[0]?.kind).toBe('invalid');
    expect(on('[]', 'message_start')[0]?.kind).toBe('invalid');
    expect(on('"x"')[0]?.kind).toBe('invalid');
  });

  it('reports a truncated stream as not done', () => {
    const cut = THINKING_STREAM.slice(0, THINKING_STREAM.indexOf('event: message_stop'));
    const f = fold(decode(anthropicAdapter, chunkings(cut, 0)[0]?.chunks ?? []));
    expect(f.usage.outputTokens).toBe(20);
    expect(f.done).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../src/protocol/anthropic.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';

describe('anthropic decodeBody', () => {
  it('turns a whole message into meta, tokens per channel, usage, done', () => {
    const body = {
      id: 'msg_b',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'ponder', signature: 's' },
        { type: 'text', text: 'Xin ' },
        { type: 'text', text: 'chào' },
        { type: 'tool_use', id: 't', name: 'f', input: { q: 'é' } },
        { type: 'redacted_thinking', data: 'zzz' },
      ],
      usage: { input_tokens: 4, cache_read_input_tokens: 6, cache_creation_input_tokens: 2, output_tokens: 11 },
    };
    expect(anthropicAdapter.decodeBody(body)).toEqual([
      { kind: 'meta', id: 'msg_b', model: 'claude-sonnet-4-5' },
      { kind: 'token', channel: 'reasoning', text: 'ponder' },
      { kind: 'token', channel: 'content', text: 'Xin chào' },
      { kind: 'token', channel: 'tool', text: '{"q":"é"}' },
      { kind: 'tool_call', index: 3, id: 't', name: 'f', args: '{"q":"é"}' },
      { kind: 'usage', inputTokens: 12, outputTokens: 11, cachedInputTokens: 6, cacheWriteInputTokens: 2 },
      { kind: 'done' },
    ]);
  });

  it('emits no token for empty text', () => {
    expect(anthropicAdapter.decodeBody({ id: 'e', content: [{ type: 'text', text: '' }] })).toEqual([{ kind: 'meta', id: 'e' }, { kind: 'done' }]);
  });

  it('reads an error body', () => {
    expect(anthropicAdapter.decodeBody({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toEqual([
      { kind: 'error', errorType: 'overloaded', message: 'Overloaded' },
    ]);
    expect(anthropicAdapter.decodeBody({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })).toEqual([
      { kind: 'error', errorType: 'bad_request', message: 'bad' },
    ]);
  });

  it.each([
    ['rate_limit_error', 'rate_limited'],
    ['overloaded_error', 'overloaded'],
    ['authentication_error', 'auth'],
    ['permission_error', 'auth'],
    ['not_found_error', 'not_found'],
    ['billing_error', 'quota_exceeded'],
    ['api_error', 'stream_error'],
  ])('classifies a 200 error body of type %s as %s (issue 11)', (type, errorType) => {
    expect(anthropicAdapter.decodeBody({ type: 'error', error: { type, message: 'm' } })).toEqual([{ kind: 'error', errorType, message: 'm' }]);
  });

  it('reports a wrong shape as invalid', () => {
    expect(anthropicAdapter.decodeBody({ id: 'x', type: 'message' })[0]?.kind).toBe('invalid');
    expect(anthropicAdapter.decodeBody({ choices: [] })[0]?.kind).toBe('invalid');
    expect(anthropicAdapter.decodeBody(7)[0]?.kind).toBe('invalid');
  });
});

describe('anthropic buildBody, headers, models', () => {
  const spec: RequestSpec = {
    model: 'claude-sonnet-4-5',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'system', content: 'Answer in Vietnamese.' },
      { role: 'user', content: 'Reply with OK' },
    ],
    maxTokens: 32,
    stream: true,
  };

  it('moves system messages to a top-level system joined by blank lines', () => {
    expect(anthropicAdapter.buildBody(spec)).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.\n\nAnswer in Vietnamese.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Reply with OK' },
      ],
      max_tokens: 32,
      stream: true,
    });
  });

  it('leaves system out when there is none, and never asks for stream_options', () => {
    const b = anthropicAdapter.buildBody({ ...spec, stream: false, messages: [{ role: 'user', content: 'x' }] });
    expect(b).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }], max_tokens: 32, stream: false });
  });

  it('sends a replayed body as is, setting model and stream, and a limit only when absent', () => {
    const replay = { model: 'claude-old', system: 'S', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1024, stream: false };
    expect(anthropicAdapter.buildBody({ ...spec, body: replay })).toEqual({ ...replay, model: 'claude-sonnet-4-5', stream: true });
    expect(anthropicAdapter.buildBody({ ...spec, body: { messages: [] } })).toEqual({
      messages: [],
      model: 'claude-sonnet-4-5',
      stream: true,
      max_tokens: 32,
    });
    expect(replay.model).toBe('claude-old');
  });

  it('sends anthropic-version and the key in x-api-key, or as Bearer for authorization', () => {
    expect(anthropicAdapter.headers('sk-ant-test', 'x-api-key')).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-test',
    });
    expect(anthropicAdapter.headers('tok-1234', 'authorization')).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      authorization: 'Bearer tok-1234',
    });
    expect(anthropicAdapter.headers(null, 'x-api-key')).toEqual({ 'content-type': 'application/json', 'anthropic-version': '2023-06-01' });
  });

  it('has the right paths and lists models', () => {
    expect(anthropicAdapter.protocol).toBe('anthropic');
    expect(anthropicAdapter.chatPath).toBe('/messages');
    expect(anthropicAdapter.modelsPath).toBe('/models');
    expect(
      anthropicAdapter.parseModelList({ data: [{ type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5' }], has_more: false }),
    ).toEqual(['claude-sonnet-4-5-20250929']);
    expect(() => anthropicAdapter.parseModelList({})).toThrow();
  });
});

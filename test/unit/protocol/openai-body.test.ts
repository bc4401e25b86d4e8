import { describe, expect, it } from 'vitest';
import { openaiAdapter } from '../../../src/protocol/openai.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';

describe('openai decodeBody', () => {
  const body = {
    id: 'chatcmpl-abc',
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_1',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Chào bạn 👋',
          reasoning_content: 'think',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
            { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 20,
      completion_tokens: 8,
      total_tokens: 28,
      prompt_tokens_details: { cached_tokens: 16 },
      completion_tokens_details: { reasoning_tokens: 3 },
      cost: 0.01,
    },
  };

  it('turns a whole body into meta, one token per channel, usage, done', () => {
    expect(openaiAdapter.decodeBody(body)).toEqual([
      { kind: 'meta', id: 'chatcmpl-abc', model: 'gpt-4o-mini-2024-07-18', systemFingerprint: 'fp_1' },
      { kind: 'token', channel: 'reasoning', text: 'think' },
      { kind: 'token', channel: 'content', text: 'Chào bạn 👋' },
      { kind: 'token', channel: 'tool', text: '{"x":1}{}' },
      { kind: 'tool_call', index: 0, id: 'c1', name: 'f', args: '{"x":1}' },
      { kind: 'tool_call', index: 1, id: 'c2', name: 'g', args: '{}' },
      { kind: 'finish', reason: 'stop' },
      { kind: 'usage', inputTokens: 20, outputTokens: 8, cachedInputTokens: 16, reasoningTokens: 3, costUsd: 0.01 },
      { kind: 'done' },
    ]);
  });

  it('emits no token for empty or null content', () => {
    const events = openaiAdapter.decodeBody({ id: 'x', choices: [{ message: { role: 'assistant', content: null } }] });
    expect(events).toEqual([{ kind: 'meta', id: 'x' }, { kind: 'done' }]);
  });

  it('reads an error body', () => {
    expect(openaiAdapter.decodeBody({ error: { message: 'Overloaded', type: 'overloaded_error' } })).toEqual([
      { kind: 'error', errorType: 'overloaded', message: 'Overloaded' },
    ]);
    expect(openaiAdapter.decodeBody({ error: { message: 'no channel available', type: 'new_api_error' } })).toEqual([
      { kind: 'error', errorType: 'stream_error', message: 'no channel available' },
    ]);
  });

  it.each([
    [{ type: 'insufficient_quota', code: 'insufficient_quota' }, 'quota_exceeded'],
    [{ type: 'requests', code: 'rate_limit_exceeded' }, 'rate_limited'],
    [{ type: 'invalid_request_error', code: 'invalid_api_key' }, 'auth'],
    [{ type: 'invalid_request_error', code: 'model_not_found' }, 'not_found'],
    [{ type: 'new_api_error', code: 'pre_consume_token_quota_failed' }, 'quota_exceeded'],
    [{ type: 'server_error' }, 'stream_error'],
  ])('classifies a 200 error body %o by its type as %s (issue 11)', (fields, errorType) => {
    expect(openaiAdapter.decodeBody({ error: { message: 'm', ...fields } })).toEqual([{ kind: 'error', errorType, message: 'm' }]);
  });

  it('reports a wrong shape as invalid', () => {
    expect(openaiAdapter.decodeBody({ id: 'x', object: 'chat.completion' })[0]?.kind).toBe('invalid');
    expect(openaiAdapter.decodeBody({ choices: 'nope' })[0]?.kind).toBe('invalid');
    expect(openaiAdapter.decodeBody([1])[0]?.kind).toBe('invalid');
    expect(openaiAdapter.decodeBody(null)[0]?.kind).toBe('invalid');
    expect(openaiAdapter.decodeBody('text')[0]?.kind).toBe('invalid');
  });
});

describe('openai buildBody', () => {
  const spec: RequestSpec = {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Reply with OK' },
    ],
    maxTokens: 16,
    stream: true,
  };

  it('builds a streaming body that asks for usage', () => {
    expect(openaiAdapter.buildBody(spec)).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Reply with OK' },
      ],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('builds a non-streaming body without stream_options', () => {
    const b = openaiAdapter.buildBody({ ...spec, stream: false });
    expect(b['stream']).toBe(false);
    expect(b).not.toHaveProperty('stream_options');
  });

  it('sends a replayed body as is, setting model, stream, usage and a limit only when absent', () => {
    const replay = { model: 'old', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, stream: false };
    const b = openaiAdapter.buildBody({ ...spec, body: replay });
    expect(b).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      stream: true,
      max_tokens: 16,
      stream_options: { include_usage: true },
    });
    expect(replay).toEqual({ model: 'old', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, stream: false });
  });

  it("keeps the replayed body's own token limit", () => {
    expect(openaiAdapter.buildBody({ ...spec, body: { max_tokens: 500 } })['max_tokens']).toBe(500);
    const b = openaiAdapter.buildBody({ ...spec, body: { max_completion_tokens: 900 } });
    expect(b['max_completion_tokens']).toBe(900);
    expect(b).not.toHaveProperty('max_tokens');
  });

  it('merges include_usage into existing stream_options, and drops stream_options when not streaming', () => {
    const b = openaiAdapter.buildBody({ ...spec, body: { stream_options: { include_usage: false, other: 1 } } });
    expect(b['stream_options']).toEqual({ include_usage: true, other: 1 });
    const n = openaiAdapter.buildBody({ ...spec, stream: false, body: { stream: true, stream_options: { include_usage: true } } });
    expect(n['stream']).toBe(false);
    expect(n).not.toHaveProperty('stream_options');
  });
});

describe('openai headers and models', () => {
  it('sends Bearer auth for authorization, the raw key for any other header, nothing for no key', () => {
    expect(openaiAdapter.headers('sk-test-1234', 'authorization')).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer sk-test-1234',
    });
    expect(openaiAdapter.headers('azkey-5678', 'api-key')).toEqual({ 'content-type': 'application/json', 'api-key': 'azkey-5678' });
    expect(openaiAdapter.headers('k-9999', 'Authorization')).toEqual({ 'content-type': 'application/json', authorization: 'Bearer k-9999' });
    expect(openaiAdapter.headers(null, 'authorization')).toEqual({ 'content-type': 'application/json' });
  });

  it('has the right paths', () => {
    expect(openaiAdapter.protocol).toBe('openai');
    expect(openaiAdapter.chatPath).toBe('/chat/completions');
    expect(openaiAdapter.modelsPath).toBe('/models');
  });

  it('lists model ids and rejects a wrong shape', () => {
    expect(openaiAdapter.parseModelList({ object: 'list', data: [{ id: 'gpt-4o' }, { id: 'o3-mini' }, { object: 'model' }] })).toEqual([
      'gpt-4o',
      'o3-mini',
    ]);
    expect(() => openaiAdapter.parseModelList({ models: [] })).toThrow(/data/);
    expect(() => openaiAdapter.parseModelList('x')).toThrow();
  });
});

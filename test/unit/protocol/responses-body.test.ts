import { describe, expect, it } from 'vitest';
import { openaiResponsesAdapter } from '../../../src/protocol/openai-responses.js';
import { adapterFor } from '../../../src/protocol/index.js';

describe('openai-responses decodeBody', () => {
  const body = {
    id: 'resp_b',
    object: 'response',
    model: 'gpt-5-mini-2025-08-07',
    status: 'completed',
    output: [
      { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'ponder' }] },
      { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Xin ', annotations: [] }, { type: 'output_text', text: 'chào' }] },
      { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"q":"é"}', status: 'completed' },
    ],
    usage: { input_tokens: 20, input_tokens_details: { cached_tokens: 16 }, output_tokens: 8, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 28 },
    incomplete_details: null,
  };

  it('turns a whole response into meta, tokens per channel, the tool call, finish, usage, done', () => {
    expect(openaiResponsesAdapter.decodeBody(body)).toEqual([
      { kind: 'meta', id: 'resp_b', model: 'gpt-5-mini-2025-08-07' },
      { kind: 'token', channel: 'reasoning', text: 'ponder' },
      { kind: 'token', channel: 'content', text: 'Xin chào' },
      { kind: 'token', channel: 'tool', text: '{"q":"é"}' },
      { kind: 'tool_call', index: 2, id: 'fc_1', name: 'f', args: '{"q":"é"}' },
      { kind: 'finish', reason: 'tool_calls' },
      { kind: 'usage', inputTokens: 20, outputTokens: 8, cachedInputTokens: 16, reasoningTokens: 3 },
      { kind: 'done' },
    ]);
  });

  it('an incomplete response is a length finish, still a whole answer', () => {
    const events = openaiResponsesAdapter.decodeBody({ ...body, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [body.output[1]] });
    expect(events).toContainEqual({ kind: 'finish', reason: 'length' });
    expect(events.at(-1)).toEqual({ kind: 'done' });
  });

  it('a failed response or an error body is an error', () => {
    expect(openaiResponsesAdapter.decodeBody({ ...body, status: 'failed', error: { code: 'server_error', message: 'failed' } })).toEqual([
      { kind: 'error', errorType: 'stream_error', message: 'failed' },
    ]);
    expect(openaiResponsesAdapter.decodeBody({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } })).toEqual([
      { kind: 'error', errorType: 'rate_limited', message: 'Rate limit reached' },
    ]);
    expect(openaiResponsesAdapter.decodeBody({ ...body, status: 'failed', error: null })[0]).toMatchObject({ kind: 'error', errorType: 'stream_error' });
  });

  it('reports a wrong shape as invalid', () => {
    expect(openaiResponsesAdapter.decodeBody({ id: 'x', object: 'response' })[0]?.kind).toBe('invalid');
    expect(openaiResponsesAdapter.decodeBody({ output: 'nope' })[0]?.kind).toBe('invalid');
    expect(openaiResponsesAdapter.decodeBody(null)[0]?.kind).toBe('invalid');
  });

  it('emits no token for empty output', () => {
    expect(openaiResponsesAdapter.decodeBody({ id: 'e', output: [{ type: 'message', content: [{ type: 'output_text', text: '' }] }] })).toEqual([
      { kind: 'meta', id: 'e' },
      { kind: 'done' },
    ]);
  });

  it('lists models from {data: [{id}]}', () => {
    expect(openaiResponsesAdapter.parseModelList({ object: 'list', data: [{ id: 'gpt-5' }, { id: 'o3' }] })).toEqual(['gpt-5', 'o3']);
    expect(() => openaiResponsesAdapter.parseModelList({})).toThrow(/data/);
  });

  it('is the adapter for openai-responses, at /responses, with a Bearer key', () => {
    expect(adapterFor('openai-responses')).toBe(openaiResponsesAdapter);
    expect(openaiResponsesAdapter.chatPath).toBe('/responses');
    expect(openaiResponsesAdapter.modelsPath).toBe('/models');
    expect(openaiResponsesAdapter.headers('sk-x', 'authorization')).toEqual({ 'content-type': 'application/json', authorization: 'Bearer sk-x' });
  });
});

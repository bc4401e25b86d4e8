import { encode, encodeChat } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { errorReply, notFoundReply, overloadedStatus } from '../../../src/mock/error-replies.js';
import {
  AnthropicStreamWriter,
  anthropicBody,
  fingerprintFor,
  MODELS_BODY,
  OpenAIStreamWriter,
  openaiBody,
  promptTokens,
  requestedMaxTokens,
  responseText,
  TOKEN_JSON,
  type ResponseIdentity,
} from '../../../src/mock/wire.js';

const id: ResponseIdentity = { id: 'chatcmpl-x1', model: 'gpt-4o', created: 1_700_000_000, promptTokens: 7, fingerprint: 'fp_mock' };

/** SSE text → [{event, data}] (no multi-line data in our output). */
function frames(text: string): Array<{ event: string | null; data: string }> {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const ev = lines.find((l) => l.startsWith('event: '));
      const data = lines.find((l) => l.startsWith('data: '));
      return { event: ev ? ev.slice(7) : null, data: data!.slice(6) };
    });
}

describe('OpenAIStreamWriter', () => {
  it('opens with a role-only delta whose content is empty', () => {
    const [f] = frames(new OpenAIStreamWriter(id, true).open());
    const j = JSON.parse(f!.data);
    expect(j.choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(j.object).toBe('chat.completion.chunk');
    expect(j.system_fingerprint).toBe('fp_mock');
    expect(j.usage).toBeNull();
  });

  it('sends one token per chunk, then finish, usage with choices [] and [DONE]', () => {
    const w = new OpenAIStreamWriter(id, true);
    const tokens = [0, 1, 2].map((i) => JSON.parse(frames(w.token(i))[0]!.data).choices[0].delta.content);
    expect(tokens.join('')).toBe(responseText(3));
    const tail = frames(w.finish('length', 5));
    expect(tail).toHaveLength(3);
    expect(JSON.parse(tail[0]!.data).choices[0]).toMatchObject({ delta: {}, finish_reason: 'length' });
    const usage = JSON.parse(tail[1]!.data);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    expect(usage.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect(tail[2]!.data).toBe('[DONE]');
  });

  it('leaves out the usage chunk and usage fields without include_usage', () => {
    const w = new OpenAIStreamWriter(id, false);
    expect(JSON.parse(frames(w.token(0))[0]!.data)).not.toHaveProperty('usage');
    const tail = frames(w.finish('stop', 3));
    expect(tail.map((f) => f.data.includes('"usage"'))).toEqual([false, false]);
    expect(tail[1]!.data).toBe('[DONE]');
  });

  it('escapes JSON and writes a parseable stream error', () => {
    expect(JSON.parse(new OpenAIStreamWriter({ ...id, model: 'we"ird' }, false).open().slice(6)).model).toBe('we"ird');
    expect(JSON.parse(frames(new OpenAIStreamWriter(id, false).streamError())[0]!.data).error.type).toBe('overloaded_error');
  });
});

describe('AnthropicStreamWriter', () => {
  it('emits the events in the order the API does, with cumulative output usage', () => {
    const w = new AnthropicStreamWriter({ ...id, id: 'msg_1', model: 'claude-sonnet-4-5' });
    const all = frames(w.open() + w.token(0) + w.token(1) + w.finish('end_turn', 2));
    expect(all.map((f) => f.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const f of all) expect(JSON.parse(f.data).type).toBe(f.event);
    const start = JSON.parse(all[0]!.data);
    expect(start.message).toMatchObject({ id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 7 } });
    expect(JSON.parse(all[3]!.data).delta).toEqual({ type: 'text_delta', text: 'The' });
    expect(JSON.parse(all[6]!.data)).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } });
    const err = frames(w.streamError())[0]!;
    expect(err.event).toBe('error');
    expect(JSON.parse(err.data).error.type).toBe('overloaded_error');
  });
});

describe('non-streaming bodies', () => {
  it('builds an OpenAI chat.completion', () => {
    const j = JSON.parse(openaiBody(id, 4, 'stop', 6));
    expect(j).toMatchObject({ object: 'chat.completion', model: 'gpt-4o', system_fingerprint: 'fp_mock' });
    expect(j.choices[0].message.content).toBe(responseText(4));
    expect(j.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 });
  });

  it('builds an Anthropic message', () => {
    const j = JSON.parse(anthropicBody(id, 2, 'max_tokens', 2));
    expect(j).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'max_tokens' });
    expect(j.content).toEqual([{ type: 'text', text: 'The quick' }]);
    expect(j.usage).toMatchObject({ input_tokens: 7, output_tokens: 2 });
  });
});

describe('tokens and requests', () => {
  it('uses words that are one token each, so estimates match usage', () => {
    expect(encode(responseText(TOKEN_JSON.length * 2))).toHaveLength(TOKEN_JSON.length * 2);
  });

  it('bills prompt tokens as relaymon counts them: the chat as the model family encodes it', () => {
    const chat = [{ role: 'user' as const, content: 'Say hello to the mock relay' }];
    expect(promptTokens({ model: 'gpt-4o', messages: chat })).toBe(encodeChat(chat, 'gpt-4o').length);
    expect(promptTokens({ model: 'gpt-4o', messages: chat })).toBe(13);
    // Anthropic's top-level system is framed as a system message; an image adds nothing we could count.
    expect(
      promptTokens({
        model: 'claude-sonnet-4-5',
        system: [{ type: 'text', text: 'abcd' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'abcd' }, { type: 'image' }] }],
      }),
    ).toBe(3 + (3 + encode('system').length + encode('abcd').length) + (3 + encode('user').length + encode('abcd').length));
    expect(promptTokens({ messages: [] })).toBe(3);
  });

  it('gives every answer the same fingerprint, or a new one every N answers', () => {
    expect([0, 1, 2].map((n) => fingerprintFor(n, 0))).toEqual(['fp_mock', 'fp_mock', 'fp_mock']);
    expect([0, 1, 2, 3, 4].map((n) => fingerprintFor(n, 2))).toEqual(['fp_mock_0', 'fp_mock_0', 'fp_mock_1', 'fp_mock_1', 'fp_mock_2']);
  });

  it('leaves usage out when told to (a relay that drops it)', () => {
    const w = new OpenAIStreamWriter(id, true);
    const f = frames(w.finish('stop', null));
    expect(f.map((x) => x.data)).toEqual([expect.stringContaining('"finish_reason":"stop"'), '[DONE]']);
    expect(JSON.parse(openaiBody(id, 2, 'stop', null)).usage).toBeUndefined();
    const a = frames(new AnthropicStreamWriter(id).finish('end_turn', null));
    expect(JSON.parse(a.find((x) => x.event === 'message_delta')!.data).usage).toBeUndefined();
    expect(JSON.parse(anthropicBody(id, 2, 'end_turn', null)).usage).toBeUndefined();
  });

  it('reads the token limit from either field', () => {
    expect(requestedMaxTokens({ max_tokens: 5 })).toBe(5);
    expect(requestedMaxTokens({ max_completion_tokens: 9, max_tokens: 5 })).toBe(9);
    expect(requestedMaxTokens({ max_tokens: 'x' })).toBeNull();
    expect(requestedMaxTokens({})).toBeNull();
  });

  it('lists the known models', () => {
    const j = JSON.parse(MODELS_BODY);
    expect(j.object).toBe('list');
    expect(j.data.map((m: { id: string }) => m.id)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'claude-sonnet-4-5',
      'claude-haiku-4-5',
    ]);
    expect(j.data[0]).toMatchObject({ object: 'model', owned_by: 'relaymon-mock' });
  });
});

describe('error replies', () => {
  it('gives 429 the OpenAI rate-limit body and retry-after', () => {
    const r = errorReply(429, 'openai');
    expect(r.headers['retry-after']).toBe('1');
    expect(JSON.parse(r.body).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(JSON.parse(r.body).error.message).toMatch(/^Rate limit reached/);
    expect(JSON.parse(errorReply(429, 'anthropic').body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('gives 529 and 503 the overloaded body', () => {
    for (const s of [503, 529]) {
      expect(JSON.parse(errorReply(s, 'openai').body)).toEqual({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      });
    }
    expect(overloadedStatus('anthropic')).toBe(529);
    expect(overloadedStatus('openai')).toBe(503);
  });

  it('gives auth, server and unlisted statuses protocol-shaped bodies', () => {
    expect(JSON.parse(errorReply(401, 'openai').body).error.code).toBe('invalid_api_key');
    expect(JSON.parse(errorReply(401, 'anthropic').body).error.type).toBe('authentication_error');
    expect(JSON.parse(errorReply(500, 'openai').body).error.type).toBe('server_error');
    expect(JSON.parse(errorReply(418, 'openai').body).error).toMatchObject({ type: 'invalid_request_error' });
    expect(JSON.parse(errorReply(502, 'anthropic').body).error).toEqual({ type: 'api_error', message: 'Bad Gateway' });
    expect(JSON.parse(errorReply(400, 'openai', 'nope').body).error.message).toBe('nope');
  });

  it('answers unknown paths like OpenAI', () => {
    const r = notFoundReply('GET', '/v2/x');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'unknown_url', message: expect.stringContaining('GET /v2/x') });
  });
});

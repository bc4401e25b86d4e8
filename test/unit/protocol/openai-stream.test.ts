import { describe, expect, it } from 'vitest';
import { openaiAdapter } from '../../../src/protocol/openai.js';
import type { WireEvent } from '../../../src/protocol/adapter.js';
import { chunkings, decode, fold } from './feed.js';

const dec = (): ((data: string, event?: string) => WireEvent[]) => {
  const d = openaiAdapter.newStreamDecoder();
  return (data, event) => d.onEvent(event === undefined ? { data } : { event, data });
};

const chunk = (delta: object, extra: object = {}): string =>
  JSON.stringify({
    id: 'chatcmpl-9',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    ...extra,
  });

/** OpenAI's own shape: role-only opener, content, finish chunk, then a usage chunk with choices: []. */
const OPENAI_STREAM = [
  `data: ${chunk({ role: 'assistant', content: '', refusal: null }, { usage: null })}`,
  `data: ${chunk({ content: 'Xin chào, ' }, { usage: null })}`,
  `data: ${chunk({ content: 'thế giới 🌏 你好' }, { usage: null })}`,
  `data: ${JSON.stringify({ id: 'chatcmpl-9', model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })}`,
  `data: ${JSON.stringify({
    id: 'chatcmpl-9',
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [],
    usage: {
      prompt_tokens: 12,
      completion_tokens: 9,
      total_tokens: 21,
      prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
  })}`,
  'data: [DONE]',
  '',
  '',
].join('\n\n');

describe('openai stream decoder', () => {
  it('decodes a whole OpenAI stream identically however the bytes are cut', () => {
    for (const { name, chunks } of chunkings(OPENAI_STREAM, 40)) {
      const f = fold(decode(openaiAdapter, chunks));
      expect(f.content, name).toBe('Xin chào, thế giới 🌏 你好');
      expect(f.tokenEvents, name).toBe(2);
      expect(f.id, name).toBe('chatcmpl-9');
      expect(f.model, name).toBe('gpt-4o-2024-08-06');
      expect(f.systemFingerprint, name).toBe('fp_44709d6fcb');
      expect(f.usage, name).toEqual({ inputTokens: 12, outputTokens: 9, cachedInputTokens: 4, reasoningTokens: 0 });
      expect(f.done, name).toBe(true);
      expect(f.errors, name).toEqual([]);
      expect(f.invalid, name).toEqual([]);
    }
  });

  it('decodes the same stream with CRLF line ends and keep-alive comments', () => {
    const crlf = `: keep-alive\r\n\r\n${OPENAI_STREAM.replace(/\n/g, '\r\n').replace('data: [DONE]', ': keep-alive\r\n\r\ndata: [DONE]')}`;
    for (const { name, chunks } of chunkings(crlf, 20)) {
      const f = fold(decode(openaiAdapter, chunks));
      expect(f.content, name).toBe('Xin chào, thế giới 🌏 你好');
      expect(f.done, name).toBe(true);
      expect(f.invalid, name).toEqual([]);
    }
  });

  it('does not count a role-only first delta as a token, only as meta', () => {
    const on = dec();
    expect(on(chunk({ role: 'assistant', content: '' }))).toEqual([
      { kind: 'meta', id: 'chatcmpl-9', model: 'gpt-4o-2024-08-06', systemFingerprint: 'fp_44709d6fcb' },
    ]);
    expect(on(chunk({ role: 'assistant' }))).toEqual([]);
    expect(on(chunk({ content: null }))).toEqual([]);
    expect(on(chunk({ content: '', reasoning_content: '', reasoning: null, tool_calls: [] }))).toEqual([]);
  });

  it('emits meta only for fields present, and again only when they change', () => {
    const on = dec();
    expect(on(JSON.stringify({ model: 'm1', choices: [] }))).toEqual([{ kind: 'meta', model: 'm1' }]);
    expect(on(JSON.stringify({ model: 'm1', choices: [] }))).toEqual([]);
    expect(on(JSON.stringify({ id: 'x', model: 'm1', system_fingerprint: '', choices: [] }))).toEqual([{ kind: 'meta', id: 'x' }]);
    expect(on(JSON.stringify({ id: 'x', model: 'm2', choices: [] }))).toEqual([{ kind: 'meta', model: 'm2' }]);
    expect(on(JSON.stringify({ system_fingerprint: 'fp_1', choices: [] }))).toEqual([{ kind: 'meta', systemFingerprint: 'fp_1' }]);
  });

  it('treats content, reasoning_content and reasoning as token channels', () => {
    const on = dec();
    on(chunk({ role: 'assistant', content: '' }));
    expect(on(chunk({ content: null, reasoning_content: 'Let me think' }))).toEqual([
      { kind: 'token', channel: 'reasoning', text: 'Let me think' },
    ]);
    expect(on(chunk({ reasoning: 'OpenRouter style' }))).toEqual([{ kind: 'token', channel: 'reasoning', text: 'OpenRouter style' }]);
    // Some gateways mirror the text in both fields: it is one token, not two.
    expect(on(chunk({ reasoning_content: 'same', reasoning: 'same' }))).toEqual([{ kind: 'token', channel: 'reasoning', text: 'same' }]);
    expect(on(chunk({ content: 'Answer' }))).toEqual([{ kind: 'token', channel: 'content', text: 'Answer' }]);
  });

  it('folds a DeepSeek-style reasoning stream with usage reasoning_tokens', () => {
    const text = [
      `data: ${chunk({ role: 'assistant', content: null, reasoning_content: '' })}`,
      `data: ${chunk({ content: null, reasoning_content: 'Hmm, ' })}`,
      `data: ${chunk({ content: null, reasoning_content: '2+2=4' })}`,
      `data: ${chunk({ content: '4', reasoning_content: null })}`,
      `data: ${chunk({ content: '' }, { choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 28 }, prompt_tokens_details: { cached_tokens: 0 } } })}`,
      'data: [DONE]',
      '',
    ].join('\n\n');
    for (const { name, chunks } of chunkings(text, 10)) {
      const f = fold(decode(openaiAdapter, chunks));
      expect(f.reasoning, name).toBe('Hmm, 2+2=4');
      expect(f.content, name).toBe('4');
      expect(f.tokenEvents, name).toBe(3);
      expect(f.usage, name).toEqual({ inputTokens: 10, outputTokens: 30, reasoningTokens: 28, cachedInputTokens: 0 });
      expect(f.done, name).toBe(true);
    }
  });

  it('reads usage carried on the finish_reason chunk', () => {
    const on = dec();
    const ev = on(
      JSON.stringify({
        id: 'a',
        choices: [{ index: 0, delta: {}, finish_reason: 'length' }],
        usage: { prompt_tokens: 3, completion_tokens: 16, total_tokens: 19 },
      }),
    );
    expect(ev).toEqual([{ kind: 'meta', id: 'a' }, { kind: 'finish', reason: 'length' }, { kind: 'usage', inputTokens: 3, outputTokens: 16 }]);
  });

  it('reads usage on a choices: [] chunk, ignores usage: null, and maps OpenRouter cost', () => {
    const on = dec();
    expect(on(JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' } }], usage: null }))).toEqual([
      { kind: 'token', channel: 'content', text: 'x' },
    ]);
    expect(
      on(
        JSON.stringify({
          choices: [],
          usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, cost: 0.000123, prompt_tokens_details: null },
        }),
      ),
    ).toEqual([{ kind: 'usage', inputTokens: 7, outputTokens: 2, costUsd: 0.000123 }]);
  });

  it('ignores usage fields that are not non-negative numbers', () => {
    const on = dec();
    expect(on(JSON.stringify({ choices: [], usage: { prompt_tokens: '7', completion_tokens: -1, cost: null } }))).toEqual([]);
    expect(on(JSON.stringify({ choices: [], usage: {} }))).toEqual([]);
  });

  it('counts tool-call argument fragments, not the opening delta with the name', () => {
    const text = [
      `data: ${chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] })}`,
      `data: ${chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })}`,
      `data: ${chunk({ tool_calls: [{ index: 0, function: { arguments: '"Hà Nội"}' } }] })}`,
      `data: ${chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}`,
      'data: [DONE]',
      '',
    ].join('\n\n');
    const events = decode(openaiAdapter, chunkings(text, 0)[1]?.chunks ?? []);
    const f = fold(events);
    expect(f.tool).toBe('{"city":"Hà Nội"}');
    expect(f.tokenEvents).toBe(2);
    expect(f.content).toBe('');
    expect(f.done).toBe(true);
  });

  it('counts legacy function_call arguments as tool tokens', () => {
    const on = dec();
    expect(on(chunk({ function_call: { name: 'f', arguments: '' } }))).toEqual([
      { kind: 'meta', id: 'chatcmpl-9', model: 'gpt-4o-2024-08-06', systemFingerprint: 'fp_44709d6fcb' },
      { kind: 'tool_call', index: 0, name: 'f', args: '' },
    ]);
    expect(on(chunk({ function_call: { arguments: '{"a":1}' } }))).toEqual([
      { kind: 'token', channel: 'tool', text: '{"a":1}' },
      { kind: 'tool_call', index: 0, args: '{"a":1}' },
    ]);
  });

  it('reads content given as an array of text parts', () => {
    const on = dec();
    expect(on(JSON.stringify({ choices: [{ delta: { content: [{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }] } }] }))).toEqual([
      { kind: 'token', channel: 'content', text: 'ab' },
    ]);
  });

  it('turns [DONE] into done, with surrounding whitespace too', () => {
    const on = dec();
    expect(on('[DONE]')).toEqual([{ kind: 'done' }]);
    expect(on(' [DONE] ')).toEqual([{ kind: 'done' }]);
  });

  it('reports a stream without [DONE] as not done', () => {
    const text = OPENAI_STREAM.replace('data: [DONE]\n\n', '');
    const f = fold(decode(openaiAdapter, chunkings(text, 0)[0]?.chunks ?? []));
    expect(f.content).toBe('Xin chào, thế giới 🌏 你好');
    expect(f.done).toBe(false);
  });

  it('parses JSON spread over multi-line data fields', () => {
    const text = 'data: {"choices":[{"delta":\ndata: {"content":"hi"}}]}\n\ndata: [DONE]\n\n';
    const f = fold(decode(openaiAdapter, chunkings(text, 0)[1]?.chunks ?? []));
    expect(f.content).toBe('hi');
    expect(f.invalid).toEqual([]);
  });

  describe('in-stream errors', () => {
    it('reads {"error": {...}} data as an error, overloaded by type', () => {
      const on = dec();
      expect(on(JSON.stringify({ error: { message: 'Overloaded', type: 'overloaded_error' } }))).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'Overloaded' },
      ]);
      expect(on(JSON.stringify({ error: { message: 'busy', code: 'overloaded_error' } }))).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'busy' },
      ]);
      expect(on(JSON.stringify({ error: { message: 'The upstream model is overloaded, retry later', type: 'upstream_error' } }))).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'The upstream model is overloaded, retry later' },
      ]);
      expect(on(JSON.stringify({ error: { message: 'Provider returned error', code: 529 } }))).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'Provider returned error' },
      ]);
      expect(on(JSON.stringify({ error: { message: 'Internal server error', type: 'server_error', code: null } }))).toEqual([
        { kind: 'error', errorType: 'stream_error', message: 'Internal server error' },
      ]);
    });

    it('reads an OpenRouter mid-stream error chunk (error plus finish_reason error)', () => {
      const on = dec();
      const ev = on(
        JSON.stringify({
          id: 'gen-1',
          object: 'chat.completion.chunk',
          model: 'anthropic/claude-sonnet-4.5',
          error: { code: 502, message: 'Provider returned error' },
          choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
        }),
      );
      expect(ev).toEqual([
        { kind: 'meta', id: 'gen-1', model: 'anthropic/claude-sonnet-4.5' },
        { kind: 'error', errorType: 'stream_error', message: 'Provider returned error' },
      ]);
    });

    it('reads an SSE event named error, JSON or not', () => {
      const on = dec();
      expect(on('{"error":{"type":"overloaded_error","message":"Overloaded"}}', 'error')).toEqual([
        { kind: 'error', errorType: 'overloaded', message: 'Overloaded' },
      ]);
      expect(on('upstream connection lost', 'error')).toEqual([
        { kind: 'error', errorType: 'stream_error', message: 'upstream connection lost' },
      ]);
      expect(on('{"message":"quota gone"}', 'error')).toEqual([{ kind: 'error', errorType: 'stream_error', message: 'quota gone' }]);
    });

    it('accepts a bare string error and falls back to type or code when there is no message', () => {
      const on = dec();
      expect(on('{"error":"something broke"}')).toEqual([{ kind: 'error', errorType: 'stream_error', message: 'something broke' }]);
      expect(on('{"error":{"type":"server_error"}}')).toEqual([{ kind: 'error', errorType: 'stream_error', message: 'server_error' }]);
      expect(on('{"error":{}}')).toEqual([{ kind: 'error', errorType: 'stream_error', message: 'error reported in the response' }]);
    });

    it('keeps error messages to one line of at most 300 characters', () => {
      const on = dec();
      const long = `line one\nline two\t${'x'.repeat(500)}`;
      const [ev] = on(JSON.stringify({ error: { message: long } }));
      expect(ev?.kind).toBe('error');
      if (ev?.kind !== 'error') return;
      expect(ev.message.length).toBeLessThanOrEqual(300);
      expect(ev.message).not.toMatch(/[\n\t]/);
      expect(ev.message.startsWith('line one line two xxx')).toBe(true);
    });

    it('finds an error framed from a real stream after some tokens', () => {
      const text = `data: ${chunk({ content: 'par' })}\n\ndata: {"error":{"message":"Overloaded","type":"overloaded_error"}}\n\n`;
      for (const { name, chunks } of chunkings(text, 5)) {
        const f = fold(decode(openaiAdapter, chunks));
        expect(f.content, name).toBe('par');
        expect(f.errors, name).toEqual([{ errorType: 'overloaded', message: 'Overloaded' }]);
        expect(f.done, name).toBe(false);
      }
    });
  });

  describe('invalid data', () => {
    it('reports data that is not JSON', () => {
      const [ev] = dec()('{"choices": [');
      expect(ev?.kind).toBe('invalid');
      if (ev?.kind === 'invalid') expect(ev.message).toContain('invalid JSON');
    });

    it('reports JSON that is not an object', () => {
      for (const data of ['42', '"text"', 'null', '[1,2]', 'true']) {
        const [ev] = dec()(data);
        expect(ev?.kind, data).toBe('invalid');
      }
    });

    it('reports an HTML page framed as data', () => {
      const [ev] = dec()('<html><body>Bad gateway</body></html>');
      expect(ev?.kind).toBe('invalid');
    });

    it('reports choices that is not an array', () => {
      const ev = dec()('{"id":"q","choices":{"0":{}}}');
      expect(ev.map((e) => e.kind)).toEqual(['meta', 'invalid']);
    });

    it('accepts chunks with no choices at all (a bare usage or meta chunk)', () => {
      expect(dec()('{"object":"chat.completion.chunk"}')).toEqual([]);
    });
  });
});

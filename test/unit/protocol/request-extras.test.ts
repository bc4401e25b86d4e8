/**
 * What each protocol's request says for the probe kinds (RequestSpec tools,
 * toolChoice, responseSchema, reasoning, cachePrefix), in each API's own words.
 */
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../src/protocol/anthropic.js';
import { openaiAdapter } from '../../../src/protocol/openai.js';
import { openaiResponsesAdapter } from '../../../src/protocol/openai-responses.js';
import type { RequestSpec, ToolDef } from '../../../src/protocol/adapter.js';

const WEATHER: ToolDef = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};
const SCHEMA = { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'], additionalProperties: false };
const BASE: RequestSpec = {
  model: 'm',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'developer', content: 'Answer in English.' },
    { role: 'user', content: 'hi' },
  ],
  maxTokens: 64,
  stream: true,
};

describe('openai (Chat Completions) request', () => {
  it('plain text: no extras', () => {
    expect(openaiAdapter.buildBody(BASE)).toEqual({
      model: 'm',
      messages: BASE.messages,
      max_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('tools and tool_choice', () => {
    const fn = { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: WEATHER.parameters } };
    expect(openaiAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: 'required' })).toMatchObject({ tools: [fn], tool_choice: 'required' });
    expect(openaiAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: 'auto' })['tool_choice']).toBe('auto');
    expect(openaiAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: { name: 'get_weather' } })['tool_choice']).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
    expect(openaiAdapter.buildBody({ ...BASE, tools: [] })['tools']).toBeUndefined();
  });

  it('structured output: response_format json_schema, strict', () => {
    expect(openaiAdapter.buildBody({ ...BASE, responseSchema: { name: 'answer', schema: SCHEMA } })['response_format']).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: SCHEMA, strict: true },
    });
  });

  it('reasoning: reasoning_effort, and max_completion_tokens with room for the budget', () => {
    const body = openaiAdapter.buildBody({ ...BASE, reasoning: { effort: 'low', budgetTokens: 1024 } });
    expect(body['reasoning_effort']).toBe('low');
    expect(body['max_completion_tokens']).toBe(1088);
    expect(body['max_tokens']).toBeUndefined();
  });

  it('cache: nothing to mark (OpenAI caches prefixes itself); the prompt is unchanged', () => {
    expect(openaiAdapter.buildBody({ ...BASE, cachePrefix: true })).toEqual(openaiAdapter.buildBody(BASE));
  });
});

describe('openai-responses request', () => {
  it('plain text: instructions from system and developer, the rest as input, max_output_tokens, no stream_options', () => {
    expect(openaiResponsesAdapter.buildBody(BASE)).toEqual({
      model: 'm',
      instructions: 'You are terse.\n\nAnswer in English.',
      input: [{ role: 'user', content: 'hi' }],
      max_output_tokens: 64,
      stream: true,
    });
    expect(openaiResponsesAdapter.buildBody({ ...BASE, messages: [{ role: 'user', content: 'x' }], stream: false })).toEqual({
      model: 'm',
      input: [{ role: 'user', content: 'x' }],
      max_output_tokens: 64,
      stream: false,
    });
  });

  it('tools are flat functions; tool_choice names a function directly', () => {
    const body = openaiResponsesAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: { name: 'get_weather' } });
    expect(body['tools']).toEqual([{ type: 'function', name: 'get_weather', description: 'The weather in a city', parameters: WEATHER.parameters }]);
    expect(body['tool_choice']).toEqual({ type: 'function', name: 'get_weather' });
    expect(openaiResponsesAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: 'required' })['tool_choice']).toBe('required');
  });

  it('structured output: text.format json_schema, strict', () => {
    expect(openaiResponsesAdapter.buildBody({ ...BASE, responseSchema: { name: 'answer', schema: SCHEMA } })['text']).toEqual({
      format: { type: 'json_schema', name: 'answer', schema: SCHEMA, strict: true },
    });
  });

  it('reasoning: effort with summary auto, and max_output_tokens with room for the budget', () => {
    const body = openaiResponsesAdapter.buildBody({ ...BASE, reasoning: { effort: 'medium', budgetTokens: 512 } });
    expect(body['reasoning']).toEqual({ effort: 'medium', summary: 'auto' });
    expect(body['max_output_tokens']).toBe(576);
  });

  it('cache: the prompt is unchanged', () => {
    expect(openaiResponsesAdapter.buildBody({ ...BASE, cachePrefix: true })).toEqual(openaiResponsesAdapter.buildBody(BASE));
  });

  it('a replayed body is sent as is, with model, stream and max_output_tokens set by relaymon', () => {
    const body = { model: 'orig', input: 'Say hi', instructions: 'x', temperature: 0 };
    expect(openaiResponsesAdapter.buildBody({ ...BASE, model: 'gpt-5', stream: true, maxTokens: 99, body })).toEqual({
      model: 'gpt-5',
      input: 'Say hi',
      instructions: 'x',
      temperature: 0,
      stream: true,
      max_output_tokens: 99,
    });
    // Its own limit is kept; max_tokens (not a Responses field) is never added.
    const own = openaiResponsesAdapter.buildBody({ ...BASE, body: { model: 'x', input: 'y', max_output_tokens: 7 } });
    expect(own['max_output_tokens']).toBe(7);
    expect(own['max_tokens']).toBeUndefined();
  });
});

describe('anthropic (Messages) request', () => {
  it('tools with input_schema; tool_choice any / tool / auto', () => {
    const body = anthropicAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: 'required' });
    expect(body['tools']).toEqual([{ name: 'get_weather', description: 'The weather in a city', input_schema: WEATHER.parameters }]);
    expect(body['tool_choice']).toEqual({ type: 'any' });
    expect(anthropicAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: { name: 'get_weather' } })['tool_choice']).toEqual({ type: 'tool', name: 'get_weather' });
    expect(anthropicAdapter.buildBody({ ...BASE, tools: [WEATHER], toolChoice: 'auto' })['tool_choice']).toEqual({ type: 'auto' });
  });

  it('structured output: the schema offered as one tool, and that tool forced', () => {
    const body = anthropicAdapter.buildBody({ ...BASE, responseSchema: { name: 'answer', schema: SCHEMA } });
    expect(body['tools']).toEqual([{ name: 'answer', description: expect.any(String), input_schema: SCHEMA }]);
    expect(body['tool_choice']).toEqual({ type: 'tool', name: 'answer' });
  });

  it('reasoning: thinking enabled with its budget, max_tokens above the budget', () => {
    const body = anthropicAdapter.buildBody({ ...BASE, reasoning: { effort: 'high', budgetTokens: 1024 } });
    expect(body['thinking']).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(body['max_tokens']).toBe(1088);
    expect(body['max_tokens'] as number).toBeGreaterThan(1024);
  });

  it('cache: the system prompt as text blocks, the last one marked ephemeral', () => {
    const body = anthropicAdapter.buildBody({ ...BASE, cachePrefix: true });
    expect(body['system']).toEqual([
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Answer in English.', cache_control: { type: 'ephemeral' } },
    ]);
    expect(body['messages']).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('cache without a system prompt marks the first message', () => {
    const body = anthropicAdapter.buildBody({ ...BASE, messages: [{ role: 'user', content: 'long prefix' }], cachePrefix: true });
    expect(body['system']).toBeUndefined();
    expect(body['messages']).toEqual([{ role: 'user', content: [{ type: 'text', text: 'long prefix', cache_control: { type: 'ephemeral' } }] }]);
  });

  it('plain text is as before', () => {
    expect(anthropicAdapter.buildBody(BASE)).toEqual({
      model: 'm',
      system: 'You are terse.\n\nAnswer in English.',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 64,
      stream: true,
    });
  });
});

describe('a replayed body', () => {
  it('ignores the probe extras in every protocol: the body is what is sent', () => {
    const spec: RequestSpec = { ...BASE, tools: [WEATHER], reasoning: { effort: 'low', budgetTokens: 9 }, body: { model: 'x', messages: [], max_tokens: 5 } };
    for (const a of [openaiAdapter, anthropicAdapter]) {
      const body = a.buildBody(spec);
      expect(body['tools']).toBeUndefined();
      expect(body['max_tokens']).toBe(5);
    }
  });
});

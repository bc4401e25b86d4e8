/** Request bodies of each protocol for the mock's features, written from the APIs' own shapes. */
import type { WireProtocol } from './raw-sse.js';

export const WEATHER_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    days: { type: 'integer', minimum: 1, maximum: 14 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    options: { type: 'object', properties: { hourly: { type: 'boolean' } }, required: ['hourly'] },
  },
  required: ['city', 'days', 'unit', 'options'],
  additionalProperties: false,
};

/** ≈ 5,100 characters: over the 1,024-token cache minimum by the mock's chars/4 estimate. */
export const LONG_PREFIX = 'This system prompt stays the same on every request of the cache test. '.repeat(73);

export interface Features {
  stream?: boolean;
  tools?: boolean;
  json?: boolean;
  reasoning?: boolean;
  cache?: boolean;
  max?: number;
  /** Changes the last user message, so a cache repeat differs only after the prefix. */
  question?: string;
}

const TOOL = { name: 'get_weather', description: 'Forecast for a city' };

export function bodyFor(p: WireProtocol, f: Features = {}): Record<string, unknown> {
  const question = f.question ?? 'What is the weather in Paris?';
  const stream = f.stream ?? true;
  if (p === 'openai') {
    const b: Record<string, unknown> = {
      model: 'gpt-4o',
      stream,
      messages: [...(f.cache ? [{ role: 'system', content: LONG_PREFIX }] : []), { role: 'user', content: question }],
    };
    if (stream) b['stream_options'] = { include_usage: true };
    if (f.max !== undefined) b['max_completion_tokens'] = f.max;
    if (f.tools) {
      b['tools'] = [{ type: 'function', function: { ...TOOL, parameters: WEATHER_SCHEMA } }];
      b['tool_choice'] = 'required';
    }
    if (f.json) b['response_format'] = { type: 'json_schema', json_schema: { name: 'weather', schema: WEATHER_SCHEMA, strict: true } };
    if (f.reasoning) b['reasoning_effort'] = 'low';
    return b;
  }
  if (p === 'anthropic') {
    const b: Record<string, unknown> = { model: 'claude-sonnet-4-5', stream, max_tokens: f.max ?? 1024, messages: [{ role: 'user', content: question }] };
    if (f.cache) b['system'] = [{ type: 'text', text: LONG_PREFIX, cache_control: { type: 'ephemeral' } }];
    if (f.tools) {
      b['tools'] = [{ ...TOOL, input_schema: WEATHER_SCHEMA }];
      b['tool_choice'] = { type: 'any' };
    }
    if (f.json) {
      // Anthropic has no response_format: structured output is one tool the model must call.
      b['tools'] = [{ name: 'weather', description: 'Answer in this shape', input_schema: WEATHER_SCHEMA }];
      b['tool_choice'] = { type: 'tool', name: 'weather' };
    }
    if (f.reasoning) b['thinking'] = { type: 'enabled', budget_tokens: 1024 };
    return b;
  }
  const b: Record<string, unknown> = { model: 'gpt-4o', stream, input: [{ role: 'user', content: question }] };
  if (f.cache) b['instructions'] = LONG_PREFIX;
  if (f.max !== undefined) b['max_output_tokens'] = f.max;
  if (f.tools) {
    b['tools'] = [{ type: 'function', ...TOOL, parameters: WEATHER_SCHEMA }];
    b['tool_choice'] = 'required';
  }
  if (f.json) b['text'] = { format: { type: 'json_schema', name: 'weather', schema: WEATHER_SCHEMA, strict: true } };
  if (f.reasoning) b['reasoning'] = { effort: 'low', summary: 'auto' };
  return b;
}

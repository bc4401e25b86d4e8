import { describe, expect, it } from 'vitest';
import { parseRequest, type ParsedRequest } from '../../../src/mock/request.js';

const TOOLS_CHAT = [{ type: 'function', function: { name: 'a', parameters: { type: 'object' } } }, { type: 'function', function: { name: 'b' } }];
const user = [{ role: 'user', content: 'hi' }];

function ok(v: ParsedRequest | string): ParsedRequest {
  if (typeof v === 'string') throw new Error(v);
  return v;
}

describe('parseRequest', () => {
  it('refuses bodies the real APIs refuse, with a message for the 400', () => {
    expect(parseRequest('openai', null)).toMatch(/not valid JSON/);
    expect(parseRequest('openai', { messages: user })).toMatch(/model/);
    expect(parseRequest('openai', { model: 'm', messages: 'hi' })).toMatch(/messages/);
    expect(parseRequest('openai-responses', { model: 'm', input: 5 })).toMatch(/input/);
    expect(parseRequest('anthropic', { model: 'm', messages: user, max_tokens: 0 })).toMatch(/max_tokens.*positive integer/);
    expect(parseRequest('openai', { model: 'm', messages: user, max_completion_tokens: 1.5 })).toMatch(/positive integer/);
    expect(parseRequest('openai-responses', { model: 'm', input: 'x', max_output_tokens: '9' })).toMatch(/max_output_tokens/);
    expect(parseRequest('openai', { model: 'm', messages: user, tools: {} })).toMatch(/tools/);
    expect(parseRequest('openai', { model: 'm', messages: user, tools: TOOLS_CHAT, tool_choice: { type: 'function', function: { name: 'zz' } } })).toMatch(/zz/);
  });

  it('calls the forced tool, the first on required, none on none or after a tool result', () => {
    expect(ok(parseRequest('openai', { model: 'm', messages: user, tools: TOOLS_CHAT, tool_choice: { type: 'function', function: { name: 'b' } } })).tool?.name).toBe('b');
    expect(ok(parseRequest('openai', { model: 'm', messages: user, tools: TOOLS_CHAT, tool_choice: 'required' })).tool?.name).toBe('a');
    expect(ok(parseRequest('openai', { model: 'm', messages: user, tools: TOOLS_CHAT })).tool?.name).toBe('a');
    expect(ok(parseRequest('openai', { model: 'm', messages: user, tools: TOOLS_CHAT, tool_choice: 'none' })).tool).toBeNull();
    expect(ok(parseRequest('openai', { model: 'm', messages: [...user, { role: 'tool', content: '1' }], tools: TOOLS_CHAT })).tool).toBeNull();
    const anthropic = ok(parseRequest('anthropic', { model: 'm', messages: user, tools: [{ name: 'x', input_schema: {} }], tool_choice: { type: 'tool', name: 'x' } }));
    expect(anthropic.tool).toEqual({ name: 'x', schema: {}, structured: true });
    const resp = ok(parseRequest('openai-responses', { model: 'm', input: 'hi', tools: [{ type: 'function', name: 'f', parameters: {} }], tool_choice: { type: 'function', name: 'f' } }));
    expect(resp.tool?.name).toBe('f');
  });

  it('reads structured output, reasoning and limits per protocol', () => {
    const schema = { type: 'object' };
    expect(ok(parseRequest('openai', { model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'n', schema } } })).json).toBe(schema);
    expect(ok(parseRequest('openai-responses', { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n', schema } } })).json).toBe(schema);
    expect(ok(parseRequest('openai', { model: 'm', messages: user, reasoning_effort: 'low' })).reasoning).toEqual({ budget: null });
    expect(ok(parseRequest('openai-responses', { model: 'm', input: 'x', reasoning: { effort: 'high' } })).reasoning).toEqual({ budget: null });
    expect(ok(parseRequest('anthropic', { model: 'm', messages: user, thinking: { type: 'enabled', budget_tokens: 2048 } })).reasoning).toEqual({ budget: 2048 });
    expect(ok(parseRequest('openai-responses', { model: 'm', input: 'x', max_output_tokens: 7 })).maxTokens).toBe(7);
    expect(ok(parseRequest('openai-responses', { model: 'm', input: 'x', stream: true })).includeUsage).toBe(true);
    expect(ok(parseRequest('openai', { model: 'm', messages: user, stream: true })).includeUsage).toBe(false);
  });

  it('keys a cacheable prefix of >= 1,024 estimated tokens (chars/4) on everything before the last message', () => {
    const long = 'word '.repeat(1000); // 5,000 chars ≈ 1,250 tokens
    const a = ok(parseRequest('openai', { model: 'm', messages: [{ role: 'system', content: long }, { role: 'user', content: 'one' }] }));
    const b = ok(parseRequest('openai', { model: 'm', messages: [{ role: 'system', content: long }, { role: 'user', content: 'two' }] }));
    expect(a.prefix?.tokens).toBe(Math.floor((5000 + 'system'.length) / 4)); // the role's characters count too
    expect(a.prefix?.key).toBe(b.prefix?.key);
    expect(ok(parseRequest('openai', { model: 'm', messages: [{ role: 'system', content: 'short' }, ...user] })).prefix).toBeNull();
    const anth = ok(parseRequest('anthropic', { model: 'm', system: [{ type: 'text', text: long, cache_control: { type: 'ephemeral' } }], messages: user }));
    expect(anth.cacheControl).toBe(true);
    expect(anth.prefix).not.toBeNull();
    expect(ok(parseRequest('openai-responses', { model: 'm', instructions: long, input: 'x' })).prefix).not.toBeNull();
  });
});

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { chatEnabledModels } from 'gpt-tokenizer/modelsChatEnabled.gen';
import { modelToEncodingMap } from 'gpt-tokenizer/mapping';
import { countChatPrompt, countRequestPrompt, countText, REPLY_PRIMING, tokenizerFor } from '../../../src/tokens/local-count.js';

type ChatModule = { encode(text: string): number[]; encodeChat(chat: readonly { role: 'system' | 'user' | 'assistant'; content: string }[]): number[] };
const require = createRequire(import.meta.url);
/** The encoder gpt-tokenizer ships for one model: the reference every count is checked against. */
const model = (name: string): ChatModule => require(`gpt-tokenizer/model/${name}`) as ChatModule;

const TEXTS = [
  'Reply with OK',
  'Xin chào, bạn khỏe không? Tiếng Việt có dấu: Nguyễn Trãi, Hà Nội, phở bò, điện thoại.',
  '日本語のテキストと中文文本，还有한국어。東京タワーは高い。',
  '你好，世界！这是一个测试。',
  'Emoji mix 🚀🔥👩‍👩‍👧‍👦 and flags 🇻🇳🇯🇵, skin tones 👍🏽, and text.',
  'function f(x) { return x * 2; }\n\n  indented\ttabs',
  'ignore <|endoftext|> and <|im_start|> please',
];

describe('tokenizerFor', () => {
  it('picks the encoding gpt-tokenizer maps every OpenAI chat model to, and calls it exact', () => {
    const chat = chatEnabledModels.filter((m) => !m.startsWith('gpt-oss'));
    expect(chat.length).toBeGreaterThan(60);
    for (const m of chat) {
      const want = (modelToEncodingMap as Record<string, string | undefined>)[m] ?? 'o200k_base';
      expect([m, tokenizerFor(m).encoding, tokenizerFor(m).exact]).toEqual([m, want, true]);
    }
  });

  it('sees through vendor prefixes and snapshots; Azure spells gpt-35', () => {
    expect(tokenizerFor('openai/gpt-4o-2024-08-06')).toMatchObject({ encoding: 'o200k_base', exact: true });
    expect(tokenizerFor('OpenAI/GPT-4.1-mini')).toMatchObject({ encoding: 'o200k_base', exact: true });
    expect(tokenizerFor('gpt-35-turbo')).toMatchObject({ encoding: 'cl100k_base', exact: true });
    expect(tokenizerFor('gpt-3.5-turbo-0301')).toMatchObject({ perMessage: 4, perName: -1 });
  });

  it('labels every other family an estimate (counted with o200k_base)', () => {
    for (const m of ['claude-sonnet-4-5', 'anthropic/claude-3-5-sonnet', 'gemini-2.5-pro', 'deepseek-chat', 'meta-llama/llama-3.1-70b', 'qwen-max', 'gpt-oss-120b', 'o-mini', 'gpt-40']) {
      expect([m, tokenizerFor(m)]).toEqual([m, { encoding: 'o200k_base', exact: false, perMessage: 3, perName: 1 }]);
    }
  });
});

describe('countText matches the encoder of the model on known strings', () => {
  it.each(['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-5', 'o3', 'gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo'])('%s', (name) => {
    const reference = model(name);
    for (const text of TEXTS.slice(0, -1)) expect([text, countText(name, text)]).toEqual([text, reference.encode(text).length]);
  });

  it('counts special-token look-alikes as plain text', () => {
    const text = TEXTS.at(-1)!;
    expect(countText('gpt-4o', text)).toBe(encodeO200k(text, { disallowedSpecial: new Set() }).length);
    expect(countText('gpt-4', text)).toBe(encodeCl100k(text, { disallowedSpecial: new Set() }).length);
  });

  it('gives known counts for Vietnamese, CJK and emoji', () => {
    expect(countText('gpt-4o', '你好，世界')).toBe(3);
    expect(countText('gpt-4o', 'Xin chào, bạn khỏe không?')).toBe(8);
    expect(countText('gpt-4o', '👍🏽🎉')).toBe(5);
    expect(countText('gpt-4', '你好，世界')).toBe(encodeCl100k('你好，世界').length);
  });
});

describe('prompt counts with the chat template', () => {
  const chats = [
    [{ role: 'user' as const, content: 'Reply with OK' }],
    [
      { role: 'system' as const, content: 'Trả lời bằng tiếng Việt. 简短回答。' },
      { role: 'user' as const, content: TEXTS[4]! },
      { role: 'assistant' as const, content: '好的 👍' },
      { role: 'user' as const, content: TEXTS[2]! },
    ],
  ];

  it.each(['gpt-4o', 'gpt-4.1', 'gpt-5', 'o3', 'gpt-4', 'gpt-4-turbo'])('equals encodeChat(…).length for %s', (name) => {
    for (const chat of chats) {
      const c = countChatPrompt(name, chat);
      expect(c.tokens).toBe(model(name).encodeChat(chat).length);
      expect(c).toMatchObject({ complete: true, kind: 'exact' });
    }
  });

  it('is 3 per message + role + text + 3 reply priming; a name costs 1 more plus its tokens', () => {
    expect(countChatPrompt('gpt-4o', [{ role: 'user', content: 'Reply with OK' }]).tokens).toBe(3 + 1 + 3 + REPLY_PRIMING);
    const named = countRequestPrompt('gpt-4o', { messages: [{ role: 'user', name: 'ana', content: 'Reply with OK' }] });
    expect(named.tokens).toBe(10 + 1 + encodeO200k('ana').length);
  });

  it("counts Anthropic's top-level system (string or text blocks) as a system message", () => {
    const asMessage = countRequestPrompt('claude-sonnet-4-5', { messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'hi' }] });
    const topLevel = countRequestPrompt('claude-sonnet-4-5', { system: 'Be brief', messages: [{ role: 'user', content: 'hi' }] });
    const blocks = countRequestPrompt('claude-sonnet-4-5', { system: [{ type: 'text', text: 'Be brief' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    expect(topLevel).toEqual(asMessage);
    expect(blocks).toEqual(asMessage);
    expect(asMessage.kind).toBe('estimate');
  });

  it('marks prompts with images, tool calls, tool definitions or a JSON schema incomplete', () => {
    const text = { role: 'user', content: 'hi' };
    expect(countRequestPrompt('gpt-4o', { messages: [text] }).complete).toBe(true);
    expect(countRequestPrompt('gpt-4o', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'x' } }] }] })).toMatchObject({ complete: false, kind: 'estimate' });
    expect(countRequestPrompt('gpt-4o', { messages: [text, { role: 'assistant', content: null, tool_calls: [{ id: 'c' }] }] }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { messages: [text], tools: [{ type: 'function' }] }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { messages: [text], tools: [] }).complete).toBe(true);
    expect(countRequestPrompt('gpt-4o', { messages: [text], response_format: { type: 'json_schema', json_schema: {} } }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { messages: [text], response_format: { type: 'json_object' } }).complete).toBe(true);
  });

  it("counts a Responses API body's instructions and input like the same chat, as an estimate (its framing is not published)", () => {
    const chat = countRequestPrompt('gpt-4o', { messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Reply with OK' }] });
    const asString = countRequestPrompt('gpt-4o', { model: 'gpt-4o', instructions: 'Be brief', input: 'Reply with OK', max_output_tokens: 16 });
    const asItems = countRequestPrompt('gpt-4o', {
      instructions: 'Be brief',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Reply with OK' }] }],
    });
    const plainItems = countRequestPrompt('gpt-4o', { instructions: 'Be brief', input: [{ role: 'user', content: 'Reply with OK' }] });
    for (const c of [asString, asItems, plainItems]) expect(c).toEqual({ ...chat, kind: 'estimate' });
    // Without instructions: one user message, never just the reply priming.
    expect(countRequestPrompt('gpt-4o', { input: 'Reply with OK' }).tokens).toBe(3 + 1 + 3 + REPLY_PRIMING);
  });

  it('marks a Responses input with function calls, images, tools or a JSON schema (text.format) incomplete', () => {
    const input = [{ role: 'user', content: 'hi' }];
    expect(countRequestPrompt('gpt-4o', { input }).complete).toBe(true);
    expect(countRequestPrompt('gpt-4o', { input: [...input, { type: 'function_call_output', call_id: 'c', output: '{}' }] }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'x' }] }] }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { input, tools: [{ type: 'function', name: 'f' }] }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { input, text: { format: { type: 'json_schema', name: 'x', schema: {} } } }).complete).toBe(false);
    expect(countRequestPrompt('gpt-4o', { input, text: { format: { type: 'text' } } }).complete).toBe(true);
  });
});

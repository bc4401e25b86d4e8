import { describe, expect, it } from 'vitest';
import { jsonOutput, makeAnswer, textAnswer } from '../../../src/mock/answer.js';
import { AnthropicStreamWriter } from '../../../src/mock/wire-anthropic.js';
import { ResponsesStreamWriter, responsesBody } from '../../../src/mock/wire-responses.js';
import { HONEST_WIRE, type ResponseIdentity, type WireKnobs } from '../../../src/mock/wire-text.js';
import { OpenAIStreamWriter, openaiBody } from '../../../src/mock/wire.js';

const id: ResponseIdentity = { id: 'resp_x1', model: 'gpt-4o', created: 1_700_000_000, promptTokens: 9, fingerprint: 'fp_mock', cachedTokens: 0 };

type Frame = { event: string | null; data: string; json: Record<string, unknown> | null };
function frames(text: string): Frame[] {
  if (text === '') return [];
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const ev = lines.find((l) => l.startsWith('event: '));
      const data = lines.find((l) => l.startsWith('data: '))!.slice(6);
      return { event: ev ? ev.slice(7) : null, data, json: data.startsWith('{') ? (JSON.parse(data) as Record<string, unknown>) : null };
    });
}

interface Writer {
  open(): string;
  token(i: number): string;
}
function run(w: Writer, n: number, finish: () => string): Frame[] {
  let s = w.open();
  for (let i = 0; i < n; i++) s += w.token(i);
  return frames(s + finish());
}
const knobs = (k: Partial<WireKnobs>): WireKnobs => ({ ...HONEST_WIRE, ...k });
const TOOL = jsonOutput('tool', '{"city":"Paris","days":3}', 'weather');

describe('ResponsesStreamWriter', () => {
  it('sends reasoning, then the message, in the API order, each event typed like its event line', () => {
    const a = makeAnswer(2, { kind: 'text', count: 3 });
    const w = new ResponsesStreamWriter(id, a);
    const all = run(w, a.pieces, () => w.finish('completed', 5));
    for (const f of all) expect(f.json!['type']).toBe(f.event);
    expect(all.map((f) => f.json!['sequence_number'])).toEqual(all.map((_, i) => i));
    expect(all.map((f) => f.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = all.at(-1)!.json!['response'] as Record<string, unknown>;
    expect(done).toMatchObject({
      status: 'completed',
      usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 14 },
      incomplete_details: null,
    });
    expect(done['output']).toEqual([
      { id: 'rs_x1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Let me' }] },
      { id: 'msg_x1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'The quick brown', annotations: [] }] },
    ]);
  });

  it('streams a function call and ends incomplete at the limit', () => {
    const a = { ...makeAnswer(0, TOOL), capped: true };
    const w = new ResponsesStreamWriter(id, a);
    const all = run(w, a.pieces, () => w.finish('incomplete', 4));
    expect(all[2]!.json).toMatchObject({ type: 'response.output_item.added', item: { type: 'function_call', call_id: 'call_x1', name: 'weather', arguments: '' } });
    const deltas = all.filter((f) => f.event === 'response.function_call_arguments.delta');
    expect(deltas.map((f) => f.json!['delta']).join('')).toBe('{"city":"Paris","days":3}');
    expect(new Set(deltas.map((f) => f.json!['item_id']))).toEqual(new Set(['fc_x1']));
    expect(all.at(-1)!.json).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  it('builds the non-streamed body', () => {
    const j = JSON.parse(responsesBody(id, 5, 'completed', 5, makeAnswer(2, { kind: 'text', count: 3 }))) as Record<string, unknown>;
    expect(j).toMatchObject({ id: 'resp_x1', object: 'response', model: 'gpt-4o', status: 'completed', usage: { output_tokens: 5 } });
    expect((j['output'] as unknown[]).length).toBe(2);
  });

  it('applies the writer knobs', () => {
    const a = makeAnswer(2, TOOL);
    const drop = run(new ResponsesStreamWriter(id, a, knobs({ dropReasoning: true, omitTerminator: true })), a.pieces, () => '');
    expect(drop.some((f) => f.event?.includes('reasoning'))).toBe(false);
    const w = new ResponsesStreamWriter(id, a, knobs({ omitTerminator: true, mangle: 'id' }));
    const all = run(w, a.pieces, () => w.finish('completed', 3));
    expect(all.some((f) => f.event === 'response.completed')).toBe(false);
    const ids = all.filter((f) => f.event === 'response.function_call_arguments.delta').map((f) => f.json!['item_id']);
    expect(new Set(ids).size).toBe(ids.length);
    const m = new ResponsesStreamWriter(id, a, knobs({ misorder: true }));
    const order = run(m, a.pieces, () => m.finish('completed', 3)).map((f) => f.event);
    expect(order.lastIndexOf('response.function_call_arguments.delta')).toBeGreaterThan(order.lastIndexOf('response.output_item.done'));
  });
});

describe('Anthropic and Chat Completions writers', () => {
  it('Anthropic: a thinking block, then tool_use with input_json_delta', () => {
    const a = makeAnswer(2, TOOL);
    const w = new AnthropicStreamWriter({ ...id, id: 'msg_1' }, a);
    const all = run(w, a.pieces, () => w.finish('tool_use', 9));
    const starts = all.filter((f) => f.event === 'content_block_start').map((f) => f.json!['content_block']);
    expect(starts).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} },
    ]);
    const partial = all.filter((f) => (f.json?.['delta'] as { type?: string } | undefined)?.type === 'input_json_delta');
    expect(partial.map((f) => (f.json!['delta'] as { partial_json: string }).partial_json).join('')).toBe('{"city":"Paris","days":3}');
    expect(partial.every((f) => f.json!['index'] === 1)).toBe(true);
    expect(all.at(-2)!.json).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('Chat Completions: reasoning_content, then one tool call whose id and name come once', () => {
    const a = makeAnswer(2, TOOL);
    const w = new OpenAIStreamWriter({ ...id, id: 'chatcmpl-1' }, true, a);
    const all = run(w, a.pieces, () => w.finish('tool_calls', 9));
    const deltas = all.map((f) => (f.json?.['choices'] as Array<{ delta: Record<string, unknown> }> | undefined)?.[0]?.delta);
    expect(deltas.filter((d) => d?.['reasoning_content']).length).toBe(2);
    const calls = deltas.flatMap((d) => (d?.['tool_calls'] as Array<Record<string, unknown>> | undefined) ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_1', type: 'function', function: { name: 'weather' } });
    expect(calls.slice(1).every((c) => c['id'] === undefined && c['index'] === 0)).toBe(true);
    expect(calls.map((c) => (c['function'] as { arguments: string }).arguments).join('')).toBe('{"city":"Paris","days":3}');
    const usage = all.at(-2)!.json!['usage'] as { completion_tokens_details: { reasoning_tokens: number } };
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(2);
    const body = JSON.parse(openaiBody(id, a.pieces, 'tool_calls', 9, a)) as { choices: Array<{ message: Record<string, unknown> }> };
    expect(body.choices[0]!.message).toMatchObject({ content: null, reasoning_content: 'Let me', tool_calls: [{ function: { name: 'weather', arguments: '{"city":"Paris","days":3}' } }] });
  });

  it('Chat Completions knobs: an early usage above the final one, the finish chunk before the last token, no [DONE]', () => {
    const a = textAnswer(3);
    const w = new OpenAIStreamWriter(id, true, a, knobs({ earlyOutputTokens: 13, misorder: true, omitTerminator: true }));
    const all = run(w, a.pieces, () => w.finish('stop', 3));
    expect((all[0]!.json!['usage'] as { completion_tokens: number }).completion_tokens).toBe(13);
    const finishAt = all.findIndex((f) => (f.json?.['choices'] as Array<{ finish_reason: unknown }> | undefined)?.[0]?.finish_reason === 'stop');
    expect(finishAt).toBe(3);
    expect(all.at(-1)!.data).not.toBe('[DONE]');
  });
});

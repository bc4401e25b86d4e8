/** Replaying Responses API traffic: Batch lines with url /v1/responses, plain Responses bodies, request-log lines. */
import { describe, expect, it } from 'vitest';
import { parseReplayText } from '../../../src/traffic/replay/index.js';
import { routeByProtocol } from '../../../src/traffic/replay/route.js';
import { openaiResponsesAdapter } from '../../../src/protocol/openai-responses.js';
import type { ReplayItem } from '../../../src/traffic/replay/replay-file.js';

const lines = (...l: unknown[]): string => l.map((x) => JSON.stringify(x)).join('\n') + '\n';

describe('Batch API lines with url /v1/responses', () => {
  it('are openai-responses requests; input, instructions and max_output_tokens are read', () => {
    const file = parseReplayText(
      lines(
        { custom_id: 'r1', method: 'POST', url: '/v1/responses', body: { model: 'gpt-5-mini', input: 'Say hi', instructions: 'Be terse.', max_output_tokens: 40 } },
        { custom_id: 'r2', method: 'POST', url: 'https://api.openai.com/v1/responses', body: { model: 'gpt-5-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }], stream: false } },
        { custom_id: 'c1', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] } },
      ),
      'mem',
    );
    expect(file.format).toBe('openai-batch');
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => [i.customId, i.protocol])).toEqual([
      ['r1', 'openai-responses'],
      ['r2', 'openai-responses'],
      ['c1', 'openai'],
    ]);
    const [a, b] = file.items;
    expect(a!.spec).toMatchObject({ model: 'gpt-5-mini', maxTokens: 40, stream: true });
    expect(a!.spec.messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Say hi' },
    ]);
    expect(b!.spec).toMatchObject({ maxTokens: 256, stream: false });
    expect(b!.spec.messages).toEqual([{ role: 'user', content: 'Hello' }]);
    // Sent as is, with relaymon's model, stream and limit.
    expect(openaiResponsesAdapter.buildBody({ ...b!.spec, model: 'gpt-5', stream: true })).toEqual({
      model: 'gpt-5',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }],
      stream: true,
      max_output_tokens: 256,
    });
  });

  it('a Responses line without input, or with a bad max_output_tokens, is a bad line naming the field', () => {
    const file = parseReplayText(
      lines(
        { custom_id: 'ok', url: '/v1/responses', body: { model: 'm', input: 'x' } },
        { custom_id: 'a', url: '/v1/responses', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } },
        { custom_id: 'b', url: '/v1/responses', body: { model: 'm', input: 'x', max_output_tokens: 0 } },
        { custom_id: 'c', url: '/v1/responses', body: { model: 'm', input: [] } },
        { custom_id: 'd', url: '/v1/responses', body: { model: 'm', input: 7 } },
        { custom_id: 'e', url: '/v1/responses', body: { model: 'm', input: ['x'] } },
        { custom_id: 'f', url: '/v1/embeddings', body: { model: 'm', input: 'x' } },
      ),
      'mem',
    );
    expect(file.bad).toEqual([
      { line: 2, reason: 'missing field "body.input"' },
      { line: 3, reason: 'field "body.max_output_tokens": expected a whole number above 0' },
      { line: 4, reason: 'field "body.input" is an empty list' },
      { line: 5, reason: 'field "body.input": expected a string or a list, got a number' },
      { line: 6, reason: 'field "body.input[0]": expected an object' },
      { line: 7, reason: 'field "url": expected /v1/chat/completions, /v1/messages or /v1/responses' },
    ]);
  });
});

describe('plain Responses bodies', () => {
  it('a file of them is responses-jsonl; a Chat Completions body among them is a bad line', () => {
    const file = parseReplayText(
      lines({ model: 'gpt-5-mini', input: 'one', max_output_tokens: 9 }, { model: 'gpt-5-mini', input: 'two' }, { model: 'gpt-4o', messages: [{ role: 'system', content: 's' }] }),
      'mem',
    );
    expect(file.format).toBe('responses-jsonl');
    expect(file.items.map((i) => [i.line, i.protocol, i.spec.maxTokens])).toEqual([
      [1, 'openai-responses', 9],
      [2, 'openai-responses', 256],
    ]);
    expect(file.bad).toEqual([{ line: 3, reason: 'a Chat Completions request body in a file of Responses API request bodies (format told by line 1)' }]);
  });
});

describe('request-log lines', () => {
  it('with protocol openai-responses replay as such; an unknown protocol is a bad line', () => {
    const file = parseReplayText(
      lines(
        { v: 1, t: 0, target: 'resp', protocol: 'openai-responses', body: { model: 'gpt-5-mini', input: [{ role: 'user', content: 'hi' }], max_output_tokens: 16, stream: true } },
        { v: 1, t: 5, target: 'resp', protocol: 'gemini', body: { model: 'x', input: 'y' } },
      ),
      'mem',
    );
    expect(file.items.map((i) => [i.protocol, i.target, i.spec.maxTokens])).toEqual([['openai-responses', 'resp', 16]]);
    expect(file.bad).toEqual([{ line: 2, reason: 'field "protocol": expected openai, anthropic, openai-responses' }]);
  });
});

describe('routing by protocol', () => {
  const item = (line: number, protocol: ReplayItem['protocol']): ReplayItem => ({ line, offsetMs: null, spec: { model: 'm', messages: [], maxTokens: 1, stream: true }, protocol });
  const targets = [
    { name: 'chat', protocol: 'openai' as const },
    { name: 'resp', protocol: 'openai-responses' as const },
    { name: 'msgs', protocol: 'anthropic' as const },
  ];

  it('lines the default target cannot speak go to the first target that speaks them', () => {
    const r = routeByProtocol([item(1, 'openai'), item(2, 'openai-responses'), item(3, null), item(4, 'openai-responses')], targets, targets[0]!)!;
    expect(r.lineTargets).toEqual(['chat', 'resp', 'chat', 'resp']);
    expect(r.targets).toEqual(['chat', 'resp']);
    expect(r.routed).toEqual({ resp: 2 });
  });

  it('nothing to route when the default target speaks every line, or no target speaks the others', () => {
    expect(routeByProtocol([item(1, 'openai'), item(2, null)], targets, targets[0]!)).toBeNull();
    expect(routeByProtocol([item(1, 'anthropic')], [targets[0]!], targets[0]!)).toBeNull();
  });
});

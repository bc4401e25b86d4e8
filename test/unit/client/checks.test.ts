import { describe, expect, it } from 'vitest';
import { ResponseAccumulator } from '../../../src/client/accumulate.js';
import { probeChecks, type CheckInput } from '../../../src/client/checks.js';
import type { RequestSpec, WireEvent } from '../../../src/protocol/adapter.js';
import { probeSpec } from '../../../src/traffic/probes.js';
import type { ProbeCheck } from '../../../src/core/result.js';

/** Wire events as a decoder would emit them, each batch at its own instant (ms). */
function fold(batches: readonly (readonly WireEvent[])[]): ResponseAccumulator {
  const acc = new ResponseAccumulator();
  batches.forEach((events, i) => acc.apply(events, 100 + 10 * i));
  return acc;
}

const tokensOf = (args: string): WireEvent => ({ kind: 'token', channel: 'tool', text: args });

/** One streamed OpenAI-style tool call: id and name on the first fragment only, the arguments in pieces. */
function toolCallEvents(index: number, id: string, name: string, pieces: readonly string[]): WireEvent[][] {
  return pieces.map((args, i) => [
    tokensOf(args),
    i === 0 ? { kind: 'tool_call', index, id, name, args } : { kind: 'tool_call', index, args },
  ]);
}

const reported = { inputTokens: 40, cachedInputTokens: null, reasoningTokens: null, usageSource: 'reported' as const };
const tolerance = { tokens: 4, percent: 5 };

function check(spec: RequestSpec, acc: ResponseAccumulator, over: Partial<CheckInput> = {}): ProbeCheck[] {
  return probeChecks({ spec, acc, usage: reported, prompt: { tokens: 40, complete: true, kind: 'exact' }, tolerance, ...over });
}

const byName = (checks: readonly ProbeCheck[], name: string): ProbeCheck | undefined => checks.find((c) => c.name === name);

const tools = probeSpec({ model: 'gpt-4o-mini', kind: 'tools' });

describe('tools checks', () => {
  const good = ['{"city":', ' "Paris", "unit"', ': "celsius"}'];

  it('a well-formed streamed call passes all five', () => {
    const acc = fold([...toolCallEvents(0, 'call_a', 'get_weather', good), [{ kind: 'finish', reason: 'tool_calls' }]]);
    const checks = check(tools, acc);
    expect(checks.map((c) => c.name)).toEqual(['tool_called', 'tool_call_id_stable', 'tool_call_index_consistent', 'tool_args_json', 'tool_args_schema']);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(byName(checks, 'tool_called')!.detail).toBe('1 call: get_weather');
    expect(acc.finishReason).toBe('tool_calls');
    expect(acc.toolCalls[0]!.args).toBe('{"city": "Paris", "unit": "celsius"}');
  });

  it('no call: tool_called fails with the finish reason, the others are absent', () => {
    const acc = fold([[{ kind: 'token', channel: 'content', text: 'It is sunny.' }], [{ kind: 'finish', reason: 'stop' }]]);
    expect(check(tools, acc)).toEqual([{ name: 'tool_called', ok: false, detail: 'no tool call in the answer (finish reason stop)' }]);
  });

  it('an id that changes part-way fails tool_call_id_stable, naming both ids', () => {
    const events = toolCallEvents(0, 'call_a', 'get_weather', good);
    events[1]![1] = { kind: 'tool_call', index: 0, id: 'call_b', args: good[1]! };
    const c = byName(check(tools, fold(events)), 'tool_call_id_stable')!;
    expect(c).toEqual({ name: 'tool_call_id_stable', ok: false, detail: 'call 0 changed id from call_a to call_b' });
  });

  it('a call without any id fails tool_call_id_stable', () => {
    const acc = fold([[tokensOf('{}'), { kind: 'tool_call', index: 0, name: 'get_weather', args: '{"city":"Paris","unit":"celsius"}' }]]);
    expect(byName(check(tools, acc), 'tool_call_id_stable')).toMatchObject({ ok: false, detail: 'call 0 (index 0) has no id' });
  });

  it('fragments at an index no call started fail tool_call_index_consistent', () => {
    const events = toolCallEvents(0, 'call_a', 'get_weather', good);
    // The relay renumbered the later fragments: they land at index 1, which never got an id or a name.
    events[1]![1] = { kind: 'tool_call', index: 1, args: good[1]! };
    events[2]![1] = { kind: 'tool_call', index: 1, args: good[2]! };
    const checks = check(tools, fold(events));
    expect(byName(checks, 'tool_call_index_consistent')).toEqual({
      name: 'tool_call_index_consistent',
      ok: false,
      detail: 'a fragment at index 1 continues no call (no id or name was sent at that index)',
    });
    // And the call at index 0 is left with a piece of its arguments: not JSON.
    expect(byName(checks, 'tool_args_json')!.ok).toBe(false);
  });

  it('one id at two indexes, or a name that changes, fails tool_call_index_consistent', () => {
    const twice = fold([...toolCallEvents(0, 'call_a', 'get_weather', ['{"city":"Paris","unit":"celsius"}']), ...toolCallEvents(1, 'call_a', 'get_weather', ['{"city":"Rome","unit":"celsius"}'])]);
    expect(byName(check(tools, twice), 'tool_call_index_consistent')).toMatchObject({ ok: false, detail: 'call id call_a appears at index 0 and 1' });
    const renamed = toolCallEvents(0, 'call_a', 'get_weather', good);
    renamed[1]![1] = { kind: 'tool_call', index: 0, name: 'get_time', args: good[1]! };
    expect(byName(check(tools, fold(renamed)), 'tool_call_index_consistent')).toMatchObject({ ok: false, detail: 'the call at index 0 changed name from get_weather to get_time' });
  });

  it('arguments that are not JSON fail tool_args_json without quoting them', () => {
    const acc = fold(toolCallEvents(0, 'call_a', 'get_weather', ['{"city": "Paris SECRET_TEXT', '"unit": "celsius"}']));
    const checks = check(tools, acc);
    const c = byName(checks, 'tool_args_json')!;
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/^arguments of get_weather are not JSON: Expected ',' or '}' after property value at character \d+ \(\d+ characters\)$/);
    expect(c.detail).not.toContain('SECRET_TEXT');
    expect(byName(checks, 'tool_args_schema')).toMatchObject({ ok: false, detail: 'arguments of get_weather not checked: not JSON' });
  });

  it('arguments that violate the schema fail tool_args_schema with the violation', () => {
    const missing = fold(toolCallEvents(0, 'call_a', 'get_weather', ['{"unit":"celsius"}']));
    expect(byName(check(tools, missing), 'tool_args_schema')).toEqual({ name: 'tool_args_schema', ok: false, detail: 'arguments of get_weather: missing required property city' });
    const badEnum = fold(toolCallEvents(0, 'call_a', 'get_weather', ['{"city":"Paris","unit":"kelvin"}']));
    expect(byName(check(tools, badEnum), 'tool_args_schema')!.detail).toBe('arguments of get_weather: /unit must be one of: "celsius", "fahrenheit"');
    const extra = fold(toolCallEvents(0, 'call_a', 'get_weather', ['{"city":"Paris","unit":"celsius","x":1}']));
    expect(byName(check(tools, extra), 'tool_args_schema')!.detail).toBe('arguments of get_weather: unexpected property x');
    const unknown = fold(toolCallEvents(0, 'call_a', 'get_time', ['{}']));
    expect(byName(check(tools, unknown), 'tool_args_schema')!.detail).toBe('get_time was not offered (offered: get_weather)');
  });

  it('empty arguments count as {} (Anthropic sends no delta for an empty input)', () => {
    const spec: RequestSpec = { ...tools, tools: [{ name: 'ping', description: '', parameters: { type: 'object', properties: {} } }] };
    const acc = fold([[{ kind: 'tool_call', index: 1, id: 'toolu_1', name: 'ping', args: '' }]]);
    expect(check(spec, acc).every((c) => c.ok)).toBe(true);
  });
});

describe('json checks', () => {
  const json = probeSpec({ model: 'gpt-4o-mini', kind: 'json' });
  const content = (text: string): ResponseAccumulator => fold([[{ kind: 'token', channel: 'content', text }]]);

  it('a valid object passes both', () => {
    const checks = check(json, content('{"city":"Paris","country":"France","population_millions":2.1}'));
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['json_parses', true],
      ['json_schema_valid', true],
    ]);
  });

  it('text that is not JSON fails json_parses, and the schema is not checked', () => {
    const checks = check(json, fold([[{ kind: 'token', channel: 'content', text: 'Paris is the capital' }], [{ kind: 'finish', reason: 'length' }]]));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: 'json_parses', ok: false });
    expect(checks[0]!.detail).toMatch(/^the answer is not JSON: Unexpected token 'P' \(20 characters\) \(finish reason length\)$/);
  });

  it('an empty answer fails json_parses', () => {
    expect(check(json, fold([]))[0]).toMatchObject({ name: 'json_parses', ok: false, detail: 'the answer is empty' });
  });

  it('JSON that violates the schema fails json_schema_valid', () => {
    const checks = check(json, content('{"city":"Paris","country":"France","population_millions":"many"}'));
    expect(byName(checks, 'json_parses')!.ok).toBe(true);
    expect(byName(checks, 'json_schema_valid')).toEqual({ name: 'json_schema_valid', ok: false, detail: '/population_millions must be number' });
  });

  it("Anthropic's forced tool call carries the structured answer", () => {
    const acc = fold(toolCallEvents(0, 'toolu_1', 'answer', ['{"city":"Paris","country":"France","population_millions":2.1}']));
    expect(check(json, acc).map((c) => c.ok)).toEqual([true, true]);
    expect(check(json, acc)[0]!.detail).toMatch(/^the answer tool call parses as JSON/);
  });
});

describe('cache checks', () => {
  const first = probeSpec({ model: 'gpt-4o-mini', kind: 'cache' });
  const second = first.expect!.then!;
  const acc = fold([[{ kind: 'token', channel: 'content', text: 'OK' }]]);

  it('the pair: the first carries cache_prefix_sent, the second cache_reported', () => {
    expect(first.expect).toMatchObject({ kind: 'cache', pair: 'first' });
    expect(second.expect).toEqual({ kind: 'cache', pair: 'second' });
    expect(second.messages).toEqual(first.messages);
    expect(check(first, acc, { usage: { ...reported, inputTokens: 1200, cachedInputTokens: 0 } })).toEqual([
      { name: 'cache_prefix_sent', ok: true, detail: 'a prompt of 40 tokens (counted) sent; the second request of the pair checks cache_reported' },
    ]);
  });

  it('cached tokens on the second pass', () => {
    expect(check(second, acc, { usage: { ...reported, inputTokens: 1200, cachedInputTokens: 1152 } })).toEqual([{ name: 'cache_reported', ok: true, detail: '1152 of 1200 input tokens cached' }]);
  });

  it('missing, zero or estimated cached tokens fail', () => {
    expect(check(second, acc, { usage: { ...reported, inputTokens: 1200, cachedInputTokens: null } })[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/^no cached-token count in the usage/) });
    expect(check(second, acc, { usage: { ...reported, inputTokens: 1200, cachedInputTokens: 0 } })[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/^0 cached tokens of 1200 input tokens/) });
  });

  it('more cached than input, or cached with no input count, fails: cached tokens are part of the input', () => {
    expect(check(second, acc, { usage: { ...reported, inputTokens: 0, cachedInputTokens: 1152 } })).toEqual([
      { name: 'cache_reported', ok: false, detail: 'reported 1152 cached of 0 input tokens' },
    ]);
    expect(check(second, acc, { usage: { ...reported, inputTokens: 1151, cachedInputTokens: 1152 } })[0]).toMatchObject({ ok: false, detail: 'reported 1152 cached of 1151 input tokens' });
    expect(check(second, acc, { usage: { ...reported, inputTokens: null, cachedInputTokens: 1152 } })[0]).toMatchObject({ ok: false, detail: 'reported 1152 cached tokens but no input token count' });
    expect(check(second, acc, { usage: { ...reported, inputTokens: 1152, cachedInputTokens: 1152 } })[0]).toMatchObject({ ok: true, detail: '1152 of 1152 input tokens cached' });
  });

  it('no usage at all fails and says plainly it cannot tell', () => {
    for (const usageSource of ['estimated', null] as const) {
      expect(check(second, acc, { usage: { inputTokens: null, cachedInputTokens: null, reasoningTokens: null, usageSource } })).toEqual([
        { name: 'cache_reported', ok: false, detail: 'the relay reported no usage; cannot tell' },
      ]);
    }
  });
});

describe('reasoning checks', () => {
  const spec = probeSpec({ model: 'o4-mini', kind: 'reasoning' });

  it('reasoning streamed and counted, then the answer: both pass', () => {
    const acc = fold([[{ kind: 'token', channel: 'reasoning', text: 'Count: s-t-r-a-w' }], [{ kind: 'token', channel: 'reasoning', text: '-b-e-r-r-y' }], [{ kind: 'token', channel: 'content', text: '3' }]]);
    const checks = check(spec, acc, { usage: { ...reported, reasoningTokens: 12 } });
    expect(checks).toEqual([
      { name: 'reasoning_reported', ok: true, detail: '12 reasoning tokens reported, 26 characters of reasoning streamed' },
      { name: 'content_after_reasoning', ok: true, detail: 'the answer began 20 ms after the first reasoning token' },
    ]);
  });

  it('hidden reasoning, counted only, still passes', () => {
    const checks = check(spec, fold([[{ kind: 'token', channel: 'content', text: '3' }]]), { usage: { ...reported, reasoningTokens: 64 } });
    expect(checks.map((c) => c.ok)).toEqual([true, true]);
  });

  it('no reasoning at all fails reasoning_reported', () => {
    const checks = check(spec, fold([[{ kind: 'token', channel: 'content', text: '3' }]]), { usage: { ...reported, reasoningTokens: 0 } });
    expect(checks[0]).toEqual({ name: 'reasoning_reported', ok: false, detail: 'no reasoning tokens reported (0) and no reasoning streamed' });
    expect(checks[1]!.ok).toBe(true);
  });

  it('reasoning with no visible answer, or the answer before the reasoning, fails content_after_reasoning', () => {
    const spent = fold([[{ kind: 'token', channel: 'reasoning', text: 'hmm' }], [{ kind: 'finish', reason: 'length' }]]);
    expect(check(spec, spent)[1]).toEqual({ name: 'content_after_reasoning', ok: false, detail: 'no visible answer after the reasoning (finish reason length)' });
    const leaked = fold([[{ kind: 'token', channel: 'content', text: '3' }], [{ kind: 'token', channel: 'reasoning', text: 'hmm' }]]);
    expect(check(spec, leaked)[1]).toEqual({ name: 'content_after_reasoning', ok: false, detail: 'the answer began 10 ms before the reasoning' });
  });
});

describe('long checks', () => {
  const spec = probeSpec({ model: 'gpt-4o-mini', kind: 'long', long: { tokens: 2000 } });
  const acc = fold([[{ kind: 'token', channel: 'content', text: 'OK' }]]);
  const prompt = { tokens: 2000, complete: true, kind: 'exact' as const };

  it('billed within the tolerance of the count passes', () => {
    expect(check(spec, acc, { prompt, usage: { ...reported, inputTokens: 1990 } })).toEqual([{ name: 'input_not_truncated', ok: true, detail: 'billed 1990 input tokens, counted 2000' }]);
  });

  it('a truncated prompt fails', () => {
    expect(check(spec, acc, { prompt, usage: { ...reported, inputTokens: 1024 } })).toEqual([
      { name: 'input_not_truncated', ok: false, detail: 'billed 1024 input tokens, counted 2000: 976 fewer, the prompt was cut or billed short' },
    ]);
  });

  it('an estimated count allows a quarter either way', () => {
    const estimate = { ...prompt, kind: 'estimate' as const };
    expect(check(spec, acc, { prompt: estimate, usage: { ...reported, inputTokens: 1600 } })[0]!.ok).toBe(true);
    expect(check(spec, acc, { prompt: estimate, usage: { ...reported, inputTokens: 1400 } })[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/^billed 1400 input tokens, counted ≈2000/) });
  });

  it('no usage, or no count, cannot tell: fails and says why', () => {
    expect(check(spec, acc, { prompt, usage: { ...reported, inputTokens: null } })[0]).toMatchObject({ ok: false, detail: 'the relay reported no input tokens (counted 2000)' });
    expect(check(spec, acc, { prompt: null })[0]!.detail).toBe('relaymon could not count the prompt, so cannot compare');
  });

  it('no usage at all fails and says plainly it cannot tell, whether or not the prompt was counted', () => {
    for (const usageSource of ['estimated', null] as const) {
      for (const p of [prompt, null]) {
        expect(check(spec, acc, { prompt: p, usage: { inputTokens: null, cachedInputTokens: null, reasoningTokens: null, usageSource } })).toEqual([
          { name: 'input_not_truncated', ok: false, detail: 'the relay reported no usage; cannot tell' },
        ]);
      }
    }
  });
});

describe('text probes', () => {
  it('have no checks', () => {
    expect(check(probeSpec({ model: 'gpt-4o-mini' }), fold([[{ kind: 'token', channel: 'content', text: 'OK' }]]))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { probeSchema, type ProbeConfig } from '../../../src/config/schema.js';
import { probeSpec, withKind } from '../../../src/traffic/probes.js';
import { DEFAULT_TOOL, sizedText } from '../../../src/traffic/kinds.js';
import { estimateInputTokens } from '../../../src/tokens/estimate.js';
import { SpendGuard, specInputTokens } from '../../../src/traffic/budget.js';
import { PriceTable } from '../../../src/pricing/table.js';
import { target as makeTarget } from '../../helpers/target.js';
import { requestsFor } from '../../../src/run/probe.js';

const probe = (input: Record<string, unknown>): ProbeConfig => probeSchema.parse(input);

describe("each kind's request, with nothing but a model", () => {
  it('tools: the weather function, a call required', () => {
    const spec = probeSpec({ model: 'gpt-4o-mini', kind: 'tools' });
    expect(spec.tools).toEqual([DEFAULT_TOOL]);
    expect(spec.toolChoice).toBe('required');
    expect(spec.maxTokens).toBe(128);
    expect(spec.expect).toEqual({ kind: 'tools' });
    expect(spec.messages[0]!.content).toMatch(/get_weather/);
    // The default tool has a required string and a required enum.
    expect(DEFAULT_TOOL.parameters).toMatchObject({ required: ['city', 'unit'], properties: { city: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] } } });
  });

  it("tools: a probe's own tools get a question naming the first", () => {
    const spec = probeSpec(probe({ model: 'm', kind: 'tools', tools: [{ name: 'lookup', parameters: { type: 'object' } }] }));
    expect(spec.tools).toEqual([{ name: 'lookup', description: '', parameters: { type: 'object' } }]);
    expect(spec.messages).toEqual([{ role: 'user', content: 'Call the lookup function with suitable arguments.' }]);
  });

  it('json: a schema, named', () => {
    const spec = probeSpec({ model: 'm', kind: 'json' });
    expect(spec.responseSchema?.name).toBe('answer');
    expect(spec.responseSchema?.schema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('reasoning: effort low, budget 1024, max_tokens above the budget', () => {
    const spec = probeSpec({ model: 'm', kind: 'reasoning' });
    expect(spec.reasoning).toEqual({ effort: 'low', budgetTokens: 1024 });
    expect(spec.maxTokens).toBe(1536);
    expect(probeSpec(probe({ model: 'm', kind: 'reasoning', reasoning: { budgetTokens: 4000 } })).maxTokens).toBe(4512);
  });

  it('long: a prompt of about the declared size, deterministic, question last', () => {
    for (const tokens of [500, 4000, 12_000]) {
      const spec = probeSpec(probe({ model: 'gpt-4o-mini', kind: 'long', long: { tokens } }));
      const counted = estimateInputTokens(spec.messages);
      // The largest whole number of sentences that does not go over: within one sentence (~25 tokens) of the size.
      expect(counted).toBeLessThanOrEqual(tokens);
      expect(counted).toBeGreaterThan(tokens - 30);
      expect(spec.messages.at(-1)!.content.endsWith('\n\nReply with OK')).toBe(true);
    }
    const a = probeSpec({ model: 'm', kind: 'long' });
    const b = probeSpec({ model: 'm', kind: 'long' });
    expect(a.messages).toEqual(b.messages);
    expect(a.messages[0]!.content.startsWith('Sentence 1: ')).toBe(true);
    expect(estimateInputTokens(a.messages)).toBeGreaterThan(3970);
  });

  it('cache: a pair with the same long system prefix, marked first and second', () => {
    const first = probeSpec({ model: 'm', kind: 'cache' });
    const second = first.expect!.then!;
    expect(first.cachePrefix).toBe(true);
    expect(second.cachePrefix).toBe(true);
    expect(first.messages[0]!.role).toBe('system');
    expect(estimateInputTokens(first.messages)).toBeGreaterThanOrEqual(1100);
    expect(second.messages).toEqual(first.messages);
    expect(first.expect).toEqual({ kind: 'cache', pair: 'first', then: second });
    expect(second.expect).toEqual({ kind: 'cache', pair: 'second' });
    expect(sizedText(1200)).toBe(sizedText(1200));
  });

  it('-n rounds up to whole cache pairs; other kinds keep it', () => {
    const cache = probeSpec({ model: 'm', kind: 'cache' });
    expect([1, 2, 3, 4].map((n) => requestsFor(cache, n))).toEqual([2, 2, 4, 4]);
    expect(requestsFor(probeSpec({ model: 'm', kind: 'tools' }), 3)).toBe(3);
  });
});

describe('--kind over a configured probe', () => {
  it('becomes the kind with its defaults; the text default prompt gives way to the kind question, an own prompt stays', () => {
    const text = probe({ model: 'm', maxTokens: 8 });
    const tools = withKind(text, 'tools');
    expect(tools).toEqual({ model: 'm', maxTokens: 8, stream: true, kind: 'tools' });
    expect(withKind(probe({ model: 'm', prompt: 'Call it' }), 'tools').prompt).toBe('Call it');
  });

  it("drops the options of the probe's own kind; the same kind is left alone", () => {
    const long = probe({ model: 'm', kind: 'long', long: { tokens: 100 } });
    expect(withKind(long, 'json')).toEqual({ model: 'm', stream: true, kind: 'json' });
    expect(withKind(long, 'long')).toBe(long);
    expect(withKind(long, undefined)).toBe(long);
  });
});

describe('the spend guard and probe kinds', () => {
  const prices = PriceTable.builtIn();
  const target = makeTarget('relay', 'http://127.0.0.1:1/v1');

  it('counts tools and the response schema as prompt', () => {
    const text = probeSpec({ model: 'gpt-4o-mini', prompt: 'x' });
    const tools = probeSpec({ model: 'gpt-4o-mini', prompt: 'x', kind: 'tools' });
    expect(specInputTokens(tools)).toBeGreaterThan(specInputTokens(text) + 30);
  });

  it('starts a cache pair only when both requests fit the budget', () => {
    const first = probeSpec({ model: 'gpt-4o-mini', kind: 'cache' });
    const one = new SpendGuard(null, prices).worstCase(target, first)!;
    const tight = new SpendGuard(1.5 * one, prices);
    const refused = tight.admit(target, first);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/^a cache pair \(two requests\) to "gpt-4o-mini" could cost up to \$/);
    const room = new SpendGuard(2.5 * one, prices);
    const admitted = room.admit(target, first);
    expect(admitted).toEqual({ ok: true, reservedUsd: one });
  });
});

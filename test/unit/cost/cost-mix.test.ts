import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { PriceTable } from '../../../src/pricing/table.js';
import { parseMix, projectCost } from '../../../src/cost/cost-mix.js';
import { ratiosFromFile } from '../../../src/cost/measured.js';
import { costText } from '../../../src/cost/cost-text.js';
import { makeResult } from '../stats/fixtures.js';

const prices = PriceTable.builtIn().withLiteLLM(
  {
    'model-a': { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6 },
    'model-b': { input_cost_per_token: 1e-7, output_cost_per_token: 4e-7 },
  },
  'test',
);

describe('parseMix', () => {
  it('holds a mix to 1,000 models and 1 MiB of text, naming the limit', () => {
    const line = (i: number): string => `m${i}: { input: 1, output: 1 }\n`;
    expect(parseMix(Array.from({ length: 1000 }, (_, i) => line(i)).join(''), 'mix.yaml')).toHaveLength(1000);
    expect(() => parseMix(Array.from({ length: 1001 }, (_, i) => line(i)).join(''), 'mix.yaml')).toThrow(/mix\.yaml: the mix names 1001 models; at most 1000/);
    expect(() => parseMix(`# ${'x'.repeat(1024 * 1024)}\nm: { input: 1 }\n`, 'big.yaml')).toThrow(/big\.yaml: the mix file is larger than 1 MiB/);
  });

  it('refuses absurd counts (non-finite, negative, above 10^15 a month), naming the file, the field and the value', () => {
    const bad: [string, string][] = [
      // Numbers as written: 1e308, not 1e+308; 1e309, not the Infinity it parses to.
      ['1e308', 'model-a.input: 1e308 tokens per month is more than any real traffic; at most 1000000000000000 (10^15) per model'],
      ['1e309', 'model-a.input: expected a number of tokens per month (e.g. 50000000 or "50M"), got 1e309'],
      ['1000000000000001', 'model-a.input: 1000000000000001 tokens per month is more than any real traffic'],
      ['"2000000b"', 'model-a.input: "2000000b" tokens per month is more than any real traffic'],
      ['.inf', 'model-a.input: expected a number of tokens per month (e.g. 50000000 or "50M"), got Infinity'],
      ['.nan', 'model-a.input: expected a number of tokens per month (e.g. 50000000 or "50M"), got NaN'],
      ['-5', 'model-a.input: expected a number of tokens per month (e.g. 50000000 or "50M"), got -5'],
    ];
    for (const [value, message] of bad) {
      expect(() => parseMix(`model-a: { input: ${value}, output: 1 }\n`, 'mix.yaml'), value).toThrow(UsageError);
      expect(() => parseMix(`model-a: { input: ${value}, output: 1 }\n`, 'mix.yaml'), value).toThrow(`mix.yaml: ${message}`);
    }
    // The bound itself is accepted, and its bill is finite.
    const atBound = parseMix('model-a: { input: 1000000000000000, output: 1000000000000000 }\n', 'mix.yaml');
    const p = projectCost(atBound, [{ name: 'x', priceMultiplier: 1 }], prices);
    expect(Number.isFinite(p.targets[0]!.monthlyUsd)).toBe(true);
  });

  it('reads YAML or JSON, numbers or 50M-style counts, and the usual field names', () => {
    expect(parseMix('model-a: { input: 50M, output: 1.5k }\nmodel-b: { input_tokens: 2_000_000 }\n', 'mix.yaml')).toEqual([
      { model: 'model-a', inputTokens: 50e6, outputTokens: 1500 },
      { model: 'model-b', inputTokens: 2e6, outputTokens: 0 },
    ]);
    expect(parseMix('{"model-a": {"inputTokens": 10, "outputTokens": 20}}', 'mix.json')).toEqual([{ model: 'model-a', inputTokens: 10, outputTokens: 20 }]);
  });

  it.each([
    ['[1, 2]', /expected a map of model/],
    ['model-a: 5', /model-a: expected \{ input, output \}/],
    ['model-a: { input: lots }', /model-a\.input: expected a number of tokens/],
    ['model-a: { input: -5 }', /model-a\.input/],
    ['model-a: { inptu: 5 }', /unknown field "inptu"/],
    ['model-a: {}', /expected input and\/or output/],
    ['{}', /names no model/],
    ['a: [', /not YAML or JSON/],
  ])('%j is a usage error', (text, re) => {
    expect(() => parseMix(text, 'mix.yaml')).toThrow(UsageError);
    expect(() => parseMix(text, 'mix.yaml')).toThrow(re);
  });
});

describe('projectCost', () => {
  const mix = parseMix('model-a: { input: 10M, output: 1M }\nmodel-b: { input: 100M, output: 10M }', 'mix');

  it('list price × multiplier × measured ratio, and the saving against the cheapest', () => {
    const p = projectCost(mix, [{ name: 'relay', priceMultiplier: 0.5 }, { name: 'direct', priceMultiplier: 1 }], prices, new Map([['relay', { input: 1, output: 1.5 }]]));
    const [relay, direct] = p.targets;
    // direct: a 10 + 4 = 14, b 10 + 4 = 14 → $28
    expect(direct!.monthlyUsd).toBeCloseTo(28, 9);
    expect(direct!.usageRatio).toEqual({ input: 1, output: 1, measured: false });
    // relay: a (10 + 1.5 × 4) × 0.5 = 8, b (10 + 1.5 × 4) × 0.5 = 8 → $16
    expect(relay!.monthlyUsd).toBeCloseTo(16, 9);
    expect(relay!.models[0]).toMatchObject({ model: 'model-a', billedInputTokens: 10e6, billedOutputTokens: 1.5e6 });
    expect(relay!.usageRatio.measured).toBe(true);
    expect(p.cheapest).toBe('relay');
    expect(p.savings).toEqual([{ target: 'direct', cheapest: 'relay', monthlyUsd: expect.closeTo(12, 9), fraction: expect.closeTo(12 / 28, 9) }]);
  });

  it('an inflating relay can cost more than its discount saves', () => {
    const p = projectCost(mix, [{ name: 'relay', priceMultiplier: 0.5 }, { name: 'direct', priceMultiplier: 1 }], prices, new Map([['relay', { input: 2.5, output: 3 }]]));
    expect(p.cheapest).toBe('direct');
  });

  it('the mix limit reads as 1000T, not 1000000.00B', () => {
    const p = projectCost([{ model: 'model-a', inputTokens: 1e15, outputTokens: 2.5e12 }], [{ name: 'x', priceMultiplier: 1 }], prices);
    const text = costText(p);
    expect(text).toContain('1000T input + 2.50T output tokens a month');
    expect(text).toContain('$1.01e+9');
  });

  it('an unpriced model stays out of every total, and is named', () => {
    const withUnknown = [...mix, { model: 'mystery', inputTokens: 1, outputTokens: 1 }];
    const p = projectCost(withUnknown, [{ name: 'x', priceMultiplier: 1 }, { name: 'y', priceMultiplier: 2 }], prices);
    expect(p.targets[0]!.unpricedModels).toEqual(['mystery']);
    expect(p.targets[0]!.models[2]!.monthlyUsd).toBeNull();
    expect(p.cheapest).toBe('x');
    const text = costText(p);
    expect(text).toContain('No price for mystery');
    expect(text).toContain('x saves $28.00 a month against y (50% of its bill).');
    expect(text).toContain('(assumed)');
  });
});

describe('ratiosFromFile', () => {
  it('reads the usage ratios of `compare --json`', () => {
    const json = JSON.stringify({ command: 'compare', targets: [{ name: 'relay', honesty: { usageRatio: { input: 1.1, output: null } } }] }, null, 2);
    expect(ratiosFromFile(json, 'c.json')).toEqual(new Map([['relay', { input: 1.1, output: null }]]));
  });

  it('measures them from a request log', () => {
    const line = (o: Parameters<typeof makeResult>[0]) => JSON.stringify({ v: 1, t: 0, target: o?.target, result: makeResult(o) });
    const log = [
      line({ target: 'relay', inputTokens: 10, localInputTokens: 10, outputTokens: 30, localOutputTokens: 20, usageGapTokens: 10 }),
      line({ target: 'direct' }),
      'not json',
    ].join('\n');
    expect(ratiosFromFile(log, 'run.log')).toEqual(new Map([
      ['relay', { input: 1, output: 1.5 }],
      ['direct', { input: 1, output: 1 }],
    ]));
  });

  it('anything else is a usage error', () => {
    expect(() => ratiosFromFile('{"command":"check"}', 'x.json')).toThrow(/compare --json.*request log/);
  });

  it('refuses absurd, negative and non-finite token counts in a log, naming file, line, field and the value as written', () => {
    const line = (o: Parameters<typeof makeResult>[0]) => JSON.stringify({ v: 1, t: 0, target: o?.target, result: makeResult(o) });
    const ok = line({ target: 'a', inputTokens: 10, localInputTokens: 10, outputTokens: 10, localOutputTokens: 10, usageGapTokens: 0 });
    const bad = (o: Parameters<typeof makeResult>[0]): string => [ok, line({ target: 'a', localInputTokens: 10, localOutputTokens: 10, usageGapTokens: 0, ...o })].join('\n');
    expect(() => ratiosFromFile(bad({ inputTokens: 1e300 }), 'run.log')).toThrow(/^run\.log: line 2: result\.inputTokens is 1e\+300; expected a count of tokens from 0 to 1000000000000000 \(10\^15\)/);
    expect(() => ratiosFromFile(bad({ outputTokens: -1e9 }), 'run.log')).toThrow(/run\.log: line 2: result\.outputTokens is -1000000000;/);
    expect(() => ratiosFromFile(bad({ localInputTokens: 1e16 }), 'run.log')).toThrow(/result\.localInputTokens is 10000000000000000;/);
    // JSON.parse makes 1e309 Infinity; the error quotes the file.
    const inf = `${ok}\n${ok.replace('"inputTokens":10', '"inputTokens":1e309')}`;
    expect(inf).toContain('1e309');
    expect(() => ratiosFromFile(inf, 'run.log')).toThrow(/line 2: result\.inputTokens is 1e309;/);
    expect(() => ratiosFromFile(bad({ inputTokens: 1e15 }), 'run.log')).toThrow(/target "a" bills input tokens per token counted: .*at most 1000/);
    expect(ratiosFromFile(bad({ inputTokens: 20 }), 'run.log').get('a')?.input).toBe(1.5);
  });

  it('refuses a compare file whose usage ratio is negative, absurd or not finite', () => {
    const json = (input: string): string => `{"command":"compare","targets":[{"name":"relay","honesty":{"usageRatio":{"input":${input},"output":null}}}]}`;
    expect(() => ratiosFromFile(json('-2'), 'c.json')).toThrow(/^c\.json: targets "relay" honesty\.usageRatio\.input is -2; expected a ratio above 0 and at most 1000/);
    expect(() => ratiosFromFile(json('1e300'), 'c.json')).toThrow(/usageRatio\.input is 1e300;/);
    expect(() => ratiosFromFile(json('1e309'), 'c.json')).toThrow(/usageRatio\.input is 1e309;/);
    expect(ratiosFromFile(json('2.5'), 'c.json').get('relay')).toEqual({ input: 2.5, output: null });
  });
});

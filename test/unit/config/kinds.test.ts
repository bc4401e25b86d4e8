import { describe, expect, it } from 'vitest';
import { ConfigError, EXIT } from '../../../src/core/errors.js';
import { parseConfigText } from '../../../src/config/load.js';
import { caught } from './tmp.js';

const FILE = '/x/relaymon.config.yaml';

/** The config error of `probe` (YAML of one probe named p), with the file name cut from each line. */
async function probeError(probe: string): Promise<{ lines: string[]; path: string | null }> {
  const err = await caught(() => parseConfigText(`probes:\n  p:\n    model: m\n${probe}`, FILE));
  expect(err).toBeInstanceOf(ConfigError);
  const ce = err as ConfigError;
  expect(ce.exitCode).toBe(EXIT.usage);
  return { lines: ce.message.split('\n').map((l) => l.replace(`${FILE}: `, '')), path: ce.path };
}

describe('probe kinds in the config', () => {
  it('accepts every kind with nothing else, and each kind with its options', () => {
    for (const kind of ['text', 'tools', 'json', 'cache', 'reasoning', 'long']) {
      expect(parseConfigText(`probes:\n  p: { model: m, kind: ${kind} }\n`, FILE).probes!['p']!.kind).toBe(kind);
    }
    const c = parseConfigText(
      [
        'probes:',
        '  t: { model: m, kind: tools, tools: [{ name: lookup, description: Look it up, parameters: { type: object, properties: { q: { type: string } }, required: [q] } }] }',
        '  j: { model: m, kind: json, json: { name: city, schema: { type: object, properties: { n: { type: integer } } } } }',
        '  c: { model: m, kind: cache, cache: { tokens: 2048 } }',
        '  l: { model: m, kind: long, long: { tokens: 8000 } }',
        '  r: { model: m, kind: reasoning, reasoning: { effort: high, budgetTokens: 2048 }, maxTokens: 4096 }',
        '',
      ].join('\n'),
      FILE,
    );
    expect(c.probes!['t']!.tools![0]!.name).toBe('lookup');
    expect(c.probes!['j']!.json!.name).toBe('city');
    expect(c.probes!['r']!.reasoning).toEqual({ effort: 'high', budgetTokens: 2048 });
    // A kind other than text asks its own question: no default prompt is filled in.
    expect(c.probes!['l']!.prompt).toBeUndefined();
  });

  it('an unknown kind names the kinds', async () => {
    const err = await probeError('    kind: tool\n');
    expect(err.path).toBe('probes.p.kind');
    expect(err.lines[0]).toMatch(/^probes\.p\.kind: expected one of text, tools, json, cache, reasoning, long/);
  });

  it('an option of another kind is an error, not ignored', async () => {
    const err = await probeError('    long: { tokens: 100 }\n');
    expect(err.lines).toEqual(["probes.p.long: expected kind: long for long to apply (this probe's kind is text)"]);
    const err2 = await probeError('    kind: json\n    tools: [{ name: f, parameters: { type: object } }]\n');
    expect(err2.lines).toEqual(["probes.p.tools: expected kind: tools for tools to apply (this probe's kind is json)"]);
  });

  it('bad tools', async () => {
    const badName = await probeError('    kind: tools\n    tools: [{ name: "get weather", parameters: { type: object } }]\n');
    expect(badName.lines[0]).toMatch(/^probes\.p\.tools\[0\]\.name: expected a function name of 1 to 64 letters, digits, "_" or "-"/);
    const notObject = await probeError('    kind: tools\n    tools: [{ name: f, parameters: { type: string } }]\n');
    expect(notObject.lines[0]).toMatch(/^probes\.p\.tools\[0\]\.parameters: expected parameters with type: object/);
    const invalid = await probeError('    kind: tools\n    tools: [{ name: f, parameters: { type: object, required: 3 } }]\n');
    expect(invalid.lines[0]).toMatch(/^probes\.p\.tools\[0\]\.parameters: expected a valid JSON schema: .*required/);
    const empty = await probeError('    kind: tools\n    tools: []\n');
    expect(empty.lines[0]).toMatch(/^probes\.p\.tools: /);
    const extra = await probeError('    kind: tools\n    tools: [{ name: f, parameters: { type: object }, strict: true }]\n');
    expect(extra.lines[0]).toMatch(/^probes\.p\.tools\[0\]\.strict: unknown key/);
  });

  it('bad json schema', async () => {
    const missing = await probeError('    kind: json\n    json: {}\n');
    expect(missing.lines[0]).toMatch(/^probes\.p\.json\.schema: /);
    const notObject = await probeError('    kind: json\n    json: { schema: { type: array } }\n');
    expect(notObject.lines[0]).toMatch(/^probes\.p\.json\.schema: expected json\.schema with type: object/);
    const invalid = await probeError('    kind: json\n    json: { schema: { type: object, properties: 5 } }\n');
    expect(invalid.lines[0]).toMatch(/^probes\.p\.json\.schema: expected a valid JSON schema: /);
  });

  it('bad sizes', async () => {
    expect((await probeError('    kind: long\n    long: { tokens: 0 }\n')).lines[0]).toMatch(/^probes\.p\.long\.tokens: expected a whole number of tokens above 0/);
    expect((await probeError('    kind: long\n    long: { tokens: 1.5 }\n')).lines[0]).toMatch(/^probes\.p\.long\.tokens: expected a whole number of tokens above 0/);
    expect((await probeError('    kind: long\n    long: { tokens: 2000000 }\n')).lines[0]).toMatch(/^probes\.p\.long\.tokens: expected at most 200000 tokens/);
    expect((await probeError('    kind: cache\n    cache: { tokens: 500 }\n')).lines[0]).toMatch(/^probes\.p\.cache\.tokens: expected at least 1100 tokens/);
  });

  it('bad reasoning options', async () => {
    expect((await probeError('    kind: reasoning\n    reasoning: { effort: extreme }\n')).lines[0]).toMatch(/^probes\.p\.reasoning\.effort: expected one of low, medium, high/);
    expect((await probeError('    kind: reasoning\n    reasoning: { budgetTokens: 100 }\n')).lines[0]).toMatch(/^probes\.p\.reasoning\.budgetTokens: expected at least 1024 tokens/);
    const under = await probeError('    kind: reasoning\n    reasoning: { budgetTokens: 2048 }\n    maxTokens: 1000\n');
    expect(under.lines).toEqual(['probes.p.maxTokens: expected maxTokens above reasoning.budgetTokens (2048): the thinking budget is part of max_tokens']);
  });
});

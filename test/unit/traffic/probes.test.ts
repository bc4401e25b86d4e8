import { describe, expect, it } from 'vitest';
import { probeSchema, type ProbeConfig } from '../../../src/config/schema.js';
import { DEFAULT_PROBE_INTERVAL_MS, mixSeed, planProbes } from '../../../src/traffic/probes.js';

const probe = (input: Record<string, unknown>): ProbeConfig => probeSchema.parse(input);

describe('planProbes', () => {
  it('makes one plan per probe × target, in config order, all targets by default', () => {
    const plans = planProbes(
      { a: probe({ model: 'gpt-4o', every: '5s' }), b: probe({ model: 'claude-haiku-4-5', rate: '2/s', targets: ['direct'] }) },
      ['relay', 'direct'],
    );
    expect(plans.map((p) => `${p.probe}@${p.target}`)).toEqual(['a@relay', 'a@direct', 'b@direct']);
    expect(plans[0]!.schedule).toEqual({ kind: 'every', intervalMs: 5000 });
    expect(plans[2]!.schedule).toEqual({ kind: 'rate', ratePerSec: 2 });
  });

  it('defaults to every 10 s, the default prompt, 16 tokens and streaming', () => {
    const [plan] = planProbes({ p: probe({ model: 'gpt-4o' }) }, ['relay']);
    expect(DEFAULT_PROBE_INTERVAL_MS).toBe(10_000);
    expect(plan!.schedule).toEqual({ kind: 'every', intervalMs: 10_000 });
    expect(plan!.spec).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true });
  });

  it('sends a prompt as one user message and messages as given', () => {
    const plans = planProbes(
      {
        prompt: probe({ model: 'm', prompt: 'Say hi', maxTokens: 4, stream: false, every: 1500 }),
        msgs: probe({ model: 'm', messages: [{ role: 'system', content: 'Terse.' }, { role: 'user', content: 'Hi' }] }),
      },
      ['t'],
    );
    expect(plans[0]!.spec).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Say hi' }], maxTokens: 4, stream: false });
    expect(plans[0]!.schedule).toEqual({ kind: 'every', intervalMs: 1500 });
    expect(plans[1]!.spec.messages).toEqual([
      { role: 'system', content: 'Terse.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('sends only to targets in play, and drops a probe with none left', () => {
    const plans = planProbes(
      { a: probe({ model: 'm', targets: ['relay', 'direct'] }), b: probe({ model: 'm', targets: ['direct'] }) },
      ['relay'],
    );
    expect(plans.map((p) => `${p.probe}@${p.target}`)).toEqual(['a@relay']);
    expect(planProbes(undefined, ['relay'])).toEqual([]);
  });

  it('gives each probe × target its own seed, reproducible from the probe seed', () => {
    const config = { a: probe({ model: 'm', rate: '1/s', seed: 42 }) };
    const one = planProbes(config, ['x', 'y'], 1);
    const two = planProbes(config, ['x', 'y'], 999);
    expect(one.map((p) => p.seed)).toEqual(two.map((p) => p.seed)); // the probe seed wins over the run seed
    expect(one[0]!.seed).not.toBe(one[1]!.seed);
    expect(one[0]!.seed).toBe(mixSeed(42, 'a', 'x'));
    const unseeded = { a: probe({ model: 'm', rate: '1/s' }) };
    expect(planProbes(unseeded, ['x'], 1)[0]!.seed).not.toBe(planProbes(unseeded, ['x'], 2)[0]!.seed);
  });

  it('mixSeed separates names and stays a 32-bit unsigned integer', () => {
    expect(mixSeed(0, 'ab', 'c')).not.toBe(mixSeed(0, 'a', 'bc'));
    for (const s of [0, -1, 2 ** 40, 123]) {
      const h = mixSeed(s, 'p', 't');
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});

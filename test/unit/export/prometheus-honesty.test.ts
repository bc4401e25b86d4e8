import { describe, expect, it } from 'vitest';
import { METRIC, PrometheusExporter } from '../../../src/export/prometheus.js';
import { target } from '../../helpers/target.js';
import { result } from './result.js';
import { find, one, parseExposition } from './prometheus-text.js';

const RELAY = target('relay', 'https://relay.example/v1');
const BASE = { relaymon_target: 'relay', gen_ai_request_model: 'gpt-4o-mini' };

describe('PrometheusExporter: the honesty signals (#7)', () => {
  it('counts reconciled responses, billed against counted tokens, the relay\'s own cost, fingerprint changes and stream violations by kind', async () => {
    const exp = new PrometheusExporter([RELAY], { defaultMetrics: false });
    // An inflating relay: billed 138 output tokens where relaymon counted 100.
    exp.observe(
      result({
        inputTokens: 20,
        localInputTokens: 20,
        outputTokens: 138,
        localOutputTokens: 100,
        usageGapTokens: 38,
        usageGapRatio: 0.38,
        usageMismatch: true,
        reportedCostUsd: 0.002,
        fingerprintChanged: true,
        streamViolations: ['usage_missing', 'out_of_order'],
      }),
    );
    // An honest one, nothing to flag; and one with nothing to reconcile.
    exp.observe(result({ inputTokens: 20, localInputTokens: 20, outputTokens: 100, localOutputTokens: 100, usageGapTokens: 0, usageGapRatio: 0 }));
    exp.observe(result({ usageGapTokens: null, localInputTokens: null, localOutputTokens: null }));
    const s = parseExposition(await exp.metrics());
    const sum = (name: string, match: Record<string, string> = {}) => find(s, name, { ...BASE, ...match }).reduce((n, x) => n + x.value, 0);
    expect(sum(METRIC.usageCompared)).toBe(2);
    expect(sum(METRIC.usageMismatch)).toBe(1);
    expect(sum(METRIC.billedTokens, { gen_ai_token_type: 'output' })).toBe(238);
    expect(sum(METRIC.countedTokens, { gen_ai_token_type: 'output' })).toBe(200);
    expect(sum(METRIC.billedTokens, { gen_ai_token_type: 'input' })).toBe(40);
    expect(sum(METRIC.reportedCost)).toBeCloseTo(0.002, 9);
    expect(sum(METRIC.fingerprintChanges)).toBe(1);
    expect(one(s, METRIC.streamViolations, { ...BASE, kind: 'usage_missing' }).value).toBe(1);
    expect(one(s, METRIC.streamViolations, { ...BASE, kind: 'out_of_order' }).value).toBe(1);
    expect(find(s, METRIC.streamViolations, { kind: 'unterminated' })).toEqual([]);
  });
});

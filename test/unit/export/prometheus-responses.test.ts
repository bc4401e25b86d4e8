import { describe, expect, it } from 'vitest';
import { providerName } from '../../../src/export/prometheus-labels.js';
import { METRIC, PrometheusExporter } from '../../../src/export/prometheus.js';
import { target } from '../../helpers/target.js';
import { result } from './result.js';
import { one, parseExposition } from './prometheus-text.js';

describe('Prometheus labels of an openai-responses target', () => {
  it('the provider is openai for both OpenAI APIs, anthropic for Messages', () => {
    expect(providerName('openai')).toBe('openai');
    expect(providerName('openai-responses')).toBe('openai');
    expect(providerName('anthropic')).toBe('anthropic');
  });

  it('its series carry gen_ai_provider_name="openai" and gen_ai_operation_name="chat"', async () => {
    const t = target('resp', 'https://relay.example/v1', { protocol: 'openai-responses' });
    const exp = new PrometheusExporter([t], { defaultMetrics: false });
    exp.observe(result({ target: 'resp', protocol: 'openai-responses' }));
    const s = parseExposition(await exp.metrics());
    const req = one(s, METRIC.requests, { relaymon_target: 'resp' });
    expect(req.labels['gen_ai_provider_name']).toBe('openai');
    expect(req.labels['gen_ai_operation_name']).toBe('chat');
  });
});

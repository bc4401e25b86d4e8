import { describe, expect, it } from 'vitest';
import { providerName } from '../../../src/export/prometheus-labels.js';

describe('Prometheus provider label', () => {
  it('is openai for both OpenAI APIs and anthropic for Messages', () => {
    expect(providerName('openai')).toBe('openai');
    expect(providerName('openai-responses')).toBe('openai');
    expect(providerName('anthropic')).toBe('anthropic');
  });
});

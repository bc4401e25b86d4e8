import { describe, expect, it } from 'vitest';
import { FingerprintTracker } from '../../../src/honesty/fingerprint.js';

describe('FingerprintTracker', () => {
  it('flags a change against the previous fingerprint of the same target and model', () => {
    const t = new FingerprintTracker();
    expect(t.observe('relay', 'gpt-4o', 'fp_a')).toBe(false);
    expect(t.observe('relay', 'gpt-4o', 'fp_a')).toBe(false);
    expect(t.observe('relay', 'gpt-4o', 'fp_b')).toBe(true);
    expect(t.observe('relay', 'gpt-4o', 'fp_b')).toBe(false);
    expect(t.observe('relay', 'gpt-4o', 'fp_a')).toBe(true);
  });

  it('keeps targets and models apart, matching models through aliases', () => {
    const t = new FingerprintTracker();
    t.observe('relay', 'gpt-4o', 'fp_a');
    expect(t.observe('direct', 'gpt-4o', 'fp_b')).toBe(false);
    expect(t.observe('relay', 'gpt-4o-mini', 'fp_c')).toBe(false);
    expect(t.observe('relay', 'openai/gpt-4o-2024-08-06', 'fp_a')).toBe(false);
    expect(t.observe('relay', 'openai/gpt-4o-2024-08-06', 'fp_z')).toBe(true);
  });

  it('a response without a fingerprint neither changes nor resets it', () => {
    const t = new FingerprintTracker();
    t.observe('relay', 'gpt-4o', 'fp_a');
    expect(t.observe('relay', 'gpt-4o', null)).toBe(false);
    expect(t.observe('relay', 'gpt-4o', 'fp_a')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../../src/core/result.js';
import { adapterFor, anthropicAdapter, classifyHttpError, createSseFramer, openaiAdapter, retryAfterMs } from '../../../src/protocol/index.js';

describe('adapterFor', () => {
  it('returns the adapter for each protocol', () => {
    expect(adapterFor('openai')).toBe(openaiAdapter);
    expect(adapterFor('anthropic')).toBe(anthropicAdapter);
    for (const p of PROTOCOLS) expect(adapterFor(p).protocol).toBe(p);
  });

  it('re-exports the framer, classifiers and header helpers', () => {
    expect(typeof createSseFramer).toBe('function');
    expect(classifyHttpError(404, {}, '').errorType).toBe('not_found');
    expect(retryAfterMs({ 'retry-after': '1' })).toBe(1000);
  });
});

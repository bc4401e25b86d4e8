import { describe, expect, it } from 'vitest';
import { interTokenLatency, outputTokensPerSecond, ResponseAccumulator } from '../../../src/client/accumulate.js';

describe('ResponseAccumulator', () => {
  it('an empty token is not a token; first token and first content are separate instants', () => {
    const acc = new ResponseAccumulator();
    acc.apply([{ kind: 'meta', model: 'gpt-4o' }, { kind: 'token', channel: 'content', text: '' }], 1);
    expect(acc.firstTokenAt).toBeNull();
    acc.apply([{ kind: 'token', channel: 'reasoning', text: 'hmm' }], 10);
    acc.apply([{ kind: 'token', channel: 'content', text: 'OK' }], 25);
    expect(acc.firstTokenAt).toBe(10);
    expect(acc.firstContentAt).toBe(25);
    expect(acc.lastTokenAt).toBe(25);
    expect(acc.chunks).toBe(2);
    expect(acc.chunkGapsMs).toEqual([15]);
    expect(acc.contentText).toBe('OK');
    expect(acc.responseModel).toBe('gpt-4o');
  });

  it('usage is assigned, not added (Anthropic cumulative output_tokens)', () => {
    const acc = new ResponseAccumulator();
    acc.apply([{ kind: 'usage', inputTokens: 20, outputTokens: 1 }], 1);
    acc.apply([{ kind: 'usage', outputTokens: 5 }], 2);
    acc.apply([{ kind: 'usage', outputTokens: 12 }], 3);
    acc.apply([{ kind: 'usage', outputTokens: 20 }], 4);
    expect(acc.usage.inputTokens).toBe(20);
    expect(acc.usage.outputTokens).toBe(20);
    expect(acc.usageSeen).toBe(true);
  });

  it('the first error wins and is returned; invalid data is bad_response', () => {
    const acc = new ResponseAccumulator();
    expect(acc.apply([{ kind: 'invalid', message: 'not JSON' }], 1)).toEqual({ errorType: 'bad_response', message: 'not JSON' });
    acc.apply([{ kind: 'error', errorType: 'overloaded', message: 'Overloaded' }], 2);
    expect(acc.error?.errorType).toBe('bad_response');
  });

  it('one event carrying several token parts is one chunk', () => {
    const acc = new ResponseAccumulator();
    acc.apply([{ kind: 'token', channel: 'content', text: 'a' }, { kind: 'token', channel: 'content', text: 'b' }], 5);
    expect(acc.chunks).toBe(1);
    expect(acc.contentText).toBe('ab');
  });
});

describe('derived timing', () => {
  it('ITL = (last − first) / (tokens − 1)', () => {
    expect(interTokenLatency(100, 190, 10)).toBe(10);
    expect(interTokenLatency(100, 100, 1)).toBeNull();
    expect(interTokenLatency(null, 190, 10)).toBeNull();
  });

  it('tokens per second excludes TTFT', () => {
    expect(outputTokensPerSecond(1000, 3000, 50)).toBe(25);
    expect(outputTokensPerSecond(1000, 1000, 50)).toBeNull();
    expect(outputTokensPerSecond(null, 1000, 50)).toBeNull();
  });
});

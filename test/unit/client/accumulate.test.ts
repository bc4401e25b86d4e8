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
  it('ITL = (last visible − first visible) / (visible tokens − 1)', () => {
    expect(interTokenLatency(100, 190, 10)).toBe(10);
    expect(interTokenLatency(100, 100, 1)).toBeNull();
    expect(interTokenLatency(null, 190, 10)).toBeNull();
    // Every token at one instant (a buffered answer): no gaps to speak of.
    expect(interTokenLatency(100, 100, 40)).toBeNull();
  });

  it('tokens per second = 1000 × (visible − 1) / (last visible − first visible), null wherever ITL is null', () => {
    expect(outputTokensPerSecond(1000, 3000, 51)).toBe(25);
    // One token: the old formula read thousands of tokens per second here.
    expect(outputTokensPerSecond(1000, 1000, 1)).toBeNull();
    expect(outputTokensPerSecond(1000, 1200, 1)).toBeNull();
    // A buffered answer: the old formula read ~70,000/s.
    expect(outputTokensPerSecond(1000, 1000, 50)).toBeNull();
    expect(outputTokensPerSecond(null, 1000, 50)).toBeNull();
    for (const [a, b, n] of [[0, 90, 10], [5, 5, 3], [0, 10, 1], [null, 3, 4]] as const) {
      expect(outputTokensPerSecond(a, b, n) === null).toBe(interTokenLatency(a, b, n) === null);
    }
  });

  it('the visible span leaves out reasoning: first/last visible ignore reasoning deltas', () => {
    const acc = new ResponseAccumulator();
    acc.apply([{ kind: 'token', channel: 'reasoning', text: 'hmm' }], 10);
    acc.apply([{ kind: 'token', channel: 'reasoning', text: 'so' }], 20);
    acc.apply([{ kind: 'token', channel: 'content', text: 'A' }], 500);
    acc.apply([{ kind: 'token', channel: 'content', text: 'B' }], 520);
    expect([acc.firstTokenAt, acc.firstContentAt, acc.firstVisibleAt, acc.lastVisibleAt]).toEqual([10, 500, 500, 520]);
  });
});

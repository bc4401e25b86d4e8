import { describe, expect, it } from 'vitest';
import { ResponseAccumulator } from '../../../src/client/accumulate.js';
import { honestyFields, promptCount, type HonestyInput } from '../../../src/client/honesty.js';
import { outputCount } from '../../../src/tokens/local-count.js';
import { DEFAULT_USAGE_TOLERANCES } from '../../../src/core/target.js';
import { FingerprintTracker } from '../../../src/honesty/fingerprint.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';

const spec: RequestSpec = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };
const body = { model: 'gpt-4o', messages: spec.messages };

function acc(content: string, tool = '', reasoning = ''): ResponseAccumulator {
  const a = new ResponseAccumulator();
  const events = [
    ...(reasoning ? [{ kind: 'token' as const, channel: 'reasoning' as const, text: reasoning }] : []),
    ...(content ? [{ kind: 'token' as const, channel: 'content' as const, text: content }] : []),
    ...(tool ? [{ kind: 'token' as const, channel: 'tool' as const, text: tool }] : []),
    { kind: 'done' as const },
  ];
  a.apply(events, 1);
  return a;
}

function input(a: ResponseAccumulator, over: Partial<HonestyInput> = {}): HonestyInput {
  return {
    ok: true,
    target: 'relay',
    model: 'gpt-4o',
    acc: a,
    prompt: promptCount(spec, body),
    output: outputCount('gpt-4o', a),
    usage: { inputTokens: 10, outputTokens: 2, reasoningTokens: null, usageSource: 'reported' },
    costUsd: null,
    reportedCostUsd: null,
    tolerances: DEFAULT_USAGE_TOLERANCES,
    fingerprints: null,
    conformance: null,
    errorType: null,
    ...over,
  };
}

describe('honestyFields', () => {
  it('reconciles a successful reported usage against the local count', () => {
    expect(honestyFields(input(acc('Hello there')))).toMatchObject({
      localInputTokens: 10,
      localOutputTokens: 2,
      localCountKind: 'exact',
      usageGapTokens: 0,
      usageGapRatio: 0,
      usageMismatch: false,
      streamViolations: [],
    });
  });

  it('counts but does not compare estimated usage', () => {
    const f = honestyFields(input(acc('Hello there'), { usage: { inputTokens: 10, outputTokens: 2, reasoningTokens: null, usageSource: 'estimated' } }));
    expect(f).toMatchObject({ localOutputTokens: 2, usageGapTokens: null, usageGapRatio: null, usageMismatch: false });
  });

  it('a failed request has no local counts; the fingerprint still counts', () => {
    const a = acc('Hel');
    a.systemFingerprint = 'fp_x';
    const fps = new FingerprintTracker();
    fps.observe('relay', 'gpt-4o', 'fp_old');
    const f = honestyFields(input(a, { ok: false, errorType: 'stream_truncated', prompt: null, output: null, fingerprints: fps }));
    expect(f).toMatchObject({ localInputTokens: null, localOutputTokens: null, localCountKind: null, usageGapTokens: null, fingerprintChanged: true });
  });

  it('tool-call output is an estimate; hidden reasoning is taken from the report', () => {
    const tool = honestyFields(input(acc('', '{"city":"Hanoi"}'), { usage: { inputTokens: 10, outputTokens: 40, reasoningTokens: null, usageSource: 'reported' } }));
    expect(tool.localCountKind).toBe('estimate');
    const hidden = honestyFields(input(acc('Hello there'), { usage: { inputTokens: 10, outputTokens: 502, reasoningTokens: 500, usageSource: 'reported' } }));
    expect(hidden).toMatchObject({ localOutputTokens: 502, usageMismatch: false });
  });

  it('the cost gap is reported minus computed, when both are known', () => {
    expect(honestyFields(input(acc('Hi'), { costUsd: 0.002, reportedCostUsd: 0.003 })).costGapUsd).toBeCloseTo(0.001, 12);
    expect(honestyFields(input(acc('Hi'), { costUsd: null, reportedCostUsd: 0.003 })).costGapUsd).toBeNull();
  });
});

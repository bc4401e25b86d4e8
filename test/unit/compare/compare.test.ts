import { describe, expect, it } from 'vitest';
import type { RequestResult } from '../../../src/core/result.js';
import { mulberry32, normalSampler } from '../../../src/core/random.js';
import { compareResults, DEFAULT_COMPARE_OPTIONS } from '../../../src/compare/compare.js';
import { usageRatio } from '../../../src/honesty/reconcile.js';
import { compareText } from '../../../src/compare/compare-text.js';
import { makeFailure, makeResult } from '../stats/fixtures.js';

const A = { name: 'relay', baseUrl: 'http://relay/v1', protocol: 'openai' as const };
const B = { name: 'direct', baseUrl: 'http://direct/v1', protocol: 'openai' as const };

function traffic(target: string, ttftMedian: number, n: number, seed: number, over: Partial<RequestResult> = {}): RequestResult[] {
  const normal = normalSampler(mulberry32(seed));
  return Array.from({ length: n }, () => {
    const ttft = ttftMedian * Math.exp(0.25 * normal());
    return makeResult({ target, ttftMs: ttft, latencyMs: ttft + 300, ...over });
  });
}

describe('compareResults', () => {
  it('a known 200 ms TTFT difference is significant, with the difference inside its interval', () => {
    const r = compareResults(A, B, [...traffic('relay', 300, 40, 1), ...traffic('direct', 100, 40, 2)]);
    const ttft = r.metrics.find((m) => m.metric === 'ttft')!;
    expect(ttft.significant).toBe(true);
    expect(ttft.pValue!).toBeLessThan(1e-6);
    expect(ttft.difference.low!).toBeLessThan(ttft.difference.median!);
    expect(ttft.difference.median!).toBeGreaterThan(150);
    expect(ttft.difference.low!).toBeGreaterThan(100);
    expect(ttft.a.n).toBe(40);
  });

  it('samples of one distribution are not', () => {
    const r = compareResults(A, B, [...traffic('relay', 100, 40, 3), ...traffic('direct', 100, 40, 4)]);
    for (const m of r.metrics) expect([m.metric, m.significant]).toEqual([m.metric, false]);
    expect(r.errors.significant).toBe(false);
  });

  it('a tiny but consistent difference is not called significant below the effect floor', () => {
    // 2 ms on a 100 ms median with almost no spread: statistically clear, practically nothing.
    const b = Array.from({ length: 50 }, (_, i) => makeResult({ target: 'direct', ttftMs: 100 + (i % 5) * 0.1 }));
    const a = b.map((x) => ({ ...x, target: 'relay', ttftMs: x.ttftMs! + 2 }));
    const ttft = compareResults(A, B, [...a, ...b]).metrics.find((m) => m.metric === 'ttft')!;
    expect(ttft.pValue!).toBeLessThan(1e-6);
    expect(ttft.difference.median).toBeCloseTo(2, 9);
    expect(ttft.significant).toBe(false);
    const noFloor = compareResults(A, B, [...a, ...b], { ...DEFAULT_COMPARE_OPTIONS, minEffect: 0 }).metrics.find((m) => m.metric === 'ttft')!;
    expect(noFloor.significant).toBe(true);
  });

  it('times come from successful requests; errors are compared by Fisher; cancelled requests count nowhere', () => {
    const relay = [...traffic('relay', 100, 30, 6), ...Array.from({ length: 10 }, () => makeFailure('server_error', { target: 'relay', latencyMs: 1 }))];
    const direct = [...traffic('direct', 100, 40, 7), makeFailure('cancelled', { target: 'direct' })];
    const r = compareResults(A, B, [...relay, ...direct]);
    expect(r.metrics.find((m) => m.metric === 'latency')!.a.n).toBe(30);
    expect(r.errors.a).toEqual({ requests: 40, errors: 10, rate: 0.25 });
    expect(r.errors.b).toEqual({ requests: 40, errors: 0, rate: 0 });
    expect(r.errors.difference).toBe(0.25);
    expect(r.errors.pValue!).toBeLessThan(0.01);
    expect(r.errors.significant).toBe(true);
    expect(r.targets[1].requests).toBe(40);
  });

  it('cost per 1M tokens and the honesty counts of each target', () => {
    const relay = traffic('relay', 100, 10, 8, { costUsd: 0.001, inputTokens: 10, outputTokens: 30, localOutputTokens: 20, usageMismatch: true, usageGapTokens: 10, usageGapRatio: 1 / 3 });
    const direct = traffic('direct', 100, 10, 9, { costUsd: 0.002, modelMismatch: true, streamViolations: ['usage_missing'] });
    const [a, b] = compareResults(A, B, [...relay, ...direct]).targets;
    expect(a.costPer1MTokensUsd).toBeCloseTo((0.01 / 400) * 1e6, 9);
    // Delivered: 10 in + 20 out counted per request, 30 out billed.
    expect(a.costPer1MCountedTokensUsd).toBeCloseTo((0.01 / 300) * 1e6, 9);
    expect(a.honesty).toMatchObject({ usageCompared: 10, usageMismatches: 10, usageRatio: { input: 1, output: 1.5 } });
    expect(a.honesty.usageGapRatio).toBeCloseTo(100 / 300, 12);
    expect(b.honesty).toMatchObject({ modelMismatches: 10, namedModels: 10, streamsWithoutUsage: 10, streams: 10 });
    const text = compareText(compareResults(A, B, [...relay, ...direct]), { color: false, durationMs: 1234, stoppedBy: null });
    expect(text).toContain('relay vs direct: 10 + 10 requests in 1.2s');
    expect(text).toContain('10/10 mismatched, +33% billed');
    expect(text).toContain('10 without usage of 10');
    expect(text).toMatch(/^ttft\s/m);
  });
});

describe('usageRatio', () => {
  it('billed per counted token, from exact counts only', () => {
    const rs = [
      makeResult({ inputTokens: 12, localInputTokens: 10, outputTokens: 30, localOutputTokens: 20, usageGapTokens: 12 }),
      makeResult({ inputTokens: 999, localInputTokens: 10, outputTokens: 999, localOutputTokens: 20, usageGapTokens: 1958, localCountKind: 'estimate' }),
      makeResult({ usageGapTokens: null }),
      makeResult({ inputTokens: 500, localInputTokens: null, outputTokens: 10, localOutputTokens: 10, usageGapTokens: 0 }),
    ];
    expect(usageRatio(rs)).toEqual({ input: 1.2, output: 40 / 30 });
    expect(usageRatio([])).toEqual({ input: null, output: null });
  });
});

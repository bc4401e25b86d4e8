import { describe, expect, it } from 'vitest';
import { describeUsageGap, localOutputTokens, reconcileUsage, withinTolerance } from '../../../src/honesty/reconcile.js';
import { DEFAULT_USAGE_TOLERANCES } from '../../../src/core/target.js';

describe('withinTolerance', () => {
  it('allows tokens + percent of the count, both ways', () => {
    const tol = { tokens: 4, percent: 5 };
    expect(withinTolerance(104 + 5, 100, tol)).toBe(true); // 4 + 5% of 100 = 9
    expect(withinTolerance(110, 100, tol)).toBe(false);
    expect(withinTolerance(91, 100, tol)).toBe(true);
    expect(withinTolerance(90, 100, tol)).toBe(false);
    expect(withinTolerance(4, 0, tol)).toBe(true);
    expect(withinTolerance(5, 0, tol)).toBe(false);
  });
});

describe('localOutputTokens', () => {
  it('adds reasoning the relay reported but did not stream, rather than flagging it', () => {
    expect(localOutputTokens(20, 0, 300)).toBe(320);
    // Streamed reasoning counts; a smaller (summary) report does not shrink it.
    expect(localOutputTokens(20, 50, 30)).toBe(70);
    expect(localOutputTokens(20, 0, null)).toBe(20);
  });
});

describe('reconcileUsage', () => {
  const exact = (input: number | null, output: number) => ({ inputTokens: input, outputTokens: output, kind: 'exact' as const });

  it('an honest bill: no mismatch, gap 0', () => {
    expect(reconcileUsage({ inputTokens: 10, outputTokens: 16 }, exact(10, 16))).toEqual({ usageGapTokens: 0, usageGapRatio: 0, usageMismatch: false });
  });

  it('inflated output: the gap in tokens and as a share of what was counted', () => {
    const r = reconcileUsage({ inputTokens: 10, outputTokens: 24 }, exact(10, 16));
    expect(r).toEqual({ usageGapTokens: 8, usageGapRatio: 8 / 26, usageMismatch: true });
    expect(describeUsageGap(r.usageGapTokens, r.usageGapRatio)).toBe('+31% billed');
  });

  it('holds each direction to the tolerance on its own: a padded prompt does not hide in a long answer', () => {
    const r = reconcileUsage({ inputTokens: 30, outputTokens: 1000 }, exact(10, 1000));
    expect(r.usageMismatch).toBe(true);
    expect(r.usageGapRatio).toBeCloseTo(20 / 1010, 12);
  });

  it('leaves the input out when it could not be counted', () => {
    expect(reconcileUsage({ inputTokens: 5000, outputTokens: 16 }, exact(null, 16))).toEqual({ usageGapTokens: 0, usageGapRatio: 0, usageMismatch: false });
  });

  it('under-reporting is a mismatch too (the sign says which way)', () => {
    const r = reconcileUsage({ inputTokens: 10, outputTokens: 0 }, exact(10, 40));
    expect(r.usageMismatch).toBe(true);
    expect(describeUsageGap(r.usageGapTokens, r.usageGapRatio)).toBe('\u221280% billed');
  });

  it('estimates get the wider estimate tolerance; a custom tolerance applies', () => {
    const est = { inputTokens: 12, outputTokens: 100, kind: 'estimate' as const };
    expect(reconcileUsage({ inputTokens: 20, outputTokens: 130 }, est).usageMismatch).toBe(false);
    expect(reconcileUsage({ inputTokens: 20, outputTokens: 200 }, est).usageMismatch).toBe(true);
    const strict = { ...DEFAULT_USAGE_TOLERANCES, estimate: { tokens: 0, percent: 0 } };
    expect(reconcileUsage({ inputTokens: 13, outputTokens: 100 }, est, strict).usageMismatch).toBe(true);
  });

  it('holds each direction to the tolerance of its own count: an estimated prompt does not widen an exact answer', () => {
    // A Responses prompt is an estimate (inputKind), its streamed answer exact: 30 billed tokens over 306 is beyond 4 + 5 %.
    const mixed = { inputTokens: 20, outputTokens: 306, kind: 'exact' as const, inputKind: 'estimate' as const };
    expect(reconcileUsage({ inputTokens: 20, outputTokens: 336 }, mixed).usageMismatch).toBe(true);
    // The input, 8 over 20, is within the estimate tolerance (32 + 50 %), though beyond the exact one.
    expect(reconcileUsage({ inputTokens: 28, outputTokens: 306 }, mixed).usageMismatch).toBe(false);
    expect(reconcileUsage({ inputTokens: 28, outputTokens: 306 }, { ...mixed, inputKind: 'exact' }).usageMismatch).toBe(true);
  });

  it('no ratio when nothing was counted', () => {
    const r = reconcileUsage({ inputTokens: 0, outputTokens: 12 }, exact(null, 0));
    expect(r).toEqual({ usageGapTokens: 12, usageGapRatio: null, usageMismatch: true });
    expect(describeUsageGap(12, null)).toBe('+12 tokens billed');
    expect(describeUsageGap(0, 0)).toBe('0% billed');
  });
});

import { describe, expect, it } from 'vitest';
import { billedCost, sumCosts } from '../../../src/stats/summary.js';
import { result } from '../export/result.js';

describe('billedCost', () => {
  it('a priced request adds its cost; a failure with no reported usage adds 0; a billed request without a price is unpriced', () => {
    expect(billedCost(result({ costUsd: 0.002 }))).toBe(0.002);
    expect(billedCost(result({ ok: false, errorType: 'connection_refused', costUsd: null, usageSource: null }))).toBe(0);
    expect(billedCost(result({ ok: false, errorType: 'rate_limited', costUsd: null, usageSource: 'estimated' }))).toBe(0);
    // The relay reported usage on a failed stream: it may bill it, and without a price that is unknown.
    expect(billedCost(result({ ok: false, errorType: 'stream_truncated', costUsd: null, usageSource: 'reported' }))).toBeNull();
    expect(billedCost(result({ ok: true, costUsd: null }))).toBeNull();
  });

  it('sumCosts counts only the unknown ones as unpriced, and a run of failures costs $0, not "unpriced"', () => {
    const failures = [1, 2, 3].map(() => result({ ok: false, errorType: 'connection_refused', costUsd: null, usageSource: null }));
    expect(sumCosts(failures)).toEqual({ sum: 0, unpriced: 0 });
    expect(sumCosts([...failures, result({ costUsd: null }), result({ costUsd: 0.5 })])).toEqual({ sum: 0.5, unpriced: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../../../src/core/target.js';
import { target as makeTarget } from '../../helpers/target.js';
import { PriceTable } from '../../../src/pricing/table.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';
import { SpendGuard, budgetEndMessage, budgetStopMessage, budgetStopNote, formatUsd, specInputTokens, worstCaseUsd } from '../../../src/traffic/budget.js';
import { bookedCost, neverReachedRelay, type SettledResult } from '../../../src/traffic/billing.js';

const prices = PriceTable.builtIn();

function target(name = 'relay', priceMultiplier = 1): ResolvedTarget {
  return makeTarget(name, 'http://127.0.0.1:1/v1', { priceMultiplier });
}

/** "Reply with OK" as one user message: 3 (reply priming) + 3 (message framing) + 1 ("user") + 3 (text) = 10 tokens. */
function spec(model = 'gpt-4o-mini', maxTokens = 16): RequestSpec {
  return { model, messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens, stream: true };
}

// gpt-4o-mini in the built-in table: 1.5e-7 USD per input token ($0.15/M), 6e-7 per output token ($0.60/M).
// Worst case of spec(): 10 × 1.5e-7 + 16 × 6e-7 = 1.5e-6 + 9.6e-6 = 1.11e-5 USD.
const WORST = 1.11e-5;

describe('worst case of a request', () => {
  it('prices the locally counted input at the input price and all of max_tokens at the output price', () => {
    expect(specInputTokens(spec())).toBe(10);
    expect(worstCaseUsd(prices, target(), spec())).toBeCloseTo(WORST, 15);
    expect(new SpendGuard(null, prices).worstCase(target(), spec('gpt-4o-mini', 1000))).toBeCloseTo(1.5e-6 + 6e-4, 15);
  });

  it('scales by the target price multiplier', () => {
    expect(worstCaseUsd(prices, target('cheap', 0.15), spec())).toBeCloseTo(WORST * 0.15, 15);
  });

  it('takes a cacheable prefix (probe kind cache) at the cache-write price where the model has one', () => {
    // claude-sonnet-4-5: $3/M input, $3.75/M cache write, $15/M output; 10 input tokens, 16 output.
    const claude: RequestSpec = { ...spec('claude-sonnet-4-5'), cachePrefix: true };
    expect(worstCaseUsd(prices, target(), claude)).toBeCloseTo(10 * 3.75e-6 + 16 * 1.5e-5, 15);
    expect(worstCaseUsd(prices, target(), { ...claude, cachePrefix: false })).toBeCloseTo(10 * 3e-6 + 16 * 1.5e-5, 15);
    // gpt-4o-mini has no cache-write price: its input price stands.
    expect(worstCaseUsd(prices, target(), { ...spec(), cachePrefix: true })).toBeCloseTo(WORST, 15);
  });

  it('is null for a model without a price', () => {
    expect(worstCaseUsd(prices, target(), spec('no-such-model-xyz'))).toBeNull();
  });

  it('counts tool definitions in a replayed body as input', () => {
    const tools = [{ type: 'function', function: { name: 'lookup_weather', description: 'Weather for a city, today and tomorrow' } }];
    const plain = spec();
    const withTools: RequestSpec = { ...spec(), body: { model: 'gpt-4o-mini', messages: [], tools } };
    expect(specInputTokens(withTools)).toBeGreaterThan(specInputTokens(plain) + 10);
  });
});

describe('SpendGuard', () => {
  it('admits everything and still books known spend when there is no budget', () => {
    const g = new SpendGuard(null, prices);
    const a = g.admit(target(), spec());
    // Nothing to protect, so nothing is reserved (and no prompt is tokenized).
    expect(a).toEqual({ ok: true, reservedUsd: 0 });
    const u = g.admit(target(), spec('no-such-model-xyz'));
    expect(u).toEqual({ ok: true, reservedUsd: 0 });
    if (a.ok) g.settle(a.reservedUsd, 4e-6);
    if (u.ok) g.settle(u.reservedUsd, null);
    expect(g.spentUsd()).toBeCloseTo(4e-6, 15);
    expect(g.remainingUsd()).toBeNull();
    expect(g.exhausted).toBe(false);
  });

  it('fits exactly as many worst cases as the budget holds, despite float dust', () => {
    const g = new SpendGuard(3 * WORST, prices);
    const results = [1, 2, 3, 4].map(() => g.admit(target(), spec()));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(g.reservedUsd()).toBeCloseTo(3 * WORST, 15);
    expect(g.remainingUsd()).toBeCloseTo(0, 15);
  });

  it('holds in-flight worst cases against the budget, so concurrent admits cannot overspend', () => {
    // $0.00005 holds four worst cases (4.44e-5) but not five (5.55e-5).
    const g = new SpendGuard(5e-5, prices);
    const inFlight = [1, 2, 3, 4].map(() => g.admit(target(), spec()));
    expect(inFlight.every((a) => a.ok)).toBe(true);
    const fifth = g.admit(target(), spec());
    expect(fifth.ok).toBe(false);
    if (!fifth.ok) {
      expect(fifth.kind).toBe('budget');
      expect(fifth.reason).toContain('held for requests in flight');
    }
    // Refused while requests are in flight: their settling may make room, so the run is not over yet.
    expect(g.exhausted).toBe(false);
    // Each really cost 2e-6: settling all four frees 4.44e-5 − 8e-6.
    for (const a of inFlight) if (a.ok) g.settle(a.reservedUsd, 2e-6);
    expect(g.spentUsd()).toBeCloseTo(8e-6, 15);
    expect(g.reservedUsd()).toBe(0);
    expect(g.remainingUsd()).toBeCloseTo(5e-5 - 8e-6, 15);
    // 8e-6 + 3 × 1.11e-5 = 4.13e-5 ≤ 5e-5; a fourth would be 5.24e-5.
    const next = [1, 2, 3, 4].map(() => g.admit(target(), spec()));
    expect(next.map((a) => a.ok)).toEqual([true, true, true, false]);
  });

  it('books the worst case when the actual cost is unknown', () => {
    const g = new SpendGuard(1, prices);
    const a = g.admit(target(), spec());
    expect(a.ok).toBe(true);
    if (a.ok) g.settle(a.reservedUsd, null);
    expect(g.spentUsd()).toBeCloseTo(WORST, 15);
    expect(g.remainingUsd()).toBeCloseTo(1 - WORST, 12);
  });

  it('books the actual cost even when it beats the worst case', () => {
    const g = new SpendGuard(1, prices);
    const a = g.admit(target(), spec());
    if (a.ok) g.settle(a.reservedUsd, 0.5);
    expect(g.spentUsd()).toBe(0.5);
  });

  it('becomes exhausted when a refusal cannot clear: nothing in flight', () => {
    const g = new SpendGuard(1.5 * WORST, prices);
    const a = g.admit(target(), spec());
    if (a.ok) g.settle(a.reservedUsd, null);
    expect(g.exhausted).toBe(false);
    const b = g.admit(target(), spec());
    expect(b.ok).toBe(false);
    if (!b.ok) {
      expect(b.reason).toBe(
        'a request to "gpt-4o-mini" could cost up to $0.0000111 (10 input tokens, max_tokens 16), above the $0.00000555 left of the $0.0000167 budget (spent $0 + up to $0.0000111 of unknown cost by then)',
      );
    }
    expect(g.exhausted).toBe(true);
    expect(g.refused).toBe(1);
  });

  it('becomes exhausted once the spend reaches the budget', () => {
    const g = new SpendGuard(1e-5, prices);
    const a = g.admit(target('cheap', 0.5), spec());
    expect(a).toEqual({ ok: true, reservedUsd: expect.closeTo(WORST * 0.5, 15) as number });
    if (a.ok) g.settle(a.reservedUsd, 1e-5);
    expect(g.exhausted).toBe(true);
    expect(g.remainingUsd()).toBe(0);
  });

  it('applies the multiplier: a relay at 15% of list price fits more requests', () => {
    const budget = 10 * WORST;
    const list = new SpendGuard(budget, prices);
    const relay = new SpendGuard(budget, prices);
    const count = (g: SpendGuard, t: ResolvedTarget): number => {
      let n = 0;
      while (n < 1000 && g.admit(t, spec()).ok) n++;
      return n;
    };
    expect(count(list, target())).toBe(10);
    // 10 / 0.15 = 66.67 → 66
    expect(count(relay, target('relay', 0.15))).toBe(66);
  });

  it('refuses an unpriced model under a budget, saying why', () => {
    const g = new SpendGuard(100, prices);
    const r = g.admit(target(), spec('no-such-model-xyz'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe('unpriced');
      expect(r.reason).toContain('no price for model "no-such-model-xyz"');
      expect(r.reason).toContain('cannot be bounded');
    }
    expect(g.reservedUsd()).toBe(0);
    // A priced model next to it is still admitted.
    expect(g.admit(target(), spec()).ok).toBe(true);
  });

  it('refuses every priced request under a zero budget', () => {
    const g = new SpendGuard(0, prices);
    expect(g.admit(target(), spec()).ok).toBe(false);
    expect(g.exhausted).toBe(true);
  });

  it('rejects a negative or non-finite budget', () => {
    expect(() => new SpendGuard(-1, prices)).toThrow(RangeError);
    expect(() => new SpendGuard(Number.NaN, prices)).toThrow(RangeError);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0'],
    [0.0000414, '$0.0000414'],
    [0.00005, '$0.00005'],
    [0.05, '$0.05'],
    [1.5, '$1.50'],
    [12.34567, '$12.3457'],
    [1e-9, '$0.000000001'],
  ])('%s → %s', (v, text) => {
    expect(formatUsd(v)).toBe(text);
  });

  it('tells the spent amount from a small budget apart (issue 11: "$0.0000 of $0.00005")', () => {
    expect(budgetStopMessage('check', { spentUsd: 0.0000414, budgetUsd: 0.00005 })).toBe('check: stopped by the budget: spent $0.0000414 of $0.00005\n');
  });
});

describe('what a settled request books (round 18, F-budget-1)', () => {
  const failed = (over: Partial<SettledResult>): SettledResult => ({
    ok: false,
    costUsd: null,
    usageSource: null,
    errorType: 'connection_reset',
    timeoutPhase: null,
    httpStatus: null,
    newConnection: false,
    connectMs: null,
    ...over,
  });

  it('a reset with no answer is of unknown cost: nothing measured, its worst case held', () => {
    expect(bookedCost(WORST, failed({}))).toEqual({ measuredUsd: 0, unknownUsd: WORST });
    expect(bookedCost(WORST, failed({ httpStatus: 200 }))).toEqual({ measuredUsd: 0, unknownUsd: WORST });
  });

  it('a stream cut part-way: what arrived is measured, the rest up to the worst case held', () => {
    const b = bookedCost(WORST, failed({ httpStatus: 200, costUsd: 6e-6, usageSource: 'estimated' }));
    expect(b.measuredUsd).toBe(6e-6);
    expect(b.unknownUsd).toBeCloseTo(WORST - 6e-6, 15);
  });

  it("a relay's reported usage is the bill, failed or not", () => {
    expect(bookedCost(WORST, failed({ httpStatus: 200, errorType: 'stream_error', costUsd: 5e-6, usageSource: 'reported' }))).toEqual({ measuredUsd: 5e-6, unknownUsd: 0 });
    expect(bookedCost(WORST, { ...failed({ costUsd: 9e-6, usageSource: 'estimated', httpStatus: 200 }), ok: true, errorType: null })).toEqual({ measuredUsd: 9e-6, unknownUsd: 0 });
  });

  it('only a request that never reached the relay is known to be free', () => {
    for (const r of [
      failed({ errorType: 'connection_refused' }),
      failed({ errorType: 'dns' }),
      failed({ errorType: 'timeout', timeoutPhase: 'connect' }),
      failed({ errorType: 'tls', newConnection: true, connectMs: null }),
    ]) {
      expect(neverReachedRelay(r)).toBe(true);
      expect(bookedCost(WORST, r)).toEqual({ measuredUsd: 0, unknownUsd: 0 });
    }
    // A TLS error on an open connection, a first-token timeout, a cancel: the relay may have the request.
    for (const r of [
      failed({ errorType: 'tls', newConnection: false }),
      failed({ errorType: 'tls', newConnection: true, connectMs: 3 }),
      failed({ errorType: 'timeout', timeoutPhase: 'first_token' }),
      failed({ errorType: 'cancelled' }),
    ]) {
      expect(neverReachedRelay(r)).toBe(false);
      expect(bookedCost(WORST, r).unknownUsd).toBe(WORST);
    }
  });

  it('the guard keeps measured and held apart, and both count against the budget', () => {
    const g = new SpendGuard(2.5 * WORST, prices);
    const a = g.admit(target(), spec());
    const b = g.admit(target(), spec());
    if (a.ok) g.settle(a.reservedUsd, failed({}));
    if (b.ok) g.settle(b.reservedUsd, { ...failed({ costUsd: 4e-6, usageSource: 'reported', httpStatus: 200 }), ok: true, errorType: null });
    expect(g.measuredUsd()).toBe(4e-6);
    expect(g.unknownUsd()).toBeCloseTo(WORST, 15);
    expect(g.unknownRequests).toBe(1);
    expect(g.spentUsd()).toBeCloseTo(WORST + 4e-6, 15);
    expect(g.admit(target(), spec()).ok).toBe(true);
    expect(g.admit(target(), spec()).ok).toBe(false); // the held worst case still counts: never under-reserved
  });

  it('the stop note says the measured spend and the upper bound apart', () => {
    expect(budgetStopNote({ spentUsd: 0.00999, unknownUsd: 0.003, unknownRequests: 271, budgetUsd: 0.01 })).toBe(
      'spent $0.00699 of $0.01 as priced from the answers, plus $0.003 held for 271 failed requests of unknown cost (no usage reported; a relay may bill a request it cut off, so each counts at its prompt plus max_tokens)',
    );
    expect(budgetStopNote({ spentUsd: 0.005, unknownUsd: 0, unknownRequests: 0, budgetUsd: 0.01 })).toBe('spent $0.005 of $0.01');
    // An answer dearer than its worst case (a relay that ignores max_tokens) takes the spend over: said, not hidden.
    expect(budgetStopNote({ spentUsd: 0.06, budgetUsd: 0.05, refusal: 'r' })).toBe(
      'spent $0.06 of $0.05, over the budget: answers cost more than the worst case the guard allowed for them (a relay that ignores max_tokens, or bills more tokens than it sends); r',
    );
    expect(budgetStopNote({ spentUsd: 0.03 + 0.02, budgetUsd: 0.05 })).toBe('spent $0.05 of $0.05'); // float dust is not an overspend
    // The end of a run says the budget only when it stopped the run or was gone past.
    expect(budgetEndMessage('check', 'requests', { spentUsd: 0.04, budgetUsd: 0.05 })).toBeNull();
    expect(budgetEndMessage('check', 'requests', { spentUsd: 0.03 + 0.02, budgetUsd: 0.05 })).toBeNull();
    expect(budgetEndMessage('check', 'requests', { spentUsd: 0.06, budgetUsd: 0.05 })).toMatch(/^check: spent \$0\.06 of \$0\.05, over the budget: /);
    expect(budgetEndMessage('check', 'budget', { spentUsd: 0.04, budgetUsd: 0.05 })).toBe('check: stopped by the budget: spent $0.04 of $0.05\n');
    expect(budgetEndMessage('check', null, { spentUsd: 9, budgetUsd: null })).toBeNull();
  });
});

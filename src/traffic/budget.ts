/**
 * The spend guard (`--budget-usd`, `budget.usd`): no request is sent whose
 * worst-case cost would take the spend over the budget. Pure bookkeeping; the
 * engine asks before each send and settles when the result is in.
 */
import type { ResolvedTarget } from '../core/target.js';
import type { PriceTable } from '../pricing/table.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { countTextTokens, estimateInputTokens } from '../tokens/estimate.js';
import { warmEncoding } from '../tokens/encodings.js';
import { bookedCost, type SettledResult } from './billing.js';

/** Probes send the same spec object over and over; tokenizing its prompt once is enough. */
const inputTokenCache = new WeakMap<RequestSpec, number>();

/** Body fields that reach the model as prompt text besides the messages. */
const EXTRA_PROMPT_FIELDS = ['tools', 'functions', 'response_format'] as const;

/**
 * Prompt tokens of a spec, counted locally. A replayed body may carry tool
 * definitions or a schema, which the model is billed for as input; they are
 * counted as their JSON text, which overcounts slightly (an upper bound is what
 * a guard wants). Images and audio are not counted: their price depends on the
 * provider, not on anything we can tokenize.
 */
export function specInputTokens(spec: RequestSpec): number {
  const cached = inputTokenCache.get(spec);
  if (cached !== undefined) return cached;
  let n = estimateInputTokens(spec.messages);
  // A probe's tools and response schema are billed as prompt too; counted as their JSON text, an upper bound.
  if (spec.tools) n += countTextTokens(JSON.stringify(spec.tools));
  if (spec.responseSchema) n += countTextTokens(JSON.stringify(spec.responseSchema));
  const body = spec.body;
  if (body) {
    for (const field of EXTRA_PROMPT_FIELDS) {
      const v = body[field];
      if (v !== undefined && v !== null) n += countTextTokens(JSON.stringify(v));
    }
  }
  inputTokenCache.set(spec, n);
  return n;
}

/**
 * Input at the input price (the cache-write price when the spec marks a cacheable prefix) plus all of max_tokens at
 * the output price, scaled by the target's multiplier; null when unpriced.
 */
export function worstCaseUsd(prices: PriceTable, target: ResolvedTarget, spec: RequestSpec): number | null {
  return prices.worstCaseCost(spec.model, specInputTokens(spec), spec.maxTokens, target.priceMultiplier, { cacheWrite: spec.cachePrefix === true });
}

export type Admission =
  | { ok: true; reservedUsd: number }
  | {
      ok: false;
      reason: string;
      /** 'budget': it would go over; 'unpriced': the model has no price, so its cost cannot be bounded. */
      kind: 'budget' | 'unpriced';
    };

/**
 * Comparisons allow for float dust: three requests of $0.0001 must fit a
 * $0.0003 budget although 0.0001 + 0.0001 + 0.0001 > 0.0003 in binary.
 */
function slack(budget: number): number {
  return budget * 1e-9 + 1e-12;
}

/**
 * Dollars with enough digits to tell the amounts of a small budget apart:
 * `$0.0000414 of $0.00005`, never `$0.0000 of $0.00005`. Three significant
 * digits below a cent, four decimals above it, trailing zeros dropped (but
 * at least two decimals: `$0.05`, `$1.50`). Never exponent notation.
 */
export function formatUsd(v: number): string {
  if (!Number.isFinite(v)) return `$${v}`;
  if (v === 0) return '$0';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  const decimals = a >= 0.01 ? 4 : Math.min(20, 2 - Math.floor(Math.log10(a)));
  let text = a.toFixed(decimals).replace(/0+$/, '');
  const dot = text.indexOf('.');
  if (dot >= 0 && text.length - dot - 1 < 2) text = text.padEnd(dot + 3, '0');
  return `${sign}$${text}`;
}

const usd = formatUsd;

/**
 * The line a command prints when the budget stopped its run: the amounts, and
 * the guard's reason when a refused request (not the spend itself) ended it.
 */
export function budgetStopMessage(command: string, spend: SpendFacts): string {
  return `${command}: stopped by the budget: ${budgetStopNote(spend)}\n`;
}

/** The spend went past the budget (float dust aside): an answer cost more than its worst case. */
export function overBudget(spend: SpendFacts): boolean {
  return spend.budgetUsd !== null && spend.spentUsd > spend.budgetUsd + slack(spend.budgetUsd);
}

/**
 * What a run's end says of the budget, or null: the stop message when the
 * guard stopped it, and the amounts when the spend went over although the run
 * ended for another reason (its -n, its duration), which would else go unsaid.
 */
export function budgetEndMessage(command: string, stoppedBy: string | null, spend: SpendFacts): string | null {
  if (stoppedBy === 'budget') return budgetStopMessage(command, spend);
  return overBudget(spend) ? `${command}: ${budgetStopNote(spend)}\n` : null;
}

/** The stop line's note on the budget (check and watch text), or null: as budgetEndMessage, without the command. */
export function budgetEndNote(stoppedBy: string | null, spend: SpendFacts): string | null {
  return stoppedBy === 'budget' || overBudget(spend) ? budgetStopNote(spend) : null;
}

export interface SpendFacts {
  /** Everything the guard booked: measured costs plus the upper bound held for failed requests of unknown cost. */
  spentUsd: number;
  budgetUsd: number | null;
  refusal?: string | null;
  /** The part of spentUsd that is an upper bound, not a measurement (SpendGuard.unknownUsd), and how many requests it covers. */
  unknownUsd?: number;
  unknownRequests?: number;
}

/**
 * "spent $X of $Y", then why the guard refused the request that ended the run, if one did.
 * When failed requests of unknown cost were held at their worst case, the
 * measured figure (the one the summary's cost and the request log add up to)
 * and that upper bound are said apart, so the two never seem to disagree.
 */
export function budgetStopNote(spend: SpendFacts): string {
  const unknown = spend.unknownUsd ?? 0;
  const of = spend.budgetUsd === null ? '' : ` of ${usd(spend.budgetUsd)}`;
  let amounts: string;
  if (unknown > 0) {
    const n = spend.unknownRequests ?? 0;
    const measured = Math.max(0, spend.spentUsd - unknown);
    amounts =
      `spent ${usd(measured)}${of} as priced from the answers, plus ${usd(unknown)} held for ${n} failed request${n === 1 ? '' : 's'} ` +
      `of unknown cost (no usage reported; a relay may bill a request it cut off, so each counts at its prompt plus max_tokens)`;
  } else amounts = `spent ${usd(spend.spentUsd)}${of}`;
  // The guard bounds what it sends by each request's worst case; a relay that ignores max_tokens, or reports more usage
  // than it sent (the billing line says which), goes past it.
  const over = overBudget(spend)
    ? `, over the budget: answers cost more than the worst case the guard allowed for them (a relay that ignores max_tokens, or bills more tokens than it sends)`
    : '';
  return `${amounts}${over}${spend.refusal ? `; ${spend.refusal}` : ''}`;
}

export class SpendGuard {
  /** Costs measured from the answers (the summary's costUsd). */
  private measured = 0;
  /** Upper bound held for settled requests of unknown cost (bookedCost). */
  private unknown = 0;
  private unknownCount = 0;
  private reserved = 0;
  private inFlight = 0;
  private refusedCount = 0;
  private exhaustedFlag = false;

  constructor(
    private readonly budgetUsd: number | null,
    private readonly prices: PriceTable,
  ) {
    if (budgetUsd !== null && !(Number.isFinite(budgetUsd) && budgetUsd >= 0)) {
      throw new RangeError(`budget must be a number of US dollars ≥ 0, got ${budgetUsd}`);
    }
    // A guard prices every prompt before it is sent: load the tables now, before the schedule starts, not at the first send.
    if (budgetUsd !== null) warmEncoding('o200k_base');
  }

  get budget(): number | null {
    return this.budgetUsd;
  }

  worstCase(target: ResolvedTarget, spec: RequestSpec): number | null {
    return worstCaseUsd(this.prices, target, spec);
  }

  /**
   * Reserves the request's worst case against the budget, or refuses it.
   * Reservations of requests still in flight count as spent, so any number of
   * concurrent admits can never add up to more than the budget. Each admit
   * that returns ok must be followed by exactly one settle().
   */
  admit(target: ResolvedTarget, spec: RequestSpec): Admission {
    // No budget, nothing to protect: skip tokenizing the prompt (the o200k tables cost half a second to load).
    if (this.budgetUsd === null) return this.reserve(0);
    const worst = this.worstCase(target, spec);
    // A cache pair (traffic/probes.ts) starts only if both its requests fit: half a pair checks nothing.
    // Only the first is reserved now; the second is admitted on its own when the first has ended.
    const then = spec.expect?.then;
    const pairWorst = then ? this.worstCase(target, then) : 0;
    if (worst === null || pairWorst === null) {
      this.refusedCount += 1;
      return {
        ok: false,
        kind: 'unpriced',
        reason: `no price for model "${spec.model}", so its cost cannot be bounded under the ${usd(this.budgetUsd)} budget; add it with --prices or drop the budget`,
      };
    }
    if (this.spent + this.reserved + worst + pairWorst > this.budgetUsd + slack(this.budgetUsd)) {
      this.refusedCount += 1;
      // Nothing in flight means nothing will ever be released: every later request this size is refused too.
      if (this.inFlight === 0) this.exhaustedFlag = true;
      const unknown = this.unknown > 0 ? ` + up to ${usd(this.unknown)} of unknown cost` : '';
      const held = this.reserved > 0 ? `, ${usd(this.reserved)} held for requests in flight` : '';
      const left = Math.max(0, this.budgetUsd - this.spent - this.reserved);
      return {
        ok: false,
        kind: 'budget',
        reason:
          `${then ? 'a cache pair (two requests)' : 'a request'} to "${spec.model}" could cost up to ${usd(worst + pairWorst)} (${specInputTokens(spec)} input tokens, max_tokens ${spec.maxTokens}${then ? ', each' : ''}), ` +
          `above the ${usd(left)} left of the ${usd(this.budgetUsd)} budget (spent ${usd(this.measured)}${unknown}${held} by then)`,
      };
    }
    return this.reserve(worst);
  }

  /**
   * Releases a reservation and books what the request cost: a number is a
   * measured cost (null: nothing proves it was cheaper, so the worst case);
   * a result is booked by bookedCost(), its measured cost apart from the upper
   * bound held for what it may cost beyond. (Without a budget nothing was
   * reserved, so an unknown cost books nothing, as in the summary's costUsd.)
   */
  settle(reservedUsd: number, actual: number | null | SettledResult): void {
    this.reserved = Math.max(0, this.reserved - reservedUsd);
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.reserved = 0; // float dust must not hold budget forever
    const result: SettledResult =
      actual === null || typeof actual === 'number'
        ? { ok: true, costUsd: actual, usageSource: 'reported', errorType: null, timeoutPhase: null, httpStatus: null, newConnection: false, connectMs: null }
        : actual;
    const booked = bookedCost(reservedUsd, result);
    this.measured += booked.measuredUsd;
    if (booked.unknownUsd > 0) {
      this.unknown += booked.unknownUsd;
      this.unknownCount += 1;
    }
    if (this.budgetUsd !== null && this.spent >= this.budgetUsd - slack(this.budgetUsd)) this.exhaustedFlag = true;
  }

  /** USD booked by settled requests: measured costs plus the upper bound held for those of unknown cost. */
  spentUsd(): number {
    return this.spent;
  }

  private get spent(): number {
    return this.measured + this.unknown;
  }

  /** USD measured from the answers: what the run's costUsd adds up to. */
  measuredUsd(): number {
    return this.measured;
  }

  /** USD held, at their worst case, for settled requests whose cost is unknown (an upper bound, part of spentUsd). */
  unknownUsd(): number {
    return this.unknown;
  }

  /** Settled requests holding an unknown cost. */
  get unknownRequests(): number {
    return this.unknownCount;
  }

  /** USD held for requests in flight. */
  reservedUsd(): number {
    return this.reserved;
  }

  /** What is left for new requests (budget − spent − held), never below 0; null without a budget. */
  remainingUsd(): number | null {
    if (this.budgetUsd === null) return null;
    return Math.max(0, this.budgetUsd - this.spent - this.reserved);
  }

  /** Requests refused so far (over budget or unpriced). */
  get refused(): number {
    return this.refusedCount;
  }

  /**
   * True once the budget is spent, or a request was refused with nothing in
   * flight whose release could make room: the run should stop (`stoppedBy: "budget"`).
   * A refusal while requests are in flight may clear when they settle.
   */
  get exhausted(): boolean {
    return this.exhaustedFlag;
  }

  private reserve(worst: number): Admission {
    this.reserved += worst;
    this.inFlight += 1;
    return { ok: true, reservedUsd: worst };
  }
}

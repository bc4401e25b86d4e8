/**
 * What `relaymon conform` would spend: each planned request's worst case
 * (its prompt, tool definitions and schema at the input price, all of its
 * max tokens at the output price, the target's multiplier applied), the
 * line printed before sending, and the --dry-run listing.
 */
import type { Protocol } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { PriceTable } from '../pricing/table.js';
import { formatUsd, specInputTokens } from '../traffic/budget.js';
import { countTextTokens } from '../tokens/estimate.js';
import type { PlannedRequest } from '../conform/plan.js';

export interface PlannedCost {
  target: string;
  protocol: Protocol;
  request: string;
  model: string | null;
  stream: boolean;
  maxTokens: number;
  inputTokens: number;
  /** null: the model has no price. A malformed body costs nothing: it is refused before any model runs. */
  worstCaseUsd: number | null;
}

export function conformCost(prices: PriceTable, target: ResolvedTarget, r: PlannedRequest): PlannedCost {
  const base = { target: target.name, protocol: r.protocol, request: r.name };
  if (r.spec === null) {
    const model = typeof r.rawBody?.['model'] === 'string' ? r.rawBody['model'] : null;
    return { ...base, model, stream: false, maxTokens: 0, inputTokens: 0, worstCaseUsd: 0 };
  }
  const s = r.spec;
  // Tool definitions and the schema reach the model as prompt text; counted as their JSON, an upper bound.
  const extra = [s.tools, s.responseSchema].filter((x) => x !== undefined).reduce((n, x) => n + countTextTokens(JSON.stringify(x)), 0);
  const inputTokens = specInputTokens(s) + extra;
  return { ...base, model: s.model, stream: s.stream, maxTokens: s.maxTokens, inputTokens, worstCaseUsd: prices.worstCaseCost(s.model, inputTokens, s.maxTokens, target.priceMultiplier) };
}

function total(costs: readonly PlannedCost[]): number {
  return costs.reduce((sum, c) => sum + (c.worstCaseUsd ?? 0), 0);
}

function unpriced(costs: readonly PlannedCost[]): string[] {
  return [...new Set(costs.filter((c) => c.worstCaseUsd === null).map((c) => c.model ?? '?'))];
}

/** Said on stderr before anything is sent. */
export function worstCaseLine(costs: readonly PlannedCost[], budgetUsd: number | null): string {
  const missing = unpriced(costs);
  const budget = budgetUsd === null ? '' : `; budget ${formatUsd(budgetUsd)}`;
  const priced = missing.length > 0 ? `; unpriced, not bounded: ${missing.join(', ')}` : '';
  return `conform: ${costs.length} request${costs.length === 1 ? '' : 's'}, worst case ${formatUsd(total(costs))} (prompt at the input price + max tokens at the output price)${priced}${budget}\n`;
}

/** --dry-run: each request it would send, and the worst case of all. */
export function dryRunText(costs: readonly PlannedCost[]): string {
  const rows = costs.map(
    (c) =>
      `  ${c.target}  ${c.protocol.padEnd(16)} ${c.request.padEnd(13)} ${(c.model ?? '-').padEnd(20)} ${c.stream ? 'stream   ' : 'no-stream'}  max_tokens ${String(c.maxTokens).padStart(4)}  ~${String(c.inputTokens).padStart(5)} input tokens  ${c.worstCaseUsd === null ? 'unpriced' : formatUsd(c.worstCaseUsd)}\n`,
  );
  const missing = unpriced(costs);
  return (
    `relaymon conform --dry-run: ${costs.length} request${costs.length === 1 ? '' : 's'} would be sent (nothing was)\n` +
    rows.join('') +
    `worst case ${formatUsd(total(costs))}${missing.length > 0 ? ` plus unpriced models: ${missing.join(', ')}` : ''}\n`
  );
}

/**
 * Said when a run (conform, or evaluate's phases) cost more than it could
 * have: over the budget, or well over the worst case printed before sending.
 * The guard admits a request by its worst case (all of max_tokens), but an
 * answer is charged once it has arrived, so a relay answering past max_tokens (or billing more than it was
 * sent) is paid for in full; the client does not cut an answer at max_tokens,
 * which would change what is measured. (conform --json's spentUsd says it in the JSON.)
 */
export function overspendLine(command: string, report: { spentUsd: number; budgetUsd: number | null }, worstCaseUsd: number): string | null {
  const spent = report.spentUsd;
  const why = 'an answer is charged once it has arrived, and some cost more than their worst case (all of max_tokens): a relay answered past max_tokens or billed more tokens than it was sent (see max_tokens_honoured)';
  // Float dust (a sum of many small costs) is no overspend: the guard's own slack (traffic/budget.ts).
  if (report.budgetUsd !== null && spent > report.budgetUsd * (1 + 1e-9) + 1e-12) return `${command}: spent ${formatUsd(spent)}, over the ${formatUsd(report.budgetUsd)} budget: ${why}\n`;
  // Against the printed worst case, only well above it: that line prices the prompt by relaymon's own count and
  // a cache write at the input price, so an honest answer can pass it by a little (framing tokens, a cache write).
  if (spent > 1.5 * worstCaseUsd + 1e-12) return `${command}: spent ${formatUsd(spent)}, above the worst case ${formatUsd(worstCaseUsd)} said before sending: ${why}\n`;
  return null;
}

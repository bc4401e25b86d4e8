/**
 * Billing reconciliation: the usage a relay reported against relaymon's own
 * count of the same request. Pure; the counts come from tokens/local-count.ts.
 */
import type { LocalCountKind, RequestResult } from '../core/result.js';
import { DEFAULT_USAGE_TOLERANCES, type UsageTolerance, type UsageTolerances } from '../core/target.js';

export interface LocalCounts {
  /** Null when the prompt could not be counted: the input is then not compared. */
  inputTokens: number | null;
  outputTokens: number;
  /** How the output was counted, and the input unless `inputKind` says otherwise. */
  kind: LocalCountKind;
  /**
   * How the input was counted, where it differs: a Responses API prompt is an
   * estimate (its framing is not published) while the answer's count is exact.
   */
  inputKind?: LocalCountKind;
}

export interface ReportedCounts {
  inputTokens: number;
  outputTokens: number;
}

export interface Reconciliation {
  /** (reported − counted), over the directions compared. */
  usageGapTokens: number;
  /** usageGapTokens / counted; null when relaymon counted nothing. */
  usageGapRatio: number | null;
  usageMismatch: boolean;
}

/**
 * Output tokens relaymon can stand behind: the visible text (content and tool
 * arguments), plus the reasoning. Reasoning the relay did not stream (hidden
 * reasoning, or only a summary of it) cannot be counted, so the relay's own
 * reasoning count is taken when it is the larger: accounted for, not flagged.
 */
export function localOutputTokens(visibleTokens: number, reasoningTextTokens: number, reportedReasoningTokens: number | null): number {
  return visibleTokens + Math.max(reasoningTextTokens, reportedReasoningTokens ?? 0);
}

/** |reported − counted| ≤ tokens + percent % of counted. */
export function withinTolerance(reported: number, counted: number, tol: UsageTolerance): boolean {
  return Math.abs(reported - counted) <= tol.tokens + (tol.percent / 100) * counted;
}

/** Each direction is held to its own tolerance: a small padded prompt must not hide in a long answer, nor an exactly counted answer behind an estimated prompt. */
export function reconcileUsage(
  reported: ReportedCounts,
  local: LocalCounts,
  tolerances: UsageTolerances = DEFAULT_USAGE_TOLERANCES,
): Reconciliation {
  const tol = (kind: LocalCountKind): UsageTolerance => (kind === 'exact' ? tolerances.exact : tolerances.estimate);
  let gap = reported.outputTokens - local.outputTokens;
  let counted = local.outputTokens;
  let mismatch = !withinTolerance(reported.outputTokens, local.outputTokens, tol(local.kind));
  if (local.inputTokens !== null) {
    gap += reported.inputTokens - local.inputTokens;
    counted += local.inputTokens;
    mismatch ||= !withinTolerance(reported.inputTokens, local.inputTokens, tol(local.inputKind ?? local.kind));
  }
  return { usageGapTokens: gap, usageGapRatio: counted > 0 ? gap / counted : null, usageMismatch: mismatch };
}

/** "+38% billed", "−5% billed", "+12 tokens billed" when there is no ratio. */
export function describeUsageGap(gapTokens: number, ratio: number | null): string {
  if (ratio === null) return `${signed(gapTokens)} tokens billed`;
  const pct = Math.round(ratio * 100);
  return `${signed(pct)}% billed`;
}

function signed(n: number): string {
  if (n > 0) return `+${n}`;
  if (n < 0) return `\u2212${Math.abs(n)}`;
  return '0';
}

/** billed / counted per direction over the reconciled responses that relaymon counted exactly. */
export function usageRatio(rs: readonly RequestResult[]): { input: number | null; output: number | null } {
  let billedIn = 0;
  let countedIn = 0;
  let billedOut = 0;
  let countedOut = 0;
  for (const r of rs) {
    if (r.usageGapTokens === null || r.localCountKind !== 'exact') continue;
    if (r.localInputTokens !== null && r.inputTokens !== null) {
      billedIn += r.inputTokens;
      countedIn += r.localInputTokens;
    }
    if (r.localOutputTokens !== null && r.outputTokens !== null) {
      billedOut += r.outputTokens;
      countedOut += r.localOutputTokens;
    }
  }
  return { input: countedIn > 0 ? billedIn / countedIn : null, output: countedOut > 0 ? billedOut / countedOut : null };
}

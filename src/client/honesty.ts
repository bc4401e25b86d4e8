/**
 * The honesty part of a RequestResult (issue #7): relaymon's own token count,
 * the reconciliation against the relay's usage, the cost gap, fingerprint
 * changes and stream conformance. Separate from result-builder.ts so that
 * the counting is done once and shared with usage estimation.
 */
import type { LocalCountKind, RequestResult, StreamViolation } from '../core/result.js';
import type { UsageTolerances } from '../core/target.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { countRequestPrompt, type LocalOutput, type PromptCount } from '../tokens/local-count.js';
import { worseLimit } from '../tokens/bounded.js';
import { localOutputTokens, reconcileUsage } from '../honesty/reconcile.js';
import type { StreamConformance } from '../honesty/conformance.js';
import type { FingerprintTracker } from '../honesty/fingerprint.js';
import type { ResponseAccumulator } from './accumulate.js';

export type HonestyFields = Pick<
  RequestResult,
  | 'usageMismatch'
  | 'localInputTokens'
  | 'localOutputTokens'
  | 'localCountKind'
  | 'localCountLimit'
  | 'usageGapTokens'
  | 'usageGapRatio'
  | 'costGapUsd'
  | 'fingerprintChanged'
  | 'streamViolations'
>;

/** Probes send one spec object over and over: its prompt is counted once. */
const promptCache = new WeakMap<RequestSpec, PromptCount>();

/** Prompt tokens of what was sent (the built body, so both protocols' shapes count alike). */
export function promptCount(spec: RequestSpec, sentBody: Record<string, unknown>): PromptCount {
  let c = promptCache.get(spec);
  if (!c) {
    c = countRequestPrompt(spec.model, sentBody);
    promptCache.set(spec, c);
  }
  return c;
}

export interface HonestyInput {
  ok: boolean;
  target: string;
  model: string;
  acc: ResponseAccumulator;
  prompt: PromptCount | null;
  output: LocalOutput | null;
  usage: Pick<RequestResult, 'inputTokens' | 'outputTokens' | 'reasoningTokens' | 'usageSource'>;
  costUsd: number | null;
  reportedCostUsd: number | null;
  tolerances: UsageTolerances;
  fingerprints: FingerprintTracker | null;
  /** Null unless the answer was an event stream with a 2xx status. */
  conformance: StreamConformance | null;
  errorType: RequestResult['errorType'];
}

export function honestyFields(h: HonestyInput): HonestyFields {
  const out: HonestyFields = {
    usageMismatch: false,
    localInputTokens: null,
    localOutputTokens: null,
    localCountKind: null,
    localCountLimit: null,
    usageGapTokens: null,
    usageGapRatio: null,
    costGapUsd: h.reportedCostUsd !== null && h.costUsd !== null ? h.reportedCostUsd - h.costUsd : null,
    fingerprintChanged: h.fingerprints?.observe(h.target, h.model, h.acc.systemFingerprint) ?? false,
    streamViolations: streamViolations(h),
  };
  if (!h.ok || h.prompt === null || h.output === null) return out;
  const input = h.prompt.complete ? h.prompt.tokens : null;
  const reportedReasoning = h.usage.usageSource === 'reported' ? h.usage.reasoningTokens : null;
  const output = localOutputTokens(h.output.visible, h.output.reasoningText, reportedReasoning);
  // The prompt's kind only matters when the prompt is compared.
  const kind: LocalCountKind = h.output.kind === 'exact' && (input === null || h.prompt.kind === 'exact') ? 'exact' : 'estimate';
  out.localInputTokens = input;
  out.localOutputTokens = output;
  out.localCountKind = kind;
  // The prompt's bound only matters when the prompt is compared, like its kind.
  out.localCountLimit = worseLimit(h.output.limit, input === null ? null : h.prompt.limit);
  const { inputTokens, outputTokens } = h.usage;
  if (h.usage.usageSource === 'reported' && inputTokens !== null && outputTokens !== null) {
    // Each direction against the tolerance of its own count (reconcile.ts): an estimated prompt does not widen an exact answer's.
    const r = reconcileUsage({ inputTokens, outputTokens }, { inputTokens: input, outputTokens: output, kind: h.output.kind, inputKind: h.prompt.kind }, h.tolerances);
    out.usageMismatch = r.usageMismatch;
    out.usageGapTokens = r.usageGapTokens;
    out.usageGapRatio = r.usageGapRatio;
  }
  return out;
}

function streamViolations(h: HonestyInput): StreamViolation[] {
  if (!h.conformance) return [];
  return h.conformance.violations({
    ok: h.ok,
    terminated: h.acc.done,
    failedInBand: h.acc.error !== null,
    errorType: h.errorType,
  });
}

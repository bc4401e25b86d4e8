/**
 * The honesty counters of a window (issue #7): billing reconciliation, cost
 * reconciliation, fingerprint changes and stream conformance. Kept in one
 * typed array per bucket so that adding and subtracting slots stays a loop.
 */
import type { RequestResult } from '../core/result.js';

export const H_USAGE_COMPARED = 0;
export const H_USAGE_MISMATCHES = 1;
export const H_BILLED_IN = 2;
export const H_COUNTED_IN = 3;
export const H_BILLED_OUT = 4;
export const H_COUNTED_OUT = 5;
export const H_COST_COMPARED = 6;
export const H_COST_REPORTED = 7;
export const H_COST_COMPUTED = 8;
export const H_FINGERPRINTED = 9;
export const H_FINGERPRINT_CHANGES = 10;
export const H_STREAMS = 11;
export const H_NO_USAGE = 12;
export const H_OUT_OF_ORDER = 13;
export const H_UNTERMINATED = 14;
export const H_USAGE_DECREASED = 15;
export const H_COUNT = 16;

/** What the relay billed against what relaymon counted, over the responses compared. */
export interface UsageGap {
  billedInputTokens: number;
  countedInputTokens: number;
  billedOutputTokens: number;
  countedOutputTokens: number;
  /** (billed − counted) / counted, input and output together; 0.38 is "+38% billed"; null when nothing was counted. */
  ratio: number | null;
}

/** The relay's own cost figure against relaymon's, over responses that had both. */
export interface ReportedCost {
  requests: number;
  reportedUsd: number | null;
  computedUsd: number | null;
  /** reportedUsd − computedUsd. */
  gapUsd: number | null;
}

/** The honesty fields of WindowStats. */
export interface HonestyWindow {
  /** Successful responses whose reported usage was reconciled against relaymon's own count. */
  usageCompared: number;
  /** Of those, the ones whose gap was beyond the tolerance. */
  usageMismatches: number;
  usageGap: UsageGap;
  reportedCost: ReportedCost;
  /** Responses that carried a system_fingerprint. */
  fingerprinted: number;
  /** Responses whose fingerprint differed from the previous one for the same target and model. */
  fingerprintChanges: number;
  /** Streamed requests answered with a 2xx status (the denominator of the stream counts). */
  streams: number;
  /** Finished streams without the usage that was asked for. */
  streamsWithoutUsage: number;
  streamsOutOfOrder: number;
  streamsUnterminated: number;
  streamsUsageDecreased: number;
}

type StreamCounts = Pick<HonestyWindow, 'streamsWithoutUsage' | 'streamsOutOfOrder' | 'streamsUnterminated' | 'streamsUsageDecreased'>;

/** Streams that broke the protocol in any way (each kind is counted once per stream). */
export function brokenStreams(h: StreamCounts): number {
  return h.streamsWithoutUsage + h.streamsOutOfOrder + h.streamsUnterminated + h.streamsUsageDecreased;
}

export function countHonesty(h: Float64Array, r: RequestResult): void {
  if (r.usageGapTokens !== null) {
    h[H_USAGE_COMPARED]!++;
    if (r.usageMismatch) h[H_USAGE_MISMATCHES]!++;
    if (r.localInputTokens !== null && r.inputTokens !== null) {
      h[H_BILLED_IN]! += r.inputTokens;
      h[H_COUNTED_IN]! += r.localInputTokens;
    }
    if (r.localOutputTokens !== null && r.outputTokens !== null) {
      h[H_BILLED_OUT]! += r.outputTokens;
      h[H_COUNTED_OUT]! += r.localOutputTokens;
    }
  }
  if (r.reportedCostUsd !== null && r.costUsd !== null) {
    h[H_COST_COMPARED]!++;
    h[H_COST_REPORTED]! += r.reportedCostUsd;
    h[H_COST_COMPUTED]! += r.costUsd;
  }
  if (r.systemFingerprint !== null) {
    h[H_FINGERPRINTED]!++;
    if (r.fingerprintChanged) h[H_FINGERPRINT_CHANGES]!++;
  }
  if (r.stream && r.httpStatus !== null && r.httpStatus >= 200 && r.httpStatus < 300) h[H_STREAMS]!++;
  for (const v of r.streamViolations) {
    if (v === 'usage_missing') h[H_NO_USAGE]!++;
    else if (v === 'out_of_order') h[H_OUT_OF_ORDER]!++;
    else if (v === 'unterminated') h[H_UNTERMINATED]!++;
    else h[H_USAGE_DECREASED]!++;
  }
}

export function addHonesty(into: Float64Array, o: Float64Array): void {
  for (let i = 0; i < H_COUNT; i++) into[i]! += o[i]!;
}

export function subtractHonesty(from: Float64Array, o: Float64Array): void {
  for (let i = 0; i < H_COUNT; i++) from[i]! -= o[i]!;
  // Dollar sums are floats: back to exactly 0 once the responses they summed have all left.
  if (from[H_COST_COMPARED] === 0) {
    from[H_COST_REPORTED] = 0;
    from[H_COST_COMPUTED] = 0;
  }
}

export function honestyWindow(h: Float64Array): HonestyWindow {
  const billed = h[H_BILLED_IN]! + h[H_BILLED_OUT]!;
  const counted = h[H_COUNTED_IN]! + h[H_COUNTED_OUT]!;
  const costN = h[H_COST_COMPARED]!;
  return {
    usageCompared: h[H_USAGE_COMPARED]!,
    usageMismatches: h[H_USAGE_MISMATCHES]!,
    usageGap: {
      billedInputTokens: h[H_BILLED_IN]!,
      countedInputTokens: h[H_COUNTED_IN]!,
      billedOutputTokens: h[H_BILLED_OUT]!,
      countedOutputTokens: h[H_COUNTED_OUT]!,
      ratio: counted > 0 ? (billed - counted) / counted : null,
    },
    reportedCost: {
      requests: costN,
      reportedUsd: costN > 0 ? h[H_COST_REPORTED]! : null,
      computedUsd: costN > 0 ? h[H_COST_COMPUTED]! : null,
      gapUsd: costN > 0 ? h[H_COST_REPORTED]! - h[H_COST_COMPUTED]! : null,
    },
    fingerprinted: h[H_FINGERPRINTED]!,
    fingerprintChanges: h[H_FINGERPRINT_CHANGES]!,
    streams: h[H_STREAMS]!,
    streamsWithoutUsage: h[H_NO_USAGE]!,
    streamsOutOfOrder: h[H_OUT_OF_ORDER]!,
    streamsUnterminated: h[H_UNTERMINATED]!,
    streamsUsageDecreased: h[H_USAGE_DECREASED]!,
  };
}

/** The honesty counters of results, for queries and summaries that have every result at hand. */
export function honestyOfResults(results: readonly RequestResult[]): HonestyWindow {
  const h = new Float64Array(H_COUNT);
  for (const r of results) countHonesty(h, r);
  return honestyWindow(h);
}

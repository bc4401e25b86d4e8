import type { ErrorType, RequestResult } from '../../../src/core/result.js';
import type { Rng } from '../../../src/core/random.js';
import { makeFailure, makeResult } from './fixtures.js';

export interface Timed {
  r: RequestResult;
  at: number;
}

const ERRORS: ErrorType[] = ['timeout', 'rate_limited', 'server_error', 'connection_refused'];

/** A heavy-tailed latency in ms, with sub-millisecond and multi-minute outliers now and then. */
export function latency(rng: Rng): number {
  const u = rng();
  if (u < 0.01) return rng() * 0.9;
  if (u < 0.015) return 60_000 + rng() * 200_000;
  return Math.exp(Math.log(80) + rng() * 4.5) + rng();
}

/**
 * A random result. Targets a/b from the start; probe p2 and model
 * openai/gpt-4o (an alias of gpt-4o) only after `lateFrom` ms, target c only
 * after 2·lateFrom, so roll-ups gain members mid-run.
 */
export function randomResult(rng: Rng, atMs: number, lateFrom = 180_000): RequestResult {
  const targets = atMs > 2 * lateFrom ? ['a', 'b', 'c'] : ['a', 'b'];
  const models = atMs > lateFrom ? ['gpt-4o', 'openai/gpt-4o', 'claude-sonnet-4.5'] : ['gpt-4o', 'claude-sonnet-4.5'];
  const probes = atMs > lateFrom ? ['p1', 'p2', null] : ['p1', null];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const identity = { target: pick(targets), model: pick(models), probe: pick(probes) };
  const u = rng();
  if (u < 0.12) {
    // A failure can carry timings (a stream that broke part-way); none of them may reach a timing statistic.
    const lat = latency(rng);
    const partial = rng() < 0.4;
    return makeFailure(pick(ERRORS), {
      ...identity,
      httpStatus: rng() < 0.5 ? null : pick([429, 500, 503]),
      errorType: rng() < 0.05 ? null : pick(ERRORS),
      latencyMs: lat,
      latencyScheduledMs: latency(rng) + 5,
      ...(partial ? partialStream(rng, lat) : {}),
    });
  }
  if (u < 0.16) {
    // Unfinished: cut short by relaymon's own stop (errorType cancelled), with or without a partial stream and its cost.
    const lat = latency(rng);
    return makeFailure('cancelled', {
      ...identity,
      httpStatus: rng() < 0.3 ? null : 200,
      latencyMs: lat,
      latencyScheduledMs: lat + 3,
      ...(rng() < 0.6 ? partialStream(rng, lat) : {}),
    });
  }
  const lat = latency(rng);
  const gaps = Array.from({ length: Math.floor(rng() * 6) }, () => rng() * 80);
  return makeResult({
    ...identity,
    latencyMs: lat,
    latencyScheduledMs: lat + rng() * 30,
    ttfbMs: rng() < 0.1 ? null : lat * 0.2,
    ttftMs: lat * (0.1 + rng() * 0.5),
    ttftContentMs: rng() < 0.15 ? null : lat * (0.6 + rng() * 0.1),
    itlMs: rng() < 0.2 ? null : rng() * 40,
    chunkGapsMs: gaps,
    outputTokensPerSecond: rng() < 0.1 ? null : 5 + rng() * 300,
    inputTokens: Math.floor(rng() * 500),
    outputTokens: Math.floor(rng() * 300),
    usageSource: rng() < 0.3 ? 'estimated' : 'reported',
    costUsd: rng() < 0.2 ? null : rng() * 0.01,
    responseModel: rng() < 0.1 ? null : identity.model,
    modelMismatch: rng() < 0.05,
    ...honestyFields(rng),
    httpStatus: 200,
  });
}

/** What a stream that broke off part-way carries: timings, the tokens it delivered and their cost. */
function partialStream(rng: Rng, lat: number): Partial<RequestResult> {
  return {
    ttfbMs: lat * 0.1,
    ttftMs: lat * 0.3,
    ttftContentMs: lat * 0.4,
    itlMs: rng() * 30,
    chunkGapsMs: [rng() * 50, rng() * 50],
    outputTokensPerSecond: 10 + rng() * 100,
    inputTokens: Math.floor(rng() * 400),
    outputTokens: Math.floor(rng() * 100),
    usageSource: 'estimated',
    costUsd: rng() < 0.2 ? null : rng() * 0.005,
  };
}

/** `n` results at increasing random times over `spanMs` after `startMs`. */
export function randomTraffic(rng: Rng, n: number, startMs: number, spanMs: number): Timed[] {
  const ats = Array.from({ length: n }, () => startMs + rng() * spanMs).sort((x, y) => x - y);
  return ats.map((at) => ({ r: randomResult(rng, at - startMs), at }));
}

/** Which of `all` are in window w at nowMs, by the documented slot rule. */
export function inWindow(all: readonly Timed[], w: '1m' | '5m' | '15m' | 'all', startMs: number, nowMs: number): RequestResult[] {
  const open = Math.floor((nowMs - startMs) / 1000);
  return all
    .filter(({ at }) => {
      const s = Math.floor((at - startMs) / 1000);
      if (w === '1m') return s >= open - 60;
      if (w === '5m') return Math.floor(s / 15) >= Math.floor(open / 15) - 20;
      if (w === '15m') return Math.floor(s / 15) >= Math.floor(open / 15) - 60;
      return true;
    })
    .map((t) => t.r);
}

/** The window span by the documented rule. */
export function expectedSpan(w: '1m' | '5m' | '15m' | 'all', startMs: number, nowMs: number): number {
  const elapsed = nowMs - startMs;
  const open = Math.floor(elapsed / 1000);
  if (w === 'all') return elapsed;
  if (w === '1m') return Math.min(elapsed, 60_000 + elapsed - open * 1000);
  const partial = elapsed - Math.floor(open / 15) * 15_000;
  return Math.min(elapsed, (w === '5m' ? 300_000 : 900_000) + partial);
}

/** Nearest-rank percentile (what an HDR histogram reports, before its slot rounding). */
export function nearestRank(sorted: readonly number[], p: number): number {
  // 0.999 × 6000 is 5994.000000000001 in floating point; the rank is 5994.
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9)) - 1]!;
}

/** HDR precision at 3 significant digits, in ms: 1/1024 relative (< 0.1 %) plus the 1 µs recording unit. */
export function hdrTolerance(exact: number): number {
  return Math.abs(exact) * 0.001 + 0.001;
}

const VIOLATIONS = ['usage_missing', 'out_of_order', 'unterminated', 'usage_decreased'] as const;

/** Random reconciliation, cost, fingerprint and conformance facts. */
function honestyFields(rng: Rng): Partial<RequestResult> {
  const compared = rng() < 0.7;
  const localIn = rng() < 0.2 ? null : Math.floor(rng() * 400);
  const localOut = Math.floor(rng() * 300);
  const gap = Math.floor(rng() * 60) - 10;
  const reported = rng() < 0.3 ? rng() * 0.02 : null;
  return {
    usageMismatch: compared && rng() < 0.1,
    localInputTokens: compared ? localIn : null,
    localOutputTokens: compared ? localOut : null,
    usageGapTokens: compared ? gap : null,
    usageGapRatio: compared ? gap / Math.max(1, localOut + (localIn ?? 0)) : null,
    reportedCostUsd: reported,
    costGapUsd: null,
    systemFingerprint: rng() < 0.4 ? null : `fp_${Math.floor(rng() * 3)}`,
    fingerprintChanged: rng() < 0.1,
    stream: rng() < 0.8,
    streamViolations: VIOLATIONS.filter(() => rng() < 0.05),
  };
}

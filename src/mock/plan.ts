import type { ErrorKind, MockOptions } from './options.js';
import { ERROR_KINDS } from './options.js';
import { lognormal, type Rng } from '../core/random.js';

/** Values accepted in the `x-mock-fault` request header. */
export const FAULT_HEADER_VALUES = [
  'stall',
  'reset',
  'truncate',
  'error',
  'overloaded',
  'rate-limit',
  'stream-overloaded',
  'html',
  'slow-first-token',
] as const;
export type FaultHeaderValue = (typeof FAULT_HEADER_VALUES)[number];

/** What happens to one request. `status` is the `--status` override. */
export type Fault = 'none' | 'stall' | 'reset' | 'truncate' | 'slow_first_token' | 'html' | 'status' | ErrorKind;

const HEADER_TO_FAULT: Record<FaultHeaderValue, Fault> = {
  stall: 'stall',
  reset: 'reset',
  truncate: 'truncate',
  error: 'server_error',
  overloaded: 'overloaded',
  'rate-limit': 'rate_limited',
  'stream-overloaded': 'stream_overloaded',
  html: 'html',
  'slow-first-token': 'slow_first_token',
};

/** The fault a header asks for, or null when the value is not one we know. */
export function faultFromHeader(value: string): Fault | null {
  const key = value.trim().toLowerCase();
  return Object.hasOwn(HEADER_TO_FAULT, key) ? HEADER_TO_FAULT[key as FaultHeaderValue] : null;
}

/** Picks an error kind by weight from one uniform draw. */
export function pickErrorKind(mix: MockOptions['errorMix'], u: number): ErrorKind {
  const weights = mix ?? { server_error: 1 };
  let total = 0;
  for (const kind of ERROR_KINDS) total += weights[kind] ?? 0;
  if (total <= 0) return 'server_error';
  let acc = 0;
  const target = u * total;
  for (const kind of ERROR_KINDS) {
    const w = weights[kind] ?? 0;
    if (w <= 0) continue;
    acc += w;
    if (target < acc) return kind;
  }
  // u*total can round up to total; fall back to the last weighted kind.
  return [...ERROR_KINDS].reverse().find((k) => (weights[k] ?? 0) > 0) ?? 'server_error';
}

/**
 * One draw decides the fault: the rates are laid end to end on [0, 1), so each
 * occurs with exactly its configured probability and they never overlap.
 */
export function chooseFault(o: MockOptions, rng: Rng): Fault {
  if (o.status !== null) return 'status';
  const u = rng();
  let edge = o.errorRate;
  if (u < edge) return pickErrorKind(o.errorMix, rng());
  edge += o.resetRate;
  if (u < edge) return 'reset';
  edge += o.truncateRate;
  if (u < edge) return 'truncate';
  edge += o.stallRate;
  if (u < edge) return 'stall';
  return 'none';
}

/** Faults answered at once with an error status or page, before any token. */
export function isImmediateFault(f: Fault): f is 'status' | 'html' | 'server_error' | 'rate_limited' | 'overloaded' {
  return f === 'status' || f === 'html' || f === 'server_error' || f === 'rate_limited' || f === 'overloaded';
}

export type Ending = 'finish' | 'reset' | 'truncate' | 'stream_overloaded';

/**
 * When each event of a response is due, in ms after the request arrived.
 * Absolute offsets (not relative sleeps) so that timer lateness on one token
 * does not push every later token back.
 */
export interface ResponsePlan {
  headerAt: number;
  /** Due time of every token that will be sent; its length is the number sent. */
  tokenAt: Float64Array;
  /** When the ending happens (for 'finish', together with the last token). */
  endAt: number;
  ending: Ending;
}

export function planResponse(o: MockOptions, fault: Fault, tokens: number, normal: () => number): ResponsePlan {
  const headerAt = o.latencyMs ?? 0;
  const ttftSigma = o.ttftSigma ?? 0.25;
  const itlSigma = o.itlSigma ?? 0.3;
  let ending: Ending = 'finish';
  if (fault === 'reset' || fault === 'truncate' || fault === 'stream_overloaded') ending = fault;
  // Mid-stream faults strike halfway, so a client has seen tokens before it breaks.
  const cut = tokens <= 1 ? tokens : Math.floor(tokens / 2);
  const sent = ending === 'finish' ? tokens : cut;
  const tokenAt = new Float64Array(sent);

  let t = headerAt + sampleDelay(o.ttftMs, o.jitter, ttftSigma, normal);
  if (fault === 'slow_first_token') t += o.stallMs;
  for (let i = 0; i < sent; i++) {
    if (i === cut && fault === 'stall') t += o.stallMs;
    tokenAt[i] = t;
    if (i < tokens - 1 || ending !== 'finish') t += sampleDelay(o.itlMs, o.jitter, itlSigma, normal);
  }
  let endAt: number;
  if (ending !== 'finish') endAt = t;
  else if (sent === 0) endAt = t;
  else endAt = tokenAt[sent - 1]!;
  if (fault === 'stall' && cut === sent) endAt += o.stallMs;
  return { headerAt, tokenAt, endAt, ending };
}

/** A delay in ms: exact when jitter is off, lognormal around it when on. */
export function sampleDelay(ms: number, jitter: boolean, sigma: number, normal: () => number): number {
  return jitter ? lognormal(ms, sigma, normal) : ms;
}

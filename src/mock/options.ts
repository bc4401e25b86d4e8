import { UsageError } from '../core/errors.js';
import { validateMisbehaviours, type MisbehaviourOptions } from './faults.js';

export const SCENARIO_NAMES = ['healthy', 'slow-tail', 'flaky', 'overloaded'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The kinds of error an `errorRate` draw can turn into. */
export const ERROR_KINDS = ['server_error', 'rate_limited', 'overloaded', 'stream_overloaded'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Relative weights over error kinds; need not sum to 1. */
export type ErrorMix = Partial<Record<ErrorKind, number>>;

/** Timings, faults and dishonesty; the protocol misbehaviours are in faults.ts. */
export interface MockOptions extends MisbehaviourOptions {
  host: string;
  port: number;
  /** Median time from the request's arrival to the first token, ms. */
  ttftMs: number;
  /** Median gap between tokens, ms. */
  itlMs: number;
  /** Tokens per response (fewer when the request's max_tokens is lower). */
  tokens: number;
  /** Draw delays from a lognormal around ttftMs/itlMs instead of using them exactly. */
  jitter: boolean;
  /** Fraction of requests answered with an error (kind chosen by errorMix). */
  errorRate: number;
  /** Answer every API request with this status. */
  status: number | null;
  scenario: ScenarioName | null;
  /** Factor on reported completion tokens; 1 = honest. */
  inflateUsage: number;
  /** Claim this model in responses instead of the requested one. */
  serveModel: string | null;
  /** Fraction of answers that leave usage out (stream: no usage chunk / no message_delta usage, even when asked). */
  dropUsageRate?: number;
  /** A new system_fingerprint every N answers; 0 = always the same. */
  fingerprintEvery?: number;
  stallRate: number;
  stallMs: number;
  resetRate: number;
  truncateRate: number;
  /** Seed for delays and faults; null = a fresh random seed. */
  seed: number | null;
  /** Extra delay before response headers, ms; added in front of every timing. */
  latencyMs?: number;
  /** Lognormal sigma for TTFT when jitter is on. */
  ttftSigma?: number;
  /** Lognormal sigma for each inter-token gap when jitter is on. */
  itlSigma?: number;
  /** Which errors errorRate produces; default all server_error. */
  errorMix?: ErrorMix;
  /** A staged incident (mock --incident-at/--incident-for), ms from the mock's start; null = none (incident.ts). */
  incident?: { atMs: number; forMs: number } | null;
}

export const DEFAULT_MOCK_OPTIONS: Readonly<MockOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  ttftMs: 200,
  itlMs: 20,
  tokens: 16,
  jitter: false,
  errorRate: 0,
  status: null,
  scenario: null,
  inflateUsage: 1,
  serveModel: null,
  dropUsageRate: 0,
  fingerprintEvery: 0,
  stallRate: 0,
  stallMs: 2000,
  resetRate: 0,
  truncateRate: 0,
  seed: null,
  latencyMs: 0,
  ttftSigma: 0.25,
  itlSigma: 0.3,
  errorMix: { server_error: 1 },
});

/**
 * Scenarios are realistic mixes; they set defaults that explicit knobs override.
 * The descriptions are shown in `relaymon mock --help`.
 */
export const SCENARIOS: Readonly<Record<ScenarioName, { description: string; options: Partial<MockOptions> }>> = {
  healthy: {
    description: 'steady relay: ~250 ms TTFT, ~20 ms between tokens, mild jitter, no errors',
    options: { ttftMs: 250, itlMs: 20, tokens: 32, jitter: true, ttftSigma: 0.2, itlSigma: 0.25 },
  },
  'slow-tail': {
    description: 'usually fine, but TTFT is lognormal with a heavy tail (p99 ~10x the median)',
    options: { ttftMs: 400, itlMs: 30, tokens: 32, jitter: true, ttftSigma: 1.0, itlSigma: 0.5 },
  },
  flaky: {
    description: '5% HTTP 500, 3% connection resets, 3% truncated streams, 3% mid-stream stalls',
    options: {
      ttftMs: 300,
      itlMs: 25,
      tokens: 32,
      jitter: true,
      errorRate: 0.05,
      errorMix: { server_error: 1 },
      resetRate: 0.03,
      truncateRate: 0.03,
      stallRate: 0.03,
      stallMs: 2000,
    },
  },
  overloaded: {
    description: '30% errors: 429 with retry-after, 529/503 overloaded, in-stream overloaded_error; slow TTFT',
    options: {
      ttftMs: 800,
      itlMs: 40,
      tokens: 32,
      jitter: true,
      ttftSigma: 0.5,
      errorRate: 0.3,
      errorMix: { rate_limited: 0.5, overloaded: 0.35, stream_overloaded: 0.15 },
    },
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** Defaults, then the scenario's table, then every knob the caller set (undefined = not set). */
export function resolveMockOptions(partial: Partial<MockOptions>): MockOptions {
  const scenario = partial.scenario ?? null;
  const explicit: Partial<MockOptions> = {};
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) Object.assign(explicit, { [key]: value });
  }
  const resolved: MockOptions = {
    ...DEFAULT_MOCK_OPTIONS,
    ...(scenario ? SCENARIOS[scenario].options : {}),
    ...explicit,
  };
  validateMockOptions(resolved);
  return resolved;
}

const RATE_KEYS = ['errorRate', 'stallRate', 'resetRate', 'truncateRate'] as const;

/** Throws UsageError naming the first bad knob. */
export function validateMockOptions(o: MockOptions): void {
  const fail = (msg: string): never => {
    throw new UsageError(`mock: ${msg}`);
  };
  if (typeof o.host !== 'string' || o.host.length === 0) fail('host must not be empty');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) fail(`port must be 0-65535, got ${o.port}`);
  for (const key of ['ttftMs', 'itlMs', 'stallMs'] as const) {
    const v = o[key];
    if (!Number.isFinite(v) || v < 0) fail(`${key} must be a number of ms >= 0, got ${v}`);
  }
  if (o.latencyMs !== undefined && (!Number.isFinite(o.latencyMs) || o.latencyMs < 0)) {
    fail(`latencyMs must be >= 0, got ${o.latencyMs}`);
  }
  if (!Number.isInteger(o.tokens) || o.tokens < 0 || o.tokens > 100_000) {
    fail(`tokens must be a whole number 0-100000, got ${o.tokens}`);
  }
  let sum = 0;
  for (const key of RATE_KEYS) {
    const v = o[key];
    if (!Number.isFinite(v) || v < 0 || v > 1) fail(`${key} must be a fraction between 0 and 1, got ${v}`);
    sum += v;
  }
  if (sum > 1 + 1e-9) {
    const hint = o.scenario ? `; scenario ${o.scenario} sets some of them, override e.g. with --reset-rate 0` : '';
    fail(`error, stall, reset and truncate rates add up to ${sum.toFixed(3)}, at most 1 is possible${hint}`);
  }
  if (o.status !== null && (!Number.isInteger(o.status) || o.status < 400 || o.status > 599)) {
    fail(`status must be an HTTP error status 400-599, got ${o.status}`);
  }
  if (o.scenario !== null && !isScenarioName(o.scenario)) fail(`unknown scenario "${String(o.scenario)}"`);
  if (!Number.isFinite(o.inflateUsage) || o.inflateUsage < 0 || o.inflateUsage > 1000) {
    fail(`inflateUsage must be a factor 0-1000, got ${o.inflateUsage}`);
  }
  if (o.serveModel !== null && (typeof o.serveModel !== 'string' || o.serveModel.length === 0)) {
    fail('serveModel must not be empty');
  }
  if (o.dropUsageRate !== undefined && (!Number.isFinite(o.dropUsageRate) || o.dropUsageRate < 0 || o.dropUsageRate > 1)) {
    fail(`dropUsageRate must be a fraction between 0 and 1, got ${o.dropUsageRate}`);
  }
  if (o.fingerprintEvery !== undefined && (!Number.isInteger(o.fingerprintEvery) || o.fingerprintEvery < 0)) {
    fail(`fingerprintEvery must be a whole number >= 0, got ${o.fingerprintEvery}`);
  }
  if (o.seed !== null && !Number.isInteger(o.seed)) fail(`seed must be a whole number, got ${o.seed}`);
  for (const key of ['ttftSigma', 'itlSigma'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > 5)) fail(`${key} must be 0-5, got ${v}`);
  }
  if (o.incident) {
    const { atMs, forMs } = o.incident;
    if (!Number.isFinite(atMs) || atMs < 0) fail(`incident start must be a duration >= 0, got ${atMs}`);
    if (!Number.isFinite(forMs) || forMs <= 0) fail(`incident length must be a duration above 0, got ${forMs}`);
  }
  if (o.errorMix) {
    let total = 0;
    for (const [kind, w] of Object.entries(o.errorMix)) {
      if (!(ERROR_KINDS as readonly string[]).includes(kind)) fail(`unknown error kind "${kind}" in errorMix`);
      if (w === undefined || !Number.isFinite(w) || w < 0) fail(`errorMix weight for ${kind} must be >= 0`);
      total += w ?? 0;
    }
    if (o.errorRate > 0 && total <= 0) fail('errorMix needs at least one positive weight');
  }
  validateMisbehaviours(o);
}

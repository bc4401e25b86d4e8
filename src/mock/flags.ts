import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import { describeMisbehaviours, parseMangle, SWITCHES, type SwitchKey } from './faults.js';
import { describeIncident } from './incident.js';
import { isScenarioName, SCENARIO_NAMES, type MockOptions } from './options.js';

/** `relaymon mock` flags as commander hands them over: strings, booleans, or undefined when not given. */
export interface MockFlags {
  host?: string;
  port?: string;
  ttft?: string;
  itl?: string;
  tokens?: string;
  jitter?: boolean;
  errorRate?: string;
  status?: string;
  scenario?: string;
  inflateUsage?: string;
  serveModel?: string;
  dropUsage?: string;
  fingerprintEvery?: string;
  stallRate?: string;
  stallMs?: string;
  resetRate?: string;
  truncateRate?: string;
  seed?: string;
  decreasingUsage?: boolean;
  omitTerminator?: boolean;
  misorderEvents?: boolean;
  swallowStreamErrors?: boolean;
  ignoreMaxTokens?: boolean;
  bufferStream?: boolean;
  mangleToolCalls?: string;
  invalidJsonOutput?: boolean;
  /** commander's form of --no-cache-report: false when the flag is given. */
  cacheReport?: boolean;
  dropReasoning?: boolean;
  htmlErrors?: boolean;
  incidentAt?: string;
  incidentFor?: string;
}

function integer(value: string, flag: string, min: number, max: number): number {
  const text = value.trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} expects a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function duration(value: string, flag: string): number {
  try {
    return parseDuration(value, 'ms');
  } catch {
    throw new UsageError(`${flag} expects a duration in ms (e.g. 200, 200ms, 1.5s), got "${value}"`);
  }
}

/** "0.05" or "5%". */
function fraction(value: string, flag: string): number {
  const text = value.trim();
  const percent = text.endsWith('%');
  const num = percent ? text.slice(0, -1).trim() : text;
  const n = num === '' ? NaN : Number(num) / (percent ? 100 : 1);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`${flag} expects a fraction from 0 to 1 or a percentage (e.g. 0.05 or 5%), got "${value}"`);
  }
  return n;
}

function factor(value: string, flag: string): number {
  const text = value.trim();
  const n = text === '' ? NaN : Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1000) {
    throw new UsageError(`${flag} expects a factor from 0 to 1000 (1 = honest), got "${value}"`);
  }
  return n;
}

function nonEmpty(value: string, flag: string): string {
  const text = value.trim();
  if (text === '') throw new UsageError(`${flag} must not be empty`);
  return text;
}

/**
 * Flags → the knobs the user set. Anything not given stays undefined so that a
 * scenario's defaults show through.
 */
export function parseMockFlags(f: MockFlags): Partial<MockOptions> {
  const out: Partial<MockOptions> = {};
  if (f.host !== undefined) out.host = nonEmpty(f.host, '--host');
  if (f.port !== undefined) out.port = integer(f.port, '--port', 0, 65535);
  if (f.ttft !== undefined) out.ttftMs = duration(f.ttft, '--ttft');
  if (f.itl !== undefined) out.itlMs = duration(f.itl, '--itl');
  if (f.tokens !== undefined) out.tokens = integer(f.tokens, '--tokens', 0, 100_000);
  if (f.jitter !== undefined) out.jitter = f.jitter;
  if (f.errorRate !== undefined) out.errorRate = fraction(f.errorRate, '--error-rate');
  if (f.status !== undefined) out.status = integer(f.status, '--status', 400, 599);
  if (f.scenario !== undefined) {
    const name = f.scenario.trim();
    if (!isScenarioName(name)) {
      throw new UsageError(`--scenario expects one of ${SCENARIO_NAMES.join(', ')}, got "${f.scenario}"`);
    }
    out.scenario = name;
  }
  if (f.inflateUsage !== undefined) out.inflateUsage = factor(f.inflateUsage, '--inflate-usage');
  if (f.serveModel !== undefined) out.serveModel = nonEmpty(f.serveModel, '--serve-model');
  if (f.dropUsage !== undefined) out.dropUsageRate = fraction(f.dropUsage, '--drop-usage');
  if (f.fingerprintEvery !== undefined) out.fingerprintEvery = integer(f.fingerprintEvery, '--fingerprint-every', 0, 1_000_000);
  if (f.stallRate !== undefined) out.stallRate = fraction(f.stallRate, '--stall-rate');
  if (f.stallMs !== undefined) out.stallMs = duration(f.stallMs, '--stall-ms');
  if (f.resetRate !== undefined) out.resetRate = fraction(f.resetRate, '--reset-rate');
  if (f.truncateRate !== undefined) out.truncateRate = fraction(f.truncateRate, '--truncate-rate');
  if (f.seed !== undefined) out.seed = integer(f.seed, '--seed', 0, 4294967295);
  for (const { key } of SWITCHES) {
    const given = key === 'noCacheReport' ? f.cacheReport === false : f[key as Exclude<SwitchKey, 'noCacheReport'>] === true;
    if (given) out[key] = true;
  }
  if (f.mangleToolCalls !== undefined) out.mangleToolCalls = parseMangle(f.mangleToolCalls);
  if ((f.incidentAt === undefined) !== (f.incidentFor === undefined)) {
    throw new UsageError('--incident-at and --incident-for go together (e.g. --incident-at 30s --incident-for 1m)');
  }
  if (f.incidentAt !== undefined && f.incidentFor !== undefined) {
    const forMs = duration(f.incidentFor, '--incident-for');
    if (!(forMs > 0)) throw new UsageError(`--incident-for must be above zero, got "${f.incidentFor}"`);
    out.incident = { atMs: duration(f.incidentAt, '--incident-at'), forMs };
  }
  return out;
}

function pct(x: number): string {
  return `${Number((x * 100).toFixed(2))}%`;
}

/** The one human line on stderr saying what this mock will do. */
export function describeMockOptions(o: MockOptions): string {
  const parts = [
    o.scenario ? `scenario ${o.scenario}` : null,
    `ttft ${o.ttftMs}ms`,
    `itl ${o.itlMs}ms`,
    `${o.tokens} tokens`,
    o.jitter ? 'jitter on' : 'jitter off',
    o.status !== null ? `every answer ${o.status}` : null,
    o.errorRate > 0 ? `errors ${pct(o.errorRate)}` : null,
    o.stallRate > 0 ? `stalls ${pct(o.stallRate)} x ${o.stallMs}ms` : null,
    o.resetRate > 0 ? `resets ${pct(o.resetRate)}` : null,
    o.truncateRate > 0 ? `truncations ${pct(o.truncateRate)}` : null,
    o.inflateUsage !== 1 ? `usage x${o.inflateUsage}` : null,
    o.serveModel ? `serving ${o.serveModel}` : null,
    (o.dropUsageRate ?? 0) > 0 ? `usage dropped ${pct(o.dropUsageRate ?? 0)}` : null,
    (o.fingerprintEvery ?? 0) > 0 ? `new fingerprint every ${o.fingerprintEvery}` : null,
    ...describeMisbehaviours(o),
    describeIncident(o.incident),
    o.seed !== null ? `seed ${o.seed}` : null,
  ];
  return `relaymon mock: ${parts.filter((p) => p !== null).join(', ')}. Ctrl-C to stop.`;
}

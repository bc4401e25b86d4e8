import { ConfigError, UsageError } from '../core/errors.js';
import { CREDENTIAL_HEADER_NAME, looksLikeCredential, registerSecret, registerUrlSecrets } from '../core/redact.js';
import type { Protocol } from '../core/result.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS, resolveTolerances, type ResolvedTarget, type Timeouts } from '../core/target.js';
import { parseDuration } from '../core/units.js';
import { CONFIG_FILE_NAMES, configSource } from './find.js';
import { displayPath } from './paths.js';
import { ENV_NAME_EXPECTED, HEADER_NAME_EXPECTED, httpUrlProblem, isEnvName, isHeaderName, quoteValue } from './predicates.js';
import type { RelaymonConfig, TargetConfig } from './schema.js';
import { expandEnv, readKeyFile } from './secrets.js';

export interface TargetFlags {
  target?: string | undefined;
  baseUrl?: string | undefined;
  protocol?: Protocol | undefined;
  apiKeyEnv?: string | undefined;
  apiKeyHeader?: string | undefined;
  /** Total timeout per request. */
  timeoutMs?: number | undefined;
}

/** Most requests in flight to one target unless the config says otherwise. */
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_PRICE_MULTIPLIER = 1;
/** Name of the single target built from flags and environment when no config defines targets. */
export const DEFAULT_TARGET_NAME = 'default';

export const DEFAULT_BASE_URLS: Record<Protocol, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  'openai-responses': 'https://api.openai.com/v1',
};
// The Responses API is OpenAI's too: the same base URL, key and header as Chat Completions, as OpenAI's SDK reads them.
const BASE_URL_ENV: Record<Protocol, string> = { openai: 'OPENAI_BASE_URL', anthropic: 'ANTHROPIC_BASE_URL', 'openai-responses': 'OPENAI_BASE_URL' };
export const DEFAULT_KEY_ENV: Record<Protocol, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', 'openai-responses': 'OPENAI_API_KEY' };
export const DEFAULT_KEY_HEADER: Record<Protocol, string> = { openai: 'authorization', anthropic: 'x-api-key', 'openai-responses': 'authorization' };

/** Flags that describe one particular target; with several configured targets they need --target. */
const PER_TARGET_FLAGS = [
  ['baseUrl', '--base-url'],
  ['protocol', '--protocol'],
  ['apiKeyEnv', '--api-key-env'],
  ['apiKeyHeader', '--api-key-header'],
] as const;


/**
 * Config, flags and environment merged into targets ready to send to. Flags
 * override the file. Without configured targets, one target named "default"
 * comes from flags and OPENAI_* / ANTHROPIC_* variables, as the vendor SDKs do.
 * Config targets get no key unless they name one (apiKeyEnv/apiKeyFile): a
 * relay must not silently receive the user's OpenAI key.
 */
export async function resolveTargets(input: {
  config: RelaymonConfig | null;
  flags: TargetFlags;
  env: NodeJS.ProcessEnv;
  /** Receives one line per thing the user should know before anything is sent (trimmed URLs, no key, the official API). */
  notes?: string[];
  /**
   * The configured targets the command will send to, when it names several
   * (check -t a -t b, compare, evaluate --targets): only these are resolved, so
   * a note (no key, a trimmed URL) or a missing key variable of a target the
   * command never uses is not reported. Each must be configured. Without a
   * config, the default target is resolved as before and the command's own
   * lookup reports the names.
   */
  use?: readonly string[];
}): Promise<ResolvedTarget[]> {
  const { config, flags, env } = input;
  const notes = input.notes ?? [];
  validateFlags(flags);
  checkNames(flags.target !== undefined ? [flags.target] : (input.use ?? []));
  const file = config ? configSource(config) : null;
  const shown = file ? displayPath(file) : 'the config file';
  const configured = Object.entries(config?.targets ?? {});

  if (configured.length === 0) {
    // An empty map is a config mistake; falling back to the environment's default target would send traffic (and a key) elsewhere.
    if (config?.targets !== undefined) throw new ConfigError(`${shown}: targets is empty; add a target, or remove the key to use --base-url / ${BASE_URL_ENV.openai}`);
    if (flags.target !== undefined) {
      throw new UsageError(
        config
          ? `--target ${quoteValue(flags.target)}: ${shown} defines no targets`
          : `--target ${quoteValue(flags.target)}: no config file found (looked for ${CONFIG_FILE_NAMES.join(', ')}, --config, RELAYMON_CONFIG)`,
      );
    }
    return [withHonesty(await fromFlagsAndEnv(flags, env, notes), config)];
  }

  let selected = configured;
  const wanted = flags.target !== undefined ? [flags.target] : input.use;
  if (wanted !== undefined) {
    const unknown = wanted.find((n) => !configured.some(([name]) => name === n));
    if (unknown !== undefined) {
      const names = configured.map(([name]) => name).join(', ');
      throw new UsageError(`unknown target ${quoteValue(unknown)}; ${shown} defines: ${names}`);
    }
    selected = configured.filter(([name]) => wanted.includes(name));
  }
  if (selected.length > 1) {
    const used = PER_TARGET_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
    if (used.length > 0) {
      const names = selected.map(([name]) => name).join(', ');
      const scope = selected.length < configured.length ? `the command uses ${selected.length} of ${shown}'s targets` : `${shown} defines ${selected.length}`;
      throw new UsageError(`${used.join(', ')} describes one target, but ${scope} (${names}): pick one with --target NAME`);
    }
  }
  const out: ResolvedTarget[] = [];
  for (const [name, target] of selected) out.push(withHonesty(await fromConfig(name, target, flags, env, file, notes), config));
  return out;
}

/**
 * Every command's -t list passes here (check, watch, replay, conform, probe; compare and evaluate say it
 * their own way first): a name given twice would make two columns of one target, and replay sent each line
 * to it twice; an empty name (-t "") would otherwise read as "no -t", i.e. every target.
 */
function checkNames(names: readonly string[]): void {
  if (names.some((n) => n.trim() === '')) throw new UsageError('--target: empty target name; name a target from the config, or leave out -t for all of them');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--target: target ${quoteValue(twice)} named twice`);
}

/** The config's `honesty` tolerances travel with each target to the client that reconciles its usage. */
function withHonesty(t: ResolvedTarget, config: RelaymonConfig | null): ResolvedTarget {
  return config?.honesty ? { ...t, usageTolerance: resolveTolerances(config.honesty) } : t;
}

function validateFlags(flags: TargetFlags): void {
  const urlProblem = flags.baseUrl === undefined ? null : httpUrlProblem(flags.baseUrl);
  if (urlProblem !== null) throw new UsageError(`--base-url: ${urlProblem}, got ${quoteValue(flags.baseUrl!)}`);
  if (flags.apiKeyEnv !== undefined && !isEnvName(flags.apiKeyEnv)) {
    throw new UsageError(`--api-key-env: ${ENV_NAME_EXPECTED}`);
  }
  if (flags.apiKeyHeader !== undefined && !isHeaderName(flags.apiKeyHeader)) {
    throw new UsageError(`--api-key-header: ${HEADER_NAME_EXPECTED}`);
  }
  if (flags.timeoutMs !== undefined && !(Number.isFinite(flags.timeoutMs) && flags.timeoutMs > 0)) {
    throw new UsageError('--timeout must be above zero');
  }
}

async function fromConfig(
  name: string,
  t: TargetConfig,
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  file: string | null,
  notes: string[],
): Promise<ResolvedTarget> {
  const shown = file ? `${displayPath(file)}: ` : '';
  const protocol = flags.protocol ?? t.protocol;
  let apiKey: string | null = null;
  if (flags.apiKeyEnv !== undefined) {
    apiKey = readNamedEnv(env, flags.apiKeyEnv, () => new UsageError(`environment variable ${flags.apiKeyEnv} is not set (named by --api-key-env)`));
  } else if (t.apiKeyEnv !== undefined) {
    const path = `targets.${name}.apiKeyEnv`;
    apiKey = readNamedEnv(env, t.apiKeyEnv, () => new ConfigError(`${shown}${path}: environment variable ${t.apiKeyEnv} is not set`, file, path));
  } else if (t.apiKeyFile !== undefined) {
    apiKey = await readKeyFile(t.apiKeyFile);
  }
  const apiKeyHeader = (flags.apiKeyHeader ?? t.apiKeyHeader ?? DEFAULT_KEY_HEADER[protocol]).toLowerCase();

  const headers: Record<string, string> = {};
  for (const [header, raw] of Object.entries(t.headers ?? {})) {
    const path = `targets.${name}.headers.${header}`;
    let value: string;
    try {
      value = expandEnv(raw, env, path);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${shown}${err.message}`, file, path);
      throw err;
    }
    const lower = header.toLowerCase();
    // A literal the schema lets through under a credential-like name (X-Auth-Token: …), or shaped like a key, is
    // a secret all the same: never printed (${VAR} values are registered by expandEnv).
    if (CREDENTIAL_HEADER_NAME.test(lower) || looksLikeCredential(value)) registerSecret(value);
    if (apiKey !== null && lower === apiKeyHeader) {
      throw new ConfigError(`${shown}${path}: the key already goes in ${lower}; drop this header or the key setting`, file, path);
    }
    headers[lower] = value;
  }

  if (apiKey === null && !(apiKeyHeader in headers) && !('authorization' in headers)) {
    notes.push(noKeyWarning(name, `targets.${name} names no apiKeyEnv or apiKeyFile`));
  }
  return {
    name,
    baseUrl: resolveBaseUrl(flags.baseUrl ?? t.baseUrl, protocol, flags.baseUrl !== undefined ? '--base-url' : `targets.${name}.baseUrl`, notes),
    protocol,
    apiKey,
    apiKeyHeader,
    headers,
    priceMultiplier: t.priceMultiplier ?? DEFAULT_PRICE_MULTIPLIER,
    concurrency: t.concurrency ?? DEFAULT_CONCURRENCY,
    concurrencyChosen: t.concurrency !== undefined,
    timeouts: timeoutsFrom(t.timeouts, flags.timeoutMs),
    maxResponseBytes: t.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

async function fromFlagsAndEnv(flags: TargetFlags, env: NodeJS.ProcessEnv, notes: string[]): Promise<ResolvedTarget> {
  const protocol = flags.protocol ?? 'openai';
  let apiKey: string | null;
  if (flags.apiKeyEnv !== undefined) {
    apiKey = readNamedEnv(env, flags.apiKeyEnv, () => new UsageError(`environment variable ${flags.apiKeyEnv} is not set (named by --api-key-env)`));
  } else {
    // No key in the default variable is allowed: some relays need none, and a relay that does will answer 401 (auth).
    const v = env[DEFAULT_KEY_ENV[protocol]];
    apiKey = v === undefined || v.trim() === '' ? null : v.trim();
    registerSecret(apiKey);
  }
  // With no URL and no key anywhere, the official API is surely not what was meant: say what to do instead.
  const envUrl = env[BASE_URL_ENV[protocol]]?.trim();
  if (flags.baseUrl === undefined && (envUrl === undefined || envUrl === '') && apiKey === null && flags.apiKeyEnv === undefined) {
    throw new UsageError(
      `no target: pass --base-url URL, set ${BASE_URL_ENV[protocol]} (and ${DEFAULT_KEY_ENV[protocol]}), or write a config file (relaymon init); try --demo for the built-in simulated relay`,
    );
  }
  if (apiKey === null) notes.push(noKeyWarning(DEFAULT_TARGET_NAME, `${flags.apiKeyEnv ?? DEFAULT_KEY_ENV[protocol]} is not set`));
  let baseUrl: string;
  if (flags.baseUrl !== undefined) baseUrl = resolveBaseUrl(flags.baseUrl, protocol, '--base-url', notes);
  else if (envUrl !== undefined && envUrl !== '') baseUrl = resolveBaseUrl(baseUrlFromEnv(protocol, env), protocol, BASE_URL_ENV[protocol], notes);
  else {
    baseUrl = DEFAULT_BASE_URLS[protocol];
    // Said before anything is sent: a key was found but no URL, so the traffic (and the bill) goes to the vendor itself.
    notes.push(`relaymon: note: no --base-url, ${BASE_URL_ENV[protocol]} or config target: requests go to the official API, ${baseUrl}\n`);
  }
  return {
    name: DEFAULT_TARGET_NAME,
    baseUrl,
    protocol,
    apiKey,
    apiKeyHeader: (flags.apiKeyHeader ?? DEFAULT_KEY_HEADER[protocol]).toLowerCase(),
    headers: {},
    priceMultiplier: DEFAULT_PRICE_MULTIPLIER,
    concurrency: DEFAULT_CONCURRENCY,
    timeouts: timeoutsFrom(undefined, flags.timeoutMs),
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  };
}

function baseUrlFromEnv(protocol: Protocol, env: NodeJS.ProcessEnv): string {
  const variable = BASE_URL_ENV[protocol];
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_BASE_URLS[protocol];
  const problem = httpUrlProblem(raw);
  if (problem !== null) throw new UsageError(`${variable}: ${problem}, got ${quoteValue(raw)}`);
  return raw;
}

function noKeyWarning(target: string, why: string): string {
  return `relaymon: warning: no API key for target ${target} (${why}): requests go out unauthenticated\n`;
}

/**
 * Endpoints people paste whole from a curl example; relaymon appends these
 * itself, so the base is whatever comes before them.
 */
const ENDPOINT_SUFFIX = /\/(?:chat\/completions|completions|responses|messages|models)\/?$/i;

const ENDPOINT_NAME: Record<Protocol, string> = {
  openai: "OpenAI's Chat Completions",
  anthropic: "Anthropic's Messages",
  'openai-responses': "OpenAI's Responses",
};

function endpointProtocol(endpoint: string): Protocol | null {
  if (/\/messages$/i.test(endpoint)) return 'anthropic';
  if (/\/chat\/completions$/i.test(endpoint)) return 'openai';
  if (/\/responses$/i.test(endpoint)) return 'openai-responses';
  return null;
}

/**
 * The base URL as relaymon uses it, from whichever source gave it: a pasted
 * full endpoint trimmed back to its base (with a note), and an Anthropic URL
 * without its version segment given one, as ANTHROPIC_BASE_URL is written by
 * convention and as the Anthropic SDK reads it (flag, config or environment alike).
 */
export function resolveBaseUrl(raw: string, protocol: Protocol, source: string, notes: string[]): string {
  let url = raw.trim().replace(/\/+$/, '');
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Validated by the schema or the flag check already; used as given.
  }
  if (parsed && ENDPOINT_SUFFIX.test(parsed.pathname)) {
    const endpoint = ENDPOINT_SUFFIX.exec(parsed.pathname)![0].replace(/\/$/, '');
    parsed.pathname = parsed.pathname.replace(ENDPOINT_SUFFIX, '') || '/';
    const trimmed = parsed.toString().replace(/\/+$/, '');
    notes.push(`relaymon: note: ${source} ends with the endpoint ${endpoint}; using the base URL ${trimmed} (relaymon appends the endpoint itself)\n`);
    // The pasted endpoint also says which API the relay speaks; a mismatch would send the wrong wire format.
    const speaks = endpointProtocol(endpoint);
    if (speaks !== null && speaks !== protocol) {
      notes.push(`relaymon: note: ${endpoint} is ${ENDPOINT_NAME[speaks]} endpoint, but the protocol is ${protocol}: pass --protocol ${speaks} (or protocol: ${speaks} in the config) if the relay speaks it\n`);
    }
    url = trimmed;
  }
  if (protocol === 'anthropic') url = withVersionSegment(url);
  return normaliseBaseUrl(url);
}

/** ANTHROPIC_BASE_URL is written without /v1 by convention (the SDK adds it); ours includes it. */
export function withVersionSegment(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  try {
    const u = new URL(trimmed);
    const path = u.pathname.replace(/\/+$/, '');
    if (/\/v\d+$/.test(path)) return trimmed;
    // On the path, so that a query string (a gateway's ?key=…) stays at the end.
    u.pathname = `${path}/v1`;
    return u.toString();
  } catch {
    return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
  }
}

export function normaliseBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  // Credentials inside a URL (user-info, ?key=…) are secrets like any key.
  registerUrlSecrets(trimmed);
  return trimmed;
}

function readNamedEnv(env: NodeJS.ProcessEnv, name: string, missing: () => Error): string {
  const v = env[name]?.trim();
  if (v === undefined || v === '') throw missing();
  registerSecret(v);
  return v;
}

function timeoutsFrom(t: TargetConfig['timeouts'], totalOverrideMs: number | undefined): Timeouts {
  const ms = (value: string | number | undefined, fallback: number) => (value === undefined ? fallback : parseDuration(value));
  return {
    connectMs: ms(t?.connect, DEFAULT_TIMEOUTS.connectMs),
    firstTokenMs: ms(t?.firstToken, DEFAULT_TIMEOUTS.firstTokenMs),
    idleMs: ms(t?.idle, DEFAULT_TIMEOUTS.idleMs),
    totalMs: totalOverrideMs ?? ms(t?.total, DEFAULT_TIMEOUTS.totalMs),
  };
}

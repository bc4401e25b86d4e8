import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../../src/core/errors.js';
import { clearSecrets, redact } from '../../../src/core/redact.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS } from '../../../src/core/target.js';
import { loadConfig, parseConfigText } from '../../../src/config/load.js';
import { resolveTargets, withVersionSegment, type TargetFlags } from '../../../src/config/targets.js';
import { SENTINEL, caught, tempDir, writeIn } from './tmp.js';

afterEach(() => clearSecrets());

// Never read: parseConfigText only uses the name, shown relative to the working directory.
const FILE = join(process.cwd(), 'relaymon.config.yaml');
const TWO = `targets:
  relay:
    baseUrl: https://relay.example/v1/
    apiKeyEnv: RELAY_API_KEY
    headers: { X-Title: relaymon, X-Gateway-Key: "\${GATEWAY_KEY}" }
    priceMultiplier: 0.15
    concurrency: 3
    timeouts: { connect: 5s, firstToken: 30s, idle: 2000, total: 2m }
    maxResponseBytes: 1000
  claude:
    baseUrl: https://gw.example/anthropic/v1
    protocol: anthropic
`;

const run = (config: string | null, flags: TargetFlags, env: NodeJS.ProcessEnv) =>
  resolveTargets({ config: config === null ? null : parseConfigText(config, FILE), flags, env });

describe('resolveTargets with no config: one "default" target from flags and environment', () => {
  it('openai defaults: a key alone means the official API', async () => {
    const [t, ...rest] = await run(null, {}, { OPENAI_API_KEY: SENTINEL });
    expect(rest).toEqual([]);
    expect(t).toEqual({
      name: 'default',
      baseUrl: 'https://api.openai.com/v1',
      protocol: 'openai',
      apiKey: SENTINEL,
      apiKeyHeader: 'authorization',
      headers: {},
      priceMultiplier: 1,
      concurrency: 8,
      timeouts: DEFAULT_TIMEOUTS,
      maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    });
  });

  it('OPENAI_BASE_URL and OPENAI_API_KEY, trailing slashes removed, key registered', async () => {
    const [t] = await run(null, {}, { OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1//', OPENAI_API_KEY: SENTINEL });
    expect(t!.baseUrl).toBe('http://127.0.0.1:8080/v1');
    expect(t!.apiKey).toBe(SENTINEL);
    expect(redact(`key=${SENTINEL}`)).toBe('key=[REDACTED]');
  });

  it('anthropic: ANTHROPIC_BASE_URL gets /v1 unless it already ends in a version segment', async () => {
    const env = { ANTHROPIC_BASE_URL: 'https://proxy.example/anthropic/', ANTHROPIC_API_KEY: SENTINEL, OPENAI_API_KEY: 'sk-other-key-1234' };
    const [t] = await run(null, { protocol: 'anthropic' }, env);
    expect(t).toMatchObject({ baseUrl: 'https://proxy.example/anthropic/v1', apiKey: SENTINEL, apiKeyHeader: 'x-api-key' });
    const [d] = await run(null, { protocol: 'anthropic' }, { ANTHROPIC_API_KEY: SENTINEL });
    expect(d!.baseUrl).toBe('https://api.anthropic.com/v1');
    // Neither a URL nor a key: no silent default target.
    await expect(run(null, { protocol: 'anthropic' }, {})).rejects.toThrow(/no target: pass --base-url URL, set ANTHROPIC_BASE_URL/);
    await expect(run(null, {}, {})).rejects.toThrow(/no target/);
    expect(withVersionSegment('https://api.anthropic.com')).toBe('https://api.anthropic.com/v1');
    expect(withVersionSegment('https://x.example/api/v2/')).toBe('https://x.example/api/v2');
    expect(withVersionSegment('https://x.example/v1beta')).toBe('https://x.example/v1beta/v1');
  });

  it('flags: --base-url is taken as written (no /v1 added), --api-key-env, --api-key-header, --timeout', async () => {
    const [t] = await run(
      null,
      { baseUrl: 'https://relay.example/v1/', apiKeyEnv: 'RELAY_API_KEY', apiKeyHeader: 'Api-Key', timeoutMs: 1500, protocol: 'anthropic' },
      { RELAY_API_KEY: SENTINEL, ANTHROPIC_API_KEY: 'not-this-one-xyz' },
    );
    expect(t).toMatchObject({ baseUrl: 'https://relay.example/v1', apiKey: SENTINEL, apiKeyHeader: 'api-key', protocol: 'anthropic' });
    expect(t!.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, totalMs: 1500 });
  });

  it('an explicitly named key variable that is unset is a usage error naming only the variable', async () => {
    const err = await caught(() => run(null, { apiKeyEnv: 'RELAY_API_KEY' }, { OPENAI_API_KEY: SENTINEL }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('environment variable RELAY_API_KEY is not set (named by --api-key-env)');
  });

  it('bad flags and a bad OPENAI_BASE_URL are usage errors', async () => {
    expect((await caught(() => run(null, { baseUrl: 'relay.example' }, {}))).message).toBe(
      '--base-url: expected a URL starting with http:// or https://, got "relay.example"',
    );
    expect((await caught(() => run(null, {}, { OPENAI_BASE_URL: 'localhost:8080' }))).message).toBe(
      'OPENAI_BASE_URL: expected a URL starting with http:// or https://, got "localhost:8080"',
    );
    // It starts with http://: the port is what is wrong.
    expect((await caught(() => run(null, { baseUrl: 'http://127.0.0.1:99999/v1' }, {}))).message).toBe(
      '--base-url: expected a valid URL (check the host, and that a port is 1-65535), got "http://127.0.0.1:99999/v1"',
    );
    const err = await caught(() => run(null, { apiKeyEnv: SENTINEL }, {}));
    expect(err.message).toBe('--api-key-env: expected the NAME of an environment variable (letters, digits, "_"), not its value');
    expect((await caught(() => run(null, { target: 'relay' }, {}))).message).toMatch(/^--target "relay": no config file found/);
  });
});

describe('resolveTargets with a config', () => {
  const env = { RELAY_API_KEY: SENTINEL, GATEWAY_KEY: 'gw-secret-value', OPENAI_API_KEY: 'sk-never-sent-1234' };

  it('all targets, with file values, defaults and ${VAR} headers expanded', async () => {
    const [relay, claude] = await run(TWO, {}, env);
    expect(relay).toEqual({
      name: 'relay',
      baseUrl: 'https://relay.example/v1',
      protocol: 'openai',
      apiKey: SENTINEL,
      apiKeyHeader: 'authorization',
      headers: { 'x-title': 'relaymon', 'x-gateway-key': 'gw-secret-value' },
      priceMultiplier: 0.15,
      concurrency: 3,
      // Set in the file, so a closed loop's -c N does not raise it.
      concurrencyChosen: true,
      timeouts: { connectMs: 5000, firstTokenMs: 30_000, idleMs: 2000, totalMs: 120_000 },
      maxResponseBytes: 1000,
    });
    // A config target that names no key gets none: the user's OPENAI_API_KEY is not sent to a relay.
    expect(claude).toMatchObject({ name: 'claude', protocol: 'anthropic', apiKey: null, apiKeyHeader: 'x-api-key', concurrency: 8 });
    expect(redact('gw-secret-value')).toBe('[REDACTED]');
  });

  it('--target picks one; flags override the file', async () => {
    const targets = await run(
      TWO,
      { target: 'relay', baseUrl: 'http://127.0.0.1:9999/v1', protocol: 'anthropic', apiKeyEnv: 'OTHER_KEY', timeoutMs: 700 },
      { ...env, OTHER_KEY: 'other-key-value' },
    );
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({
      name: 'relay',
      baseUrl: 'http://127.0.0.1:9999/v1',
      protocol: 'anthropic',
      apiKey: 'other-key-value',
      apiKeyHeader: 'x-api-key',
      timeouts: { connectMs: 5000, firstTokenMs: 30_000, idleMs: 2000, totalMs: 700 },
    });
  });

  it('an unknown --target lists the names', async () => {
    const err = await caught(() => run(TWO, { target: 'relya' }, env));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('unknown target "relya"; relaymon.config.yaml defines: relay, claude');
  });

  it('use: only the named targets are resolved, so notes and unset key variables are about them alone', async () => {
    const three = `${TWO}  spare:\n    baseUrl: https://spare.example/v1\n`;
    const notes: string[] = [];
    // relay's RELAY_API_KEY is unset: an error only if relay is used.
    const used = await resolveTargets({ config: parseConfigText(three, FILE), flags: {}, env: {}, notes, use: ['spare', 'claude'] });
    expect(used.map((t) => t.name)).toEqual(['claude', 'spare']);
    expect(notes.filter((n) => n.includes('no API key')).map((n) => /target (\S+) /.exec(n)![1])).toEqual(['claude', 'spare']);
    const err = await caught(() => resolveTargets({ config: parseConfigText(three, FILE), flags: {}, env: {}, use: ['claude', 'nope'] }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('unknown target "nope"; relaymon.config.yaml defines: relay, claude, spare');
    const err2 = await caught(() => resolveTargets({ config: parseConfigText(three, FILE), flags: { baseUrl: 'https://x.example/v1' }, env: {}, use: ['claude', 'spare'] }));
    expect(err2.message).toBe("--base-url describes one target, but the command uses 2 of relaymon.config.yaml's targets (claude, spare): pick one with --target NAME");
  });

  it('per-target flags with several targets ask for --target; --timeout applies to all', async () => {
    const err = await caught(() => run(TWO, { baseUrl: 'https://x.example/v1' }, env));
    expect(err.message).toBe('--base-url describes one target, but relaymon.config.yaml defines 2 (relay, claude): pick one with --target NAME');
    const all = await run(TWO, { timeoutMs: 900 }, env);
    expect(all.map((t) => t.timeouts.totalMs)).toEqual([900, 900]);
  });

  it('an unset apiKeyEnv or header variable names the file, the path and the variable', async () => {
    const err = await caught(() => run(TWO, {}, { GATEWAY_KEY: 'x-gateway-value' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('relaymon.config.yaml: targets.relay.apiKeyEnv: environment variable RELAY_API_KEY is not set');
    const err2 = await caught(() => run(TWO, {}, { RELAY_API_KEY: SENTINEL }));
    expect(err2.message).toBe('relaymon.config.yaml: targets.relay.headers.X-Gateway-Key: environment variable GATEWAY_KEY is not set');
  });

  it('a config without targets falls back to flags and environment', async () => {
    const [t] = await run('budget: { usd: 1 }\n', {}, { OPENAI_API_KEY: SENTINEL });
    expect(t).toMatchObject({ name: 'default', apiKey: SENTINEL });
    expect((await caught(() => run('budget: { usd: 1 }\n', { target: 'relay' }, {}))).message).toBe(
      '--target "relay": relaymon.config.yaml defines no targets',
    );
  });

  it('reads apiKeyFile relative to the config file', async () => {
    const dir = tempDir();
    writeIn(dir, 'relay.key', `${SENTINEL}\n`, 0o600);
    const path = writeIn(dir, 'relaymon.config.yaml', 'targets:\n  relay: { baseUrl: "https://r.example/v1", apiKeyFile: relay.key }\n');
    const [t] = await resolveTargets({ config: await loadConfig(path), flags: {}, env: {} });
    expect(t!.apiKey).toBe(SENTINEL);
  });

  it('a header that duplicates the key header is refused', async () => {
    const cfg = 'targets:\n  r:\n    baseUrl: https://r.example/v1\n    apiKeyEnv: K\n    headers: { Authorization: "Bearer ${K}" }\n';
    const err = await caught(() => run(cfg, {}, { K: SENTINEL }));
    expect(err.message).toBe(
      'relaymon.config.yaml: targets.r.headers.Authorization: the key already goes in authorization; drop this header or the key setting',
    );
    // Without apiKeyEnv, carrying the credential in a ${VAR} header is fine.
    const ok = 'targets:\n  r:\n    baseUrl: https://r.example/v1\n    headers: { Authorization: "Bearer ${K}" }\n';
    const [t] = await run(ok, {}, { K: SENTINEL });
    expect(t).toMatchObject({ apiKey: null, headers: { authorization: `Bearer ${SENTINEL}` } });
  });
});

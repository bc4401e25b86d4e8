import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerInitCommand } from '../../../src/cli/init.js';
import { UsageError } from '../../../src/core/errors.js';
import { buildJsonSchema, SCHEMA_FILE } from '../../../src/config/json-schema.js';
import { loadConfig, parseConfigText } from '../../../src/config/load.js';
import { SCHEMA_URL, starterConfig } from '../../../src/config/starter.js';
import { resolveTargets } from '../../../src/config/targets.js';
import { caught, tempDir, writeIn } from './tmp.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('starter config', () => {
  it('validates against the schema and resolves with its key variable set', async () => {
    const config = parseConfigText(starterConfig(), join(ROOT, 'relaymon.config.yaml'));
    expect(Object.keys(config.targets ?? {})).toEqual(['relay']);
    expect(config.targets!['relay']!.apiKeyEnv).toBe('RELAY_API_KEY');
    expect(config.probes!['chat-small']!.targets).toBeUndefined();
    const [t] = await resolveTargets({ config, flags: {}, env: { RELAY_API_KEY: 'test-key-value' } });
    expect(t).toMatchObject({ name: 'relay', baseUrl: 'https://relay.example/v1', apiKey: 'test-key-value' });
  });

  it('points editors at the schema and holds no key, only variable names', () => {
    const text = starterConfig();
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(SCHEMA_URL).toMatch(/^https:\/\/unpkg\.com\/relaymon@\d+\.\d+\.\d+[^/]*\/schema\/relaymon\.config\.schema\.json$/);
    expect(text).not.toMatch(/\b(sk|pk|rk)-[A-Za-z0-9]/);
    expect(text).not.toMatch(/^\s*#?\s*apiKey\s*:/m);
    // Every secret-bearing value is a ${VAR} reference.
    for (const line of text.split('\n').filter((l) => /GATEWAY_KEY|WEBHOOK/.test(l))) expect(line).toMatch(/\$\{[A-Z_]+\}/);
  });

  it('the commented-out examples are valid too once uncommented', () => {
    const uncommented = starterConfig()
      .split('\n')
      .map((l) => l.replace(/^(\s*)# (?=[a-zA-Z$ -])/, '$1'))
      .filter((l) => !/^\s*(relaymon configuration|lists them|holds the key|yaml-language-server|apiKeyFile:)/.test(l))
      .join('\n');
    const config = parseConfigText(uncommented, join(ROOT, 'relaymon.config.yaml'));
    expect(Object.keys(config.targets ?? {})).toEqual(['relay', 'direct']);
    expect(config.alerts?.[0]?.name).toBe('RelaySlowFirstToken');
    expect(config.budget).toEqual({ usd: 1 });
  });
});

describe('relaymon init', () => {
  async function init(dir: string, args: string[]): Promise<string> {
    let out = '';
    const program = new Command('relaymon').exitOverride();
    registerInitCommand(program, {
      cwd: () => dir,
      io: { out: (t) => void (out += t), err: () => {}, color: false, stdoutIsTty: false, stderrIsTty: false },
    });
    await program.parseAsync(['init', ...args], { from: 'user' });
    return out;
  }

  it('writes the starter, which then loads', async () => {
    const dir = tempDir();
    const out = await init(dir, []);
    expect(out).toMatch(/^wrote .*relaymon\.config\.yaml\n/);
    expect(readFileSync(join(dir, 'relaymon.config.yaml'), 'utf8')).toBe(starterConfig());
    const config = await loadConfig(join(dir, 'relaymon.config.yaml'));
    expect(config.targets!['relay']!.baseUrl).toBe('https://relay.example/v1');
  });

  it('refuses to overwrite without --force (exit 2), overwrites with it', async () => {
    const dir = tempDir();
    writeIn(dir, 'mine.yaml', 'budget: { usd: 5 }\n');
    const err = await caught(() => init(dir, ['--path', 'mine.yaml']));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect(err.message).toMatch(/mine\.yaml already exists; use --force to overwrite it$/);
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toBe('budget: { usd: 5 }\n');
    await init(dir, ['--path', 'mine.yaml', '--force']);
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toBe(starterConfig());
  });

  it('refuses a non-YAML name and a missing folder', async () => {
    const dir = tempDir();
    expect((await caught(() => init(dir, ['--path', 'x.json']))).message).toMatch(/the starter is YAML/);
    expect((await caught(() => init(dir, ['--path', 'no/such/dir/x.yaml']))).message).toMatch(/its folder does not exist$/);
  });
});

describe('JSON Schema file', () => {
  it('the committed schema equals a freshly generated one (node scripts/gen-schema.mjs after a build)', () => {
    const committed = readFileSync(join(ROOT, SCHEMA_FILE), 'utf8');
    expect(committed).toBe(buildJsonSchema());
  });

  it('describes the shape: strict objects, enums, required fields', () => {
    const schema = JSON.parse(buildJsonSchema()) as {
      $schema: string;
      additionalProperties: boolean;
      properties: { targets: { additionalProperties: { required: string[]; additionalProperties: boolean; properties: Record<string, { enum?: string[] }> } } };
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const target = schema.properties.targets.additionalProperties;
    expect(target.required).toEqual(['baseUrl']);
    expect(target.additionalProperties).toBe(false);
    expect(target.properties['protocol']!.enum).toEqual(['openai', 'anthropic', 'openai-responses']);
  });
});

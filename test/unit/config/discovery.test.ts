import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { findConfigFile } from '../../../src/config/load.js';
import { caught, tempDir, writeIn } from './tmp.js';

describe('findConfigFile', () => {
  it('returns null when there is no config anywhere', () => {
    expect(findConfigFile({ cwd: tempDir(), env: {} })).toBeNull();
  });

  it('prefers .yaml, then .yml, then .json in the working directory', () => {
    const dir = tempDir();
    writeIn(dir, 'relaymon.config.json', '{}');
    expect(findConfigFile({ cwd: dir, env: {} })).toBe(join(dir, 'relaymon.config.json'));
    writeIn(dir, 'relaymon.config.yml', 'budget: { usd: 1 }\n');
    expect(findConfigFile({ cwd: dir, env: {} })).toBe(join(dir, 'relaymon.config.yml'));
    writeIn(dir, 'relaymon.config.yaml', 'budget: { usd: 1 }\n');
    expect(findConfigFile({ cwd: dir, env: {} })).toBe(join(dir, 'relaymon.config.yaml'));
  });

  it('RELAYMON_CONFIG beats the working directory; --config beats both', () => {
    const dir = tempDir();
    writeIn(dir, 'relaymon.config.yaml', '{}');
    const fromEnv = writeIn(dir, 'env.yaml', '{}');
    writeIn(dir, 'flag.yaml', '{}');
    expect(findConfigFile({ cwd: dir, env: { RELAYMON_CONFIG: fromEnv } })).toBe(fromEnv);
    // A relative --config is relative to the working directory.
    expect(findConfigFile({ cwd: dir, explicit: 'flag.yaml', env: { RELAYMON_CONFIG: fromEnv } })).toBe(join(dir, 'flag.yaml'));
  });

  it('an explicitly named file that does not exist is an error, not a fallback', async () => {
    const dir = tempDir();
    writeIn(dir, 'relaymon.config.yaml', '{}');
    const err = await caught(() => findConfigFile({ cwd: dir, explicit: 'missing.yaml', env: {} }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('config file not found: missing.yaml');
    expect((err as ConfigError).exitCode).toBe(2);
    const err2 = await caught(() => findConfigFile({ cwd: dir, env: { RELAYMON_CONFIG: 'gone.yaml' } }));
    expect(err2.message).toBe('config file not found: gone.yaml (from RELAYMON_CONFIG)');
  });

  it('an empty RELAYMON_CONFIG is ignored', () => {
    const dir = tempDir();
    const path = writeIn(dir, 'relaymon.config.yml', '{}');
    expect(findConfigFile({ cwd: dir, env: { RELAYMON_CONFIG: '' } })).toBe(path);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { validateConfig } from '../../../src/config/load.js';
import { resolveTargets } from '../../../src/config/targets.js';

describe('an empty targets map', () => {
  it('is a config error, never a silent fall-back to the default (api.openai.com) target', async () => {
    const config = validateConfig({ targets: {} }, 'relaymon.config.yaml');
    const attempt = resolveTargets({ config, flags: {}, env: { OPENAI_API_KEY: 'sk-x' } });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(resolveTargets({ config, flags: {}, env: {} })).rejects.toThrow(/targets is empty/);
  });

  it('a config without the key still uses the flags and environment', async () => {
    const config = validateConfig({ thresholds: { errors: ['rate<0.1'] } }, 'relaymon.config.yaml');
    const [t] = await resolveTargets({ config, flags: { baseUrl: 'http://127.0.0.1:9/v1' }, env: {} });
    expect(t?.baseUrl).toBe('http://127.0.0.1:9/v1');
  });
});

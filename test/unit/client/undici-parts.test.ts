import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as parts from '../../../src/client/undici-parts.js';

describe('undici parts', () => {
  it('are the very classes undici\'s index exports (a release that moves a file fails here)', () => {
    const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
    expect(parts.Pool).toBe(undici.Pool);
    expect(parts.Client).toBe(undici.Client);
    expect(parts.Agent).toBe(undici.Agent);
    expect(parts.envHttpProxyAgent()).toBe(undici.EnvHttpProxyAgent);
    expect(parts.buildConnector).toBe(undici.buildConnector);
  });
});

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as parts from '../../../src/client/undici-parts.js';
import { ROOT } from '../../helpers/cli.js';

describe('undici parts', () => {
  it('are the very classes undici\'s index exports (a release that moves a file fails here)', () => {
    const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
    expect(parts.Pool).toBe(undici.Pool);
    expect(parts.Client).toBe(undici.Client);
    expect(parts.Agent).toBe(undici.Agent);
    expect(parts.envHttpProxyAgent()).toBe(undici.EnvHttpProxyAgent);
    expect(parts.buildConnector).toBe(undici.buildConnector);
    expect(createRequire(import.meta.url).resolve(parts.CLIENT_H2)).toMatch(/undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/);
  });

  // In a fresh process (this one's require cache may hold undici's index from another file): the built module.
  it('load neither node:http2 nor node:tls, and an HTTP/2 connection still works through them', () => {
    const out = execFileSync(process.execPath, [`${ROOT}/test/helpers/undici-h2.mjs`, `${ROOT}/dist/client/undici-parts.js`], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ atLoad: { http2: false, tls: false }, body: 'h2 2.0' });
  });
});

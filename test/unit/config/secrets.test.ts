import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { clearSecrets, redact } from '../../../src/core/redact.js';
import { expandEnv, readKeyFile } from '../../../src/config/secrets.js';
import { SENTINEL, caught, tempDir, writeIn } from './tmp.js';

afterEach(() => clearSecrets());

describe('expandEnv', () => {
  it('replaces every ${VAR} and registers the values for redaction', () => {
    const env = { GATEWAY_KEY: SENTINEL, REGION: 'eu-west-1' };
    const out = expandEnv('Bearer ${GATEWAY_KEY}; region=${REGION}', env, 'targets.relay.headers.X-Gateway-Key');
    expect(out).toBe(`Bearer ${SENTINEL}; region=eu-west-1`);
    expect(redact(`sent ${SENTINEL}`)).toBe('sent [REDACTED]');
  });

  it('leaves text without references alone and registers nothing', () => {
    expect(expandEnv('relaymon', {}, 'w')).toBe('relaymon');
    expect(redact('relaymon')).toBe('relaymon');
  });

  it('an unset variable names the place and the variable, never a value', async () => {
    const env = { OTHER: SENTINEL };
    const err = await caught(() => expandEnv('x ${OTHER} ${GATEWAY_KEY}', env, 'targets.relay.headers.X-Gateway-Key'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('targets.relay.headers.X-Gateway-Key: environment variable GATEWAY_KEY is not set');
    expect(err.message).not.toContain(SENTINEL);
  });

  it('an empty variable counts as unset; a malformed reference is an error', async () => {
    expect((await caught(() => expandEnv('${EMPTY}', { EMPTY: '' }, 'w'))).message).toBe('w: environment variable EMPTY is not set');
    expect((await caught(() => expandEnv('${not valid}', {}, 'w'))).message).toBe(
      'w: "${not valid}" is not a valid environment variable reference',
    );
    expect((await caught(() => expandEnv('${OPEN', { OPEN: 'x' }, 'w'))).message).toBe('w: unterminated "${" (write ${NAME})');
  });
});

describe('readKeyFile', () => {
  it('accepts a 0600 file, trims it and registers the key', async () => {
    const path = writeIn(tempDir(), 'relay.key', `  ${SENTINEL}\n`, 0o600);
    expect(await readKeyFile(path)).toBe(SENTINEL);
    expect(redact(SENTINEL)).toBe('[REDACTED]');
  });

  it.runIf(process.platform !== 'win32')('refuses a file others can read, suggesting chmod 600, without reading it out', async () => {
    const path = writeIn(tempDir(), 'relay.key', SENTINEL, 0o644);
    const err = await caught(() => readKeyFile(path));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect(err.message).toBe(`key file ${path} is readable by group or others (mode 644); restrict it with: chmod 600 ${path}`);
    expect(err.message).not.toContain(SENTINEL);
  });

  it.runIf(process.platform !== 'win32')('refuses group-readable too (0640)', async () => {
    const path = writeIn(tempDir(), 'relay.key', SENTINEL, 0o640);
    expect((await caught(() => readKeyFile(path))).message).toContain('(mode 640)');
  });

  it('errors on a missing or empty file', async () => {
    const dir = tempDir();
    expect((await caught(() => readKeyFile(join(dir, 'none.key')))).message).toBe(`key file not found: ${join(dir, 'none.key')}`);
    const empty = writeIn(dir, 'empty.key', ' \n', 0o600);
    expect((await caught(() => readKeyFile(empty))).message).toBe(`key file ${empty} is empty`);
  });
});

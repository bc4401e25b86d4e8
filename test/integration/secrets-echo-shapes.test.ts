/**
 * Round 18 finding F-leak-1: a relay that echoes the key back transformed
 * (lower-cased, upper-cased, base64 or base64url, alone, as "Bearer <key>" or
 * inside an encoded JSON) got those forms into stdout and --log: only the exact
 * key was redacted. src/core/redact.ts says which shapes are covered and why a
 * key split at arbitrary points is not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/** Every shape of the key the relay echoes; each must be gone from every output. */
function shapes(key: string): string[] {
  return [
    key.toLowerCase(),
    key.toUpperCase(),
    b64(key),
    b64url(key),
    b64(`Bearer ${key}`),
    b64url(`Bearer ${key}`),
    b64(JSON.stringify({ authorization: `Bearer ${key}` })),
  ];
}

/** A careless gateway: a 401 whose message and headers echo the key it was sent in each shape. */
function echoingRelay(): Promise<HostileServer> {
  return startHostile((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    const key = auth.replace(/^Bearer /, '');
    const echoed = shapes(key).join(' | ');
    res.writeHead(401, { 'content-type': 'application/json', 'x-echo': b64(key) });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: key.toLowerCase(), message: `echo-marker: invalid key ${echoed}` } }));
  });
}

function everything(dir: string, out: { stdout: string; stderr: string }): string {
  return [out.stdout, out.stderr, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
}

describe('a key echoed back transformed is redacted too', () => {
  it.each([
    ['check --json --log', (url: string, dir: string) => ['check', '--base-url', url, '-n', '2', '--no-stream', '--json', '--log', join(dir, 'r.log')]],
    ['probe (text) --log', (url: string, dir: string) => ['probe', '--base-url', url, '-n', '1', '--log', join(dir, 'p.log')]],
  ])('%s: no shape of the key reaches stdout, stderr or the log', async (_name, args) => {
    server = await echoingRelay();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-echo-key-'));
    const res = await runCli(args(server.url, dir), { cwd: dir, env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expect(res.code).toBe(1);
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${SENTINEL_KEY}`)).toBe(true);
    const all = everything(dir, res);
    // The relay's message did reach the outputs, with the shapes cut out of it.
    expect(all).toContain('echo-marker: invalid key [REDACTED]');
    for (const shape of shapes(SENTINEL_KEY)) expect(all, shape).not.toContain(shape);
    expect(all.toLowerCase()).not.toContain(SENTINEL_KEY.toLowerCase());
    // Not even the middle of an encoding: the cores that carry the key at each offset are gone.
    for (const shape of shapes(SENTINEL_KEY).slice(2)) expect(all, shape).not.toContain(shape.slice(4, 40));
  });
});

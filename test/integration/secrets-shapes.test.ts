/**
 * Issue 11 item 3, as a hostile tester found it after the first fix: a key
 * that only the URL path carries, and a literal credential under a header
 * name the config schema does not know, were printed everywhere a relay's
 * error echoed them. Every output and every file a run writes is read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';

const PATH_KEY = 'sk-PATHONLY-0123456789abcdefghij';
const HEADER_KEY = 'hdr-LITERAL-9f8e7d6c5b4a39281706';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A relay that echoes what it was sent (the URL and every header) in a 401 body, as careless gateways do. */
async function echoingRelay(): Promise<HostileServer> {
  return startHostile((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'authentication_error', message: `bad credentials for ${req.url} with ${JSON.stringify(req.headers)}` } }));
  });
}

function everything(dir: string, out: { stdout: string; stderr: string }): string {
  return [out.stdout, out.stderr, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
}

describe('a key is never printed, whatever the URL or header it travels in', () => {
  it('a key only in the base URL path: stdout, stderr, --summary, --junit and --log are clean', async () => {
    server = await echoingRelay();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-path-key-'));
    const base = server.url.replace(/\/v1$/, `/${PATH_KEY}/v1`);
    const res = await runCli(['check', '--base-url', base, '-n', '2', '--json', '--summary', join(dir, 's.json'), '--junit', join(dir, 'j.xml'), '--log', join(dir, 'r.log')], {
      cwd: dir,
      env: { OPENAI_API_KEY: 'unrelated-env-key-1234' },
    });
    expect(res.code).toBe(1);
    // The key really reached the relay and came back in its answers.
    expect(server.requests.some((r) => r.path.includes(PATH_KEY))).toBe(true);
    const all = everything(dir, res);
    expect(all).toContain('[REDACTED]');
    expect(all).not.toContain(PATH_KEY);
    expect(all).not.toContain(PATH_KEY.slice(3, 20));
  });

  it('a literal credential under an unknown header name (X-Auth-Token) is a secret too', async () => {
    server = await echoingRelay();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-hdr-key-'));
    const cfg = join(dir, 'relaymon.config.yaml');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: ${server.url}\n    headers:\n      X-Auth-Token: ${HEADER_KEY}\n      X-Title: relaymon-test\n`);
    const res = await runCli(['probe', '--config', cfg, '-n', '1', '--json', '--log', join(dir, 'p.log')], { cwd: dir });
    expect(res.code).toBe(1);
    expect(server.requests.some((r) => r.headers['x-auth-token'] === HEADER_KEY)).toBe(true);
    const all = everything(dir, res).replace(readFileSync(cfg, 'utf8'), '');
    expect(all).not.toContain(HEADER_KEY);
    // A header that is not a credential stays readable.
    expect(all).toContain('relaymon-test');
  });
});

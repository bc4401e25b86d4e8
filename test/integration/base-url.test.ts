/**
 * Issue 11 item 8: base-URL mistakes are diagnosed. Real loopback servers;
 * the official-API line is checked under --dry-run, so nothing leaves 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret, probeJson } from '../helpers/probe.js';
import { OPENAI_COMPLETION_OK } from '../helpers/sse.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const OPENAI_OK = OPENAI_COMPLETION_OK;
const ANTHROPIC_OK = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [{ type: 'text', text: 'OK' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 9, output_tokens: 1 },
};

/** Answers the OpenAI or Anthropic endpoint under /v1, 404 everywhere else. */
function relay(): Promise<HostileServer> {
  return startHostile((req, res) => {
    const body = req.url === '/v1/chat/completions' ? OPENAI_OK : req.url === '/v1/messages' ? ANTHROPIC_OK : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: { message: 'Not Found' } }));
  });
}

const origin = (s: HostileServer): string => `http://127.0.0.1:${s.port}`;

describe('a 404 on a base URL without /v1', () => {
  it('suggests adding /v1', async () => {
    server = await relay();
    const { json, code } = await probeJson(origin(server), ['--no-stream', '-n', '1']);
    const r = json.requests[0]!;
    expect(r.errorType).toBe('not_found');
    expect(r.errorMessage).toContain('the base URL has no /v1: try adding /v1');
    expect(code).toBe(1);
  });

  it('relaymon models suggests it too', async () => {
    server = await relay();
    const res = await runCli(['models', '--base-url', origin(server)], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expectNoSecret(res);
    expect(res.stderr).toContain('the base URL has no /v1: try adding /v1');
    expect(res.code).toBe(1);
  });

  it('says nothing of the kind when the base URL has its /v1', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'The model does not exist' } }));
    });
    const { json } = await probeJson(server.url, ['--no-stream', '-n', '1']);
    expect(json.requests[0]!.errorMessage).not.toContain('/v1');
  });
});

describe('a pasted full endpoint', () => {
  it.each([
    ['openai', '/v1/chat/completions'],
    ['anthropic', '/v1/messages'],
    ['openai', '/v1/responses'],
  ])('%s base URL ending in %s is trimmed to its base, with a note', async (protocol, endpoint) => {
    server = await relay();
    const run = await probeJson(`${origin(server)}${endpoint}`, ['--protocol', protocol, '--no-stream', '-n', '1']);
    expect(run.json.requests[0]!.ok).toBe(true);
    expect(server.requests.map((r) => r.path)).toEqual([protocol === 'anthropic' ? '/v1/messages' : '/v1/chat/completions']);
    expect(run.stderr).toContain(`--base-url ends with the endpoint ${endpoint.slice(3)}; using the base URL ${origin(server)}/v1`);
    expect(run.code).toBe(0);
  });

  it('a pasted Messages endpoint with the default openai protocol: a note names --protocol anthropic', async () => {
    server = await relay();
    const run = await probeJson(`${origin(server)}/v1/messages`, ['--no-stream', '-n', '1']);
    expect(run.stderr).toContain('/messages is Anthropic\'s Messages endpoint, but the protocol is openai: pass --protocol anthropic');
    // The same with the matching protocol says nothing of it.
    const matched = await probeJson(`${origin(server)}/v1/messages`, ['--protocol', 'anthropic', '--no-stream', '-n', '1']);
    expect(matched.stderr).not.toContain('but the protocol is');
  });

  it('the note never shows a key carried in the pasted URL', async () => {
    server = await relay();
    // probeJson greps stdout and stderr for the sentinel key.
    const run = await probeJson(`http://user:${SENTINEL_KEY}@127.0.0.1:${server.port}/v1/chat/completions`, ['--no-stream', '-n', '1']);
    expect(run.stderr).toContain('--base-url ends with the endpoint /chat/completions');
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/chat/completions']);
  });
});

describe('the Anthropic base URL, with or without /v1, from every source', () => {
  it.each(['', '/v1'])('ANTHROPIC_BASE_URL=<origin>%s reaches /v1/messages', async (suffix) => {
    server = await relay();
    const res = await runCli(['probe', '--protocol', 'anthropic', '--json', '--no-stream', '-n', '1'], {
      env: { ANTHROPIC_BASE_URL: origin(server) + suffix, ANTHROPIC_API_KEY: SENTINEL_KEY },
    });
    expectNoSecret(res);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/messages']);
    expect(res.code).toBe(0);
  });

  it.each(['', '/v1'])('--base-url <origin>%s reaches /v1/messages', async (suffix) => {
    server = await relay();
    const run = await probeJson(origin(server) + suffix, ['--protocol', 'anthropic', '--no-stream', '-n', '1']);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/messages']);
    expect(run.code).toBe(0);
  });

  it.each(['', '/v1'])('config baseUrl <origin>%s reaches /v1/messages', async (suffix) => {
    server = await relay();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-baseurl-'));
    const config = join(dir, 'relaymon.config.yaml');
    writeFileSync(config, `targets:\n  claude:\n    baseUrl: ${origin(server)}${suffix}\n    protocol: anthropic\n    apiKeyEnv: MY_KEY\n`);
    const res = await runCli(['probe', '--config', config, '--json', '--no-stream', '-n', '1'], { env: { MY_KEY: SENTINEL_KEY } });
    expectNoSecret(res);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/messages']);
    expect(res.code).toBe(0);
  });
});

describe('no key at all', () => {
  it('is a warning, and the request goes out without one', async () => {
    server = await relay();
    const run = await probeJson(server.url, ['--no-stream', '-n', '1'], { OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined });
    expect(run.stderr).toContain('warning: no API key for target default (OPENAI_API_KEY is not set): requests go out unauthenticated');
    expect(server.requests[0]!.headers['authorization']).toBeUndefined();
    expect(run.code).toBe(0);
  });

  it('is no warning when a key is set', async () => {
    server = await relay();
    const run = await probeJson(server.url, ['--no-stream', '-n', '1']);
    expect(run.stderr).not.toContain('no API key');
  });
});

describe('the official API', () => {
  it('is named on stderr before anything is sent when no URL came from a flag, config or the environment (dry run: nothing leaves)', async () => {
    const res = await runCli(['check', '--dry-run', '--json', '-n', '1'], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
    expectNoSecret(res);
    expect(res.stderr).toContain('no --base-url, OPENAI_BASE_URL or config target: requests go to the official API, https://api.openai.com/v1');
    expect(() => JSON.parse(res.stdout) as unknown).not.toThrow();
    expect(res.code).toBe(0);
  });

  it('is not named when the URL came from the environment', async () => {
    const res = await runCli(['check', '--dry-run', '--json', '-n', '1'], {
      env: { OPENAI_API_KEY: SENTINEL_KEY, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
    expect(res.stderr).not.toContain('official API');
    expect(res.code).toBe(0);
  });
});

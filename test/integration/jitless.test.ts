/**
 * Node started with --jitless has no WebAssembly, and undici parses HTTP in
 * WebAssembly: every request used to fail as connection_reset (exit 3), the
 * relay blamed for the client's Node. Now a usage error before anything is sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const env = { OPENAI_API_KEY: SENTINEL_KEY, NODE_OPTIONS: '--jitless' };

describe('a Node without WebAssembly (--jitless)', () => {
  it.each([
    ['probe', ['probe', '-n', '1']],
    ['check', ['check', '-n', '2', '--every', '20ms']],
    ['models', ['models']],
    // Their action modules import undici on the main thread: the import alone used to crash (exit 1, a stack trace).
    ['conform', ['conform']],
  ])('%s: exit 2 with the reason, and nothing sent', async (_name, args) => {
    server = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const res = await runCli([...args, '--base-url', server.url], { env });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('this Node.js has no WebAssembly (it was started with --jitless: check NODE_OPTIONS)');
    expect(res.stderr).not.toContain('connection_reset');
    expect(res.stderr).not.toContain('ReferenceError');
    expect(res.stdout).toBe(''); // no table header above an error that sent nothing
    expect(server.requests).toHaveLength(0);
  });

  it('evaluate: exit 2 with the reason before its targets are even read', async () => {
    const res = await runCli(['evaluate', '--targets', 'a,b', '-n', '2'], { env });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('this Node.js has no WebAssembly');
    expect(res.stderr).not.toContain('ReferenceError');
  });

  it('--version still answers', async () => {
    const res = await runCli(['--version'], { env });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

/**
 * conform and relaymon's own timeouts, through the CLI against `relaymon
 * mock`: a fractional-ms --timeout reaches undici as whole ms (it refuses
 * anything else, and that refusal was once blamed on the relay as a reset),
 * and a request the timeout cut is n/a, never a fail of the relay.
 */
import { describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY, startMockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { startHostile } from '../helpers/hostile.js';

interface Row {
  name: string;
  status: string;
  evidence: { got: string };
}

async function conform(mockArgs: string[], timeout: string): Promise<{ code: number | null; rows: Row[]; stderr: string }> {
  const mock = await startMockProcess(mockArgs);
  try {
    const res = await runCli(['conform', '--base-url', mock.url, '--timeout', timeout, '--json'], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 60_000 });
    expectNoSecret(res);
    const json = JSON.parse(res.stdout) as { targets: { checks: Row[] }[] };
    return { code: res.code, rows: json.targets[0]!.checks, stderr: res.stderr };
  } finally {
    await mock.stop();
  }
}

describe('conform with fractional and short timeouts', () => {
  it('--timeout 2500.5ms against a healthy mock: all 13 checks pass, exit 0', async () => {
    const { code, rows } = await conform(['--ttft', '5', '--itl', '5', '--tokens', '24'], '2500.5ms');
    expect(rows.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.evidence.got}`)).toEqual([]);
    expect(rows).toHaveLength(13);
    expect(code).toBe(0);
  });

  it("--timeout 1500ms against a 2 s first token: the cut checks are n/a with the timeout as the reason, exit 0", async () => {
    const { code, rows } = await conform(['--ttft', '2000'], '1500ms');
    expect(rows.filter((r) => r.status === 'fail').map((r) => `${r.name}: ${r.evidence.got}`)).toEqual([]);
    for (const name of ['stream_terminated', 'error_in_stream', 'model_echo']) {
      const row = rows.find((r) => r.name === name)!;
      expect([name, row.status]).toEqual([name, 'n/a']);
      expect(row.evidence.got).toMatch(/^request failed: relaymon's own timeout cut it .*total timeout after 1500 ms; judged nothing$/);
    }
    expect(code).toBe(0);
  });

  it('an error body that does not end within --timeout: error_shape n/a, said once ("HTTP 400 and a body …", never "got got")', async () => {
    const relay = await startHostile((_req, res) => {
      // 400 headers and the start of a JSON error, then nothing until the test closes the server.
      res.writeHead(400, { 'content-type': 'application/json' });
      res.write('{"error":{"message":"bad');
    });
    try {
      const res = await runCli(['conform', '--base-url', relay.url, '--only', 'error_shape', '--timeout', '999ms'], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 60_000 });
      expectNoSecret(res);
      expect(res.stdout).toMatch(/– openai +error_shape +request failed: relaymon's own timeout cut it: HTTP 400 and a body that did not end within 999 ms; judged nothing/);
      expect(res.stdout).not.toContain('got got');
    } finally {
      await relay.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { runCli, startMockProcess } from '../helpers/cli.js';
import { bodyFor } from '../helpers/mock-bodies.js';

describe('relaymon mock misbehaviour flags', () => {
  it('exits 2 with a clear message on a bad --mangle-tool-calls, before listening', async () => {
    const r = await runCli(['mock', '--mangle-tool-calls', 'sometimes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mangle-tool-calls expects one of id, index, args, got "sometimes"');
    expect(r.stdout).not.toContain('listening on');
  });

  it('exits 2 when a switch is given a value', async () => {
    const r = await runCli(['mock', '--buffer-stream', 'yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("too many arguments for 'mock'");
    expect(r.stdout).not.toContain('listening on');
  });

  it('lists every knob in --help and runs with them', async () => {
    const help = await runCli(['mock', '--help']);
    for (const flag of ['--decreasing-usage', '--omit-terminator', '--misorder-events', '--swallow-stream-errors', '--ignore-max-tokens',
      '--buffer-stream', '--mangle-tool-calls', '--invalid-json-output', '--no-cache-report', '--drop-reasoning', '--html-errors']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('POST /v1/responses');
    const m = await startMockProcess(['--ttft', '1', '--itl', '1', '--omit-terminator', '--no-cache-report', '--mangle-tool-calls', 'id']);
    try {
      const res = await fetch(`${m.url}/responses`, { method: 'POST', body: JSON.stringify(bodyFor('openai-responses')) });
      const text = await res.text();
      expect(text).toContain('event: response.output_text.delta');
      expect(text).not.toContain('response.completed');
    } finally {
      await m.stop();
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stopped by %s, it exits 130 like every command', async (signal) => {
    const m = await startMockProcess(['--ttft', '1']);
    const exited = new Promise<number | null>((resolve) => m.child.once('exit', (code) => resolve(code)));
    m.child.kill(signal);
    expect(await exited).toBe(130);
  });
});

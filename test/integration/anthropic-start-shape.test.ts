import { afterEach, describe, expect, it } from 'vitest';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { sse, SSE_HEADERS } from '../helpers/sse.js';
import { probeJson, expectNoSecret } from '../helpers/probe.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';

/**
 * A relay whose Anthropic message_start carries a `message` without
 * `content: []` or `role` (SDKs that build the message from it break) is
 * flagged out_of_order by probe, and fails conform's event_order. A hand-written
 * server on 127.0.0.1 serves the stream; the real CLI measures it.
 */
let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const MESSAGE = { id: 'msg_shape', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 20, output_tokens: 1 } };

async function serveAnthropic(message: Record<string, unknown>): Promise<HostileServer> {
  return startHostile(async (_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    await writeSlowly(res, [
      sse({ type: 'message_start', message }, 'message_start'),
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
      { waitMs: 5 },
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }, 'content_block_delta'),
      { waitMs: 5 },
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' world' } }, 'content_block_delta'),
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
      sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }, 'message_delta'),
      sse({ type: 'message_stop' }, 'message_stop'),
    ]);
    res.end();
  });
}

async function conformEventOrder(url: string): Promise<{ code: number | null; status: string | undefined; got: string | undefined }> {
  const res = await runCli(['conform', '--base-url', url, '--protocol', 'anthropic', '--only', 'event_order', '--json'], {
    env: { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY },
    timeoutMs: 60_000,
  });
  expectNoSecret(res);
  let json: { targets: { checks: { name: string; status: string; evidence: { got: string } }[] }[] };
  try {
    json = JSON.parse(res.stdout) as typeof json;
  } catch {
    throw new Error(`conform --json printed no JSON (exit ${res.code})\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
  const row = json.targets.flatMap((t) => t.checks).find((c) => c.name === 'event_order');
  return { code: res.code, status: row?.status, got: row?.evidence.got };
}

describe('Anthropic message_start shape', () => {
  it('a message without content [] and role: probe reports out_of_order, conform fails event_order (exit 1)', async () => {
    const { content: _content, role: _role, ...sloppy } = MESSAGE;
    server = await serveAnthropic(sloppy);
    const { json, code } = await probeJson(server.url, ['--protocol', 'anthropic', '--model', 'claude-haiku-4.5']);
    expect(code).toBe(0);
    const r = json.requests[0]!;
    // The answer itself arrived and is measured; only the stream's shape is flagged.
    expect(r).toMatchObject({ ok: true, inputTokens: 20, outputTokens: 2, usageSource: 'reported', streamViolations: ['out_of_order'] });

    const conform = await conformEventOrder(server.url);
    expect(conform.status).toBe('fail');
    expect(conform.code).toBe(1);
  });

  it('the same stream with content [] and role assistant conforms', async () => {
    server = await serveAnthropic(MESSAGE);
    const { json, code } = await probeJson(server.url, ['--protocol', 'anthropic', '--model', 'claude-haiku-4.5']);
    expect(code).toBe(0);
    expect(json.requests[0]).toMatchObject({ ok: true, streamViolations: [] });

    const conform = await conformEventOrder(server.url);
    expect(conform.status).toBe('pass');
    expect(conform.code).toBe(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { startHostile, writeSlowly, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import { expectNoSecret, probeJson, type ProbeRequestJson } from '../helpers/probe.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { countRequestPrompt } from '../../src/tokens/local-count.js';

/**
 * Probe kinds end to end: the real CLI against a small hand-written relay that
 * answers the OpenAI chat shape as a real one does (tool-call deltas with the
 * id on the first fragment only, reasoning_content, cached_tokens), and one
 * misbehaviour at a time. The relay reads what each request asked for from
 * its body, so these tests also prove the kinds' requests went out.
 */
let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface Behaviour {
  /** The second fragment of a tool call carries another id. */
  changeId?: boolean;
  /** Bill this many prompt tokens instead of what was sent (a relay that cut the prompt). */
  billPrompt?: number;
}

type Body = Record<string, unknown>;

/** Prompt tokens of what was sent, as an honest OpenAI relay bills them. */
const honestPrompt = (body: Body): number => countRequestPrompt('gpt-4o-mini', body).tokens;

function usageChunk(prompt: number, completion: number, details: Body = {}): Body {
  return { id: 'chatcmpl-k', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...details } };
}

const finish = (reason: string): Body => openaiChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: reason }] });

/** Ends of the responses, in order, on the test's clock: a cache pair's second must arrive after the first's end. */
const ends: number[] = [];
const arrivals: number[] = [];

async function answer(res: ServerResponse, body: Body, how: Behaviour, seen: Map<string, number>): Promise<void> {
  arrivals.push(performance.now());
  res.writeHead(200, SSE_HEADERS);
  const prompt = how.billPrompt ?? honestPrompt(body);
  const parts: (string | { waitMs: number })[] = [sse(openaiChunk({ role: 'assistant', content: '' }))];
  if (Array.isArray(body['tools'])) {
    const second = how.changeId ? { id: 'call_b' } : {};
    parts.push(
      sse(openaiChunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] })),
      { waitMs: 5 },
      sse(openaiChunk({ tool_calls: [{ index: 0, ...second, function: { arguments: '{"city": "Pa' } }] })),
      { waitMs: 5 },
      sse(openaiChunk({ tool_calls: [{ index: 0, function: { arguments: 'ris", "unit": "celsius"}' } }] })),
      sse(finish('tool_calls')),
      sse(usageChunk(prompt, 14)),
    );
  } else if (body['response_format'] !== undefined) {
    parts.push(sse(openaiChunk({ content: '{"city": "Paris", ' })), { waitMs: 5 }, sse(openaiChunk({ content: '"country": "France", "population_millions": 2.1}' })), sse(finish('stop')), sse(usageChunk(prompt, 20)));
  } else if (body['reasoning_effort'] !== undefined) {
    parts.push(
      sse(openaiChunk({ reasoning_content: 'Spell it: s-t-r-a-w' })),
      { waitMs: 5 },
      sse(openaiChunk({ reasoning_content: '-b-e-r-r-y, three.' })),
      { waitMs: 5 },
      sse(openaiChunk({ content: '3' })),
      sse(finish('stop')),
      sse(usageChunk(prompt, 40, { completion_tokens_details: { reasoning_tokens: 32 } })),
    );
  } else {
    // A repeated system prefix is cached, as OpenAI caches prefixes of 1,024 tokens and more.
    const messages = Array.isArray(body['messages']) ? (body['messages'] as { content: string }[]) : [];
    const key = messages[0]?.content ?? '';
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    const cached = times > 0 && prompt >= 1024 ? Math.floor(prompt / 128) * 128 : 0;
    parts.push(sse(openaiChunk({ content: 'OK' })), sse(finish('stop')), sse(usageChunk(prompt, 1, { prompt_tokens_details: { cached_tokens: cached } })));
  }
  parts.push('data: [DONE]\n\n');
  await writeSlowly(res, parts);
  res.end();
  ends.push(performance.now());
}

async function relay(how: Behaviour = {}): Promise<HostileServer> {
  const seen = new Map<string, number>();
  ends.length = 0;
  arrivals.length = 0;
  return startHostile((_req, res, body) => answer(res, body as Body, how, seen));
}

const MODEL = ['--model', 'gpt-4o-mini'];
const names = (r: ProbeRequestJson): string[] => r.checks.map((c) => c.name);
const failed = (r: ProbeRequestJson): ProbeRequestJson['checks'] => r.checks.filter((c) => !c.ok);

describe('probe --kind against an honest relay', () => {
  it('tools: the call is assembled from its deltas and every check passes', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, ['--kind', 'tools', ...MODEL]);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.finishReason).toBe('tool_calls');
    expect(names(r)).toEqual(['tool_called', 'tool_call_id_stable', 'tool_call_index_consistent', 'tool_args_json', 'tool_args_schema']);
    expect(failed(r)).toEqual([]);
    expect(code).toBe(0);
    const body = server.requests[0]!.body as Body;
    expect((body['tools'] as { function: { name: string } }[])[0]!.function.name).toBe('get_weather');
    expect(body['tool_choice']).toBe('required');
  });

  it('json: the structured answer parses and matches the schema', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, ['--kind', 'json', ...MODEL]);
    expect(json.requests[0]!.checks).toEqual([
      { name: 'json_parses', ok: true, detail: expect.stringMatching(/^the answer parses as JSON/) },
      { name: 'json_schema_valid', ok: true, detail: 'matches the schema' },
    ]);
    expect(code).toBe(0);
    expect((server.requests[0]!.body as Body)['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it('reasoning: reasoning reported, the answer after it', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, ['--kind', 'reasoning', ...MODEL]);
    const r = json.requests[0]!;
    expect(r.reasoningTokens).toBe(32);
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
      ['reasoning_reported', true],
      ['content_after_reasoning', true],
    ]);
    // The visible answer came after the reasoning: its TTFT is later than the first token's.
    expect(r.ttftContentMs!).toBeGreaterThan(r.ttftMs!);
    expect(code).toBe(0);
  });

  it('cache: -n 1 sends one pair, the second after the first ended, and the second reports cached tokens', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, ['--kind', 'cache', ...MODEL]);
    expect(json.requests).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
    const [first, second] = json.requests;
    expect(first!.checks).toEqual([{ name: 'cache_prefix_sent', ok: true, detail: expect.stringMatching(/sent; the second request of the pair checks cache_reported$/) }]);
    expect(second!.checks).toEqual([{ name: 'cache_reported', ok: true, detail: expect.stringMatching(/^\d+ of \d+ input tokens cached$/) }]);
    expect(second!.cachedInputTokens).toBeGreaterThan(1000);
    expect(arrivals[1]!).toBeGreaterThanOrEqual(ends[0]!);
    // The same prefix both times.
    expect((server.requests[1]!.body as Body)['messages']).toEqual((server.requests[0]!.body as Body)['messages']);
    expect(code).toBe(0);
  });

  it('cache: -n 4 -c 2 sends two pairs, each a first and a second', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, ['--kind', 'cache', '-n', '4', '-c', '2', ...MODEL]);
    expect(json.requests).toHaveLength(4);
    expect(server.requests).toHaveLength(4);
    const seen = json.requests.map((r) => r.checks.map((c) => c.name).join());
    expect(seen.filter((n) => n === 'cache_prefix_sent')).toHaveLength(2);
    expect(seen.filter((n) => n === 'cache_reported')).toHaveLength(2);
    expect(code).toBe(0);
  });

  it('cache: a budget with room for one request but not the pair sends nothing, exit 1', async () => {
    server = await relay();
    // One request of the pair costs about $0.0002 at worst on gpt-4o-mini (1,200 input tokens, 16 output).
    const res = await runCli(['probe', '--base-url', server.url, '--kind', 'cache', ...MODEL, '--budget-usd', '0.0003'], { env: { OPENAI_API_KEY: SENTINEL_KEY, NO_COLOR: '1' } });
    expectNoSecret(res);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/a cache pair \(two requests\) to "gpt-4o-mini" could cost up to \$0\.000\d+/);
    expect(server.requests).toHaveLength(0);
  });

  it('long: a ~4,000-token prompt billed in full', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, ['--kind', 'long', ...MODEL]);
    const r = json.requests[0]!;
    expect(r.inputTokens!).toBeGreaterThan(3900);
    expect(r.inputTokens!).toBeLessThanOrEqual(4000);
    expect(r.checks).toEqual([{ name: 'input_not_truncated', ok: true, detail: `billed ${r.inputTokens} input tokens, counted ${r.localInputTokens}` }]);
    expect(code).toBe(0);
  });

  it('text: no checks', async () => {
    server = await relay();
    const { json, code } = await probeJson(server.url, MODEL);
    expect(json.requests[0]!.checks).toEqual([]);
    expect(json.requests[0]!.finishReason).toBe('stop');
    expect(code).toBe(0);
  });
});

describe('probe --kind against a relay that misbehaves', () => {
  it('a tool-call id that changes part-way: the request is ok, its check fails with the detail, exit 1', async () => {
    server = await relay({ changeId: true });
    const { json, code } = await probeJson(server.url, ['--kind', 'tools', ...MODEL]);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.errorType).toBeNull();
    expect(failed(r)).toEqual([{ name: 'tool_call_id_stable', ok: false, detail: 'call 0 changed id from call_a to call_b' }]);
    expect(code).toBe(1);
  });

  it('the text output shows the failed check under its row and counts it', async () => {
    server = await relay({ changeId: true });
    const res = await runCli(['probe', '--base-url', server.url, '--kind', 'tools', ...MODEL], { env: { OPENAI_API_KEY: SENTINEL_KEY, NO_COLOR: '1' } });
    expectNoSecret(res);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('kind tools');
    expect(res.stdout).toContain('     ✗ checks: 1 of 5 failed\n       ✗ tool_call_id_stable: call 0 changed id from call_a to call_b\n');
    expect(res.stdout).toContain('checks: 1 request checked, 1 failed a check — tool_call_id_stable ×1');
  });

  it('a long prompt billed short fails input_not_truncated', async () => {
    server = await relay({ billPrompt: 2048 });
    const { json, code } = await probeJson(server.url, ['--kind', 'long', ...MODEL]);
    const r = json.requests[0]!;
    expect(r.ok).toBe(true);
    expect(r.checks[0]).toMatchObject({ name: 'input_not_truncated', ok: false, detail: expect.stringMatching(/^billed 2048 input tokens, counted \d+: \d+ fewer, the prompt was cut or billed short$/) });
    expect(code).toBe(1);
  });
});

describe('check --kind', () => {
  it('cache pairs on a schedule: -n counts each request, the second goes after the first, checks land in the request log', async () => {
    server = await relay();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-kinds-'));
    const log = join(dir, 'log.jsonl');
    try {
      const res = await runCli(['check', '--base-url', server.url, ...MODEL, '--kind', 'cache', '-n', '3', '--every', '50ms', '--log', log, '--json'], {
        env: { OPENAI_API_KEY: SENTINEL_KEY },
        timeoutMs: 30_000,
      });
      expectNoSecret(res);
      expect(res.code).toBe(0);
      // -n 3: a pair, then one more request left, so one more pair (a pair is never split): 4 requests.
      const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { result: ProbeRequestJson & { sentAt: number; endAt: number } });
      expect(lines).toHaveLength(4);
      const checks = lines.map((l) => l.result.checks.map((c) => `${c.name}:${c.ok}`).join(','));
      expect(checks.filter((c) => c === 'cache_prefix_sent:true')).toHaveLength(2);
      expect(checks.filter((c) => c === 'cache_reported:true')).toHaveLength(2);
      // Each second request was sent after a first had ended (the relay saw it arrive after that response's end).
      expect(arrivals[1]!).toBeGreaterThanOrEqual(ends[0]!);
      expect(lines.every((l) => l.result.finishReason === 'stop')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--kind usage errors', () => {
  for (const command of ['probe', 'check', 'watch']) {
    it(`${command} --kind with an unknown kind: exit 2, the kinds listed, nothing sent`, async () => {
      server = await relay();
      const res = await runCli([command, '--base-url', server.url, '--kind', 'tool', ...(command === 'watch' ? ['--no-tui'] : [])], { env: { OPENAI_API_KEY: SENTINEL_KEY } });
      expectNoSecret(res);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--kind must be one of text, tools, json, cache, reasoning, long; got "tool"');
      expect(server.requests).toHaveLength(0);
    });
  }

  it('--help of probe, check and watch documents --kind', async () => {
    for (const command of ['probe', 'check', 'watch']) {
      const res = await runCli([command, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('--kind <kind>');
    }
  });
});

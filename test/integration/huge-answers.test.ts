/**
 * Issue 11 item 2: a large or pathological answer never stalls the engine.
 * A hand-written loopback relay answers megabytes (one 10 MB word, many
 * words, 200k CJK characters without a break, each streamed and not, and one
 * answer above maxResponseBytes) beside an honest `relaymon mock` target, in
 * one `check` run. Before, counting tokens of those answers ran on the
 * engine's thread: a 10 MB word kept it busy for hours, 160k CJK characters
 * threw inside the tokenizer, and the normal target's timings and Ctrl-C
 * waited behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { spawnCli, startMockProcess, SENTINEL_KEY, type MockProcess } from '../helpers/cli.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { expectNoSecret } from '../helpers/probe.js';
import type { RequestResult } from '../../src/core/result.js';

const TTFT = 100;
/** Grace period of check (run/defaults.ts DEFAULT_GRACE_MS). */
const GRACE_MS = 10_000;
const MAX_RESPONSE_BYTES = 12 * 1024 * 1024;

const ONE_WORD = 'a'.repeat(10 * 1024 * 1024);
const MANY_WORDS = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70_000); // ~4 MB
const CJK = '中文字符测试'.repeat(34_000); // 204,000 characters, no break
const OVER_CAP = 'b'.repeat(13 * 1024 * 1024);
const KINDS = [
  ['one-word', ONE_WORD],
  ['many-words', MANY_WORDS],
  ['cjk', CJK],
  ['over-cap', OVER_CAP],
] as const;

function sseChunk(kind: string, content: string): string {
  return `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: kind, choices: [{ index: 0, delta: { content } }] })}\n\n`;
}

/** The answers, built once: streamed as 64 KB deltas (the word goes on across them), or one JSON body. */
const BODIES = new Map<string, { sse: Buffer; json: Buffer }>(
  KINDS.map(([kind, text]) => {
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += 65_536) parts.push(sseChunk(kind, text.slice(i, i + 65_536)));
    parts.push('data: [DONE]\n\n');
    const json = { id: 'x', object: 'chat.completion', model: kind, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] };
    return [kind, { sse: Buffer.from(parts.join('')), json: Buffer.from(JSON.stringify(json)) }];
  }),
);

function answer(res: ServerResponse, kind: string, stream: boolean, onSent?: () => void): void {
  const b = BODIES.get(kind)!;
  res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json', 'x-kind': kind });
  res.end(stream ? b.sse : b.json, onSent);
}

let mock: MockProcess;
let hostile: HostileServer;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-huge-'));
/** Requests answered so far, per stream mode, to cycle through the kinds. */
const served = { stream: 0, json: 0 };

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', String(TTFT), '--itl', '5', '--tokens', '20', '--no-jitter']);
  hostile = await startHostile((_req, res, body) => {
    const stream = typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
    const n = stream ? served.stream++ : served.json++;
    answer(res, KINDS[n % KINDS.length]![0], stream);
  });
});
afterAll(async () => {
  await Promise.all([mock?.stop(), hostile?.close()]);
});

function readLog(path: string): RequestResult[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { result: RequestResult }).result);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('megabyte answers beside a normal target', () => {
  it('leave the normal target timings true, end classified, and the run ends on time', async () => {
    const cfg = join(dir, 'relaymon.config.json');
    const log = join(dir, 'huge.jsonl');
    writeFileSync(
      cfg,
      JSON.stringify({
        targets: {
          normal: { baseUrl: mock.url },
          huge: { baseUrl: hostile.url, maxResponseBytes: MAX_RESPONSE_BYTES },
        },
        probes: {
          steady: { model: 'gpt-4o', maxTokens: 20, every: '200ms', targets: ['normal'] },
          bigStream: { model: 'gpt-4o', every: '1500ms', targets: ['huge'], stream: true },
          bigJson: { model: 'gpt-4o', every: '1500ms', targets: ['huge'], stream: false },
        },
      }),
    );
    const started = Date.now();
    const run = spawnCli(['check', '--config', cfg, '--duration', '6s', '--log', log], { env: { OPENAI_API_KEY: SENTINEL_KEY }, timeoutMs: 6_000 + GRACE_MS + 20_000 });
    const res = await run.exited;
    const elapsed = Date.now() - started;
    expectNoSecret(res);
    // A verdict (the over-cap answers are errors), not a crash.
    expect([0, 1]).toContain(res.code);
    expect(res.stdout).toContain('normal');
    // On time: the duration, plus at most the grace period for answers still coming, plus start-up.
    expect(elapsed).toBeLessThan(6_000 + GRACE_MS + 5_000);

    const results = readLog(log);
    const normal = results.filter((r) => r.target === 'normal');
    const huge = results.filter((r) => r.target === 'huge');
    expect(normal.length).toBeGreaterThanOrEqual(15);
    expect(normal.every((r) => r.ok)).toBe(true);
    const ttft = normal.map((r) => r.ttftMs!);
    // The mock answers at exactly TTFT; a noisy shared machine adds some, a stalled engine seconds.
    expect(Math.min(...ttft)).toBeGreaterThanOrEqual(TTFT - 1);
    expect(median(ttft)).toBeLessThan(TTFT + 150);
    expect(Math.max(...ttft)).toBeLessThan(TTFT + 900);
    expect(Math.max(...normal.map((r) => r.latencyMs))).toBeLessThan(TTFT + 20 * 5 + 900);
    // Every normal answer was counted in full.
    expect(normal.every((r) => r.localCountKind === 'exact' && r.localCountLimit === null)).toBe(true);

    // Every kind came back at least once in each mode, and each ended classified.
    const kindOf = (r: RequestResult): string => r.responseModel ?? (r.errorType === 'response_too_large' ? 'over-cap' : '?');
    for (const stream of [true, false]) {
      const seen = huge.filter((r) => r.stream === stream);
      for (const [kind] of KINDS) {
        if (kind === 'over-cap') {
          expect(seen.some((r) => r.errorType === 'response_too_large'), `over-cap, stream ${stream}`).toBe(true);
        } else {
          expect(seen.some((r) => kindOf(r) === kind), `${kind}, stream ${stream}`).toBe(true);
        }
      }
    }
    for (const r of huge) {
      if (!r.ok) {
        expect(r.errorType).toBe('response_too_large');
        continue;
      }
      // Counted under a bound, and said so: an estimate, with the bound that cut it short.
      expect(r.localCountKind).toBe('estimate');
      expect(['word', 'size', 'time']).toContain(r.localCountLimit);
      expect(r.usageSource).toBe('estimated');
      const text = kindOf(r) === 'one-word' ? ONE_WORD : kindOf(r) === 'many-words' ? MANY_WORDS : CJK;
      // An honest estimate: close to the truth where it is known (about 10 tokens a sentence), and never above one a byte.
      expect(r.outputTokens!).toBeGreaterThan(0);
      if (kindOf(r) === 'many-words') expect(Math.abs(r.outputTokens! - 70_000 * 10) / (70_000 * 10)).toBeLessThan(0.1);
      if (kindOf(r) === 'cjk') expect(r.outputTokens!).toBeGreaterThan(CJK.length / 4);
      expect(r.outputTokens!).toBeLessThan(Buffer.byteLength(text));
    }
  }, 60_000);
});

describe('Ctrl-C during a huge answer', () => {
  it('stops within the grace period, prints the summary, exits 130', async () => {
    let answered: () => void = () => {};
    const sent = new Promise<void>((r) => (answered = r));
    const relay = await startHostile((_req, res) => answer(res, 'one-word', false, answered));
    try {
      const run = spawnCli(['check', '--base-url', relay.url, '--model', 'gpt-4o', '--no-stream', '--every', '2s', '--duration', '60s'], {
        env: { OPENAI_API_KEY: SENTINEL_KEY },
        timeoutMs: 40_000,
      });
      await sent; // the whole 10 MB word is on its way: the engine is reading, then counting it
      await new Promise((r) => setTimeout(r, 200));
      const interruptedAt = Date.now();
      run.child.kill('SIGINT');
      const res = await run.exited;
      expect(Date.now() - interruptedAt).toBeLessThan(GRACE_MS);
      expect(res.code).toBe(130);
      expect(res.stdout).toContain('stopped: interrupted');
      expectNoSecret(res);
    } finally {
      await relay.close();
    }
  }, 60_000);
});

/**
 * Relay honesty through the real CLI against `relaymon mock` processes and
 * hand-written hostile relays: billing reconciliation, model substitution,
 * fingerprint changes, stream conformance, and check thresholds on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret, probeJson } from '../helpers/probe.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

const FAST = ['--ttft', '5', '--itl', '1', '--tokens', '16'];
let honest: MockProcess;
let inflated: MockProcess;
let substituted: MockProcess;
let sloppy: MockProcess;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-honesty-'));

beforeAll(async () => {
  [honest, inflated, substituted, sloppy] = await Promise.all([
    startMockProcess(FAST),
    startMockProcess([...FAST, '--inflate-usage', '1.5']),
    startMockProcess([...FAST, '--serve-model', 'gpt-4o-mini']),
    startMockProcess([...FAST, '--drop-usage', '100%', '--fingerprint-every', '2']),
  ]);
});
afterAll(() => Promise.all([honest, inflated, substituted, sloppy].map((m) => m?.stop())));

/** "Reply with OK" to gpt-4o: 3 per message + "user" + 3 text tokens + 3 reply priming. */
const PROMPT_TOKENS = 3 + 1 + encode('Reply with OK').length + 3;

describe('billing reconciliation', () => {
  it('an honest relay is not flagged: its usage is what relaymon counts, exactly', async () => {
    for (const stream of [[], ['--no-stream']]) {
      const { json, code } = await probeJson(honest.url, ['--model', 'gpt-4o', '-n', '2', ...stream]);
      expect(code).toBe(0);
      for (const r of json.requests) {
        expect(r).toMatchObject({
          usageSource: 'reported',
          inputTokens: PROMPT_TOKENS,
          outputTokens: 16,
          localInputTokens: PROMPT_TOKENS,
          localOutputTokens: 16,
          localCountKind: 'exact',
          usageMismatch: false,
          usageGapTokens: 0,
          usageGapRatio: 0,
          streamViolations: [],
        });
      }
    }
  });

  it('inflated usage is flagged with the right gap', async () => {
    const { json } = await probeJson(inflated.url, ['--model', 'gpt-4o', '-n', '2']);
    for (const r of json.requests) {
      // 16 tokens streamed, 24 billed; the prompt is billed honestly.
      expect(r).toMatchObject({ outputTokens: 24, localOutputTokens: 16, usageMismatch: true, usageGapTokens: 8 });
      expect(r.usageGapRatio).toBeCloseTo(8 / (PROMPT_TOKENS + 16), 12);
    }
  });

  it('a model without a public tokenizer is reconciled as a labelled estimate, with the wider tolerance', async () => {
    const ok = await probeJson(honest.url, ['--protocol', 'anthropic', '--model', 'claude-sonnet-4-5', '-n', '1']);
    expect(ok.json.requests[0]).toMatchObject({ localCountKind: 'estimate', usageMismatch: false, usageGapTokens: 0 });
    // 1.5x is within an estimate's 50%: not proof of anything.
    const within = await probeJson(inflated.url, ['--protocol', 'anthropic', '--model', 'claude-sonnet-4-5', '--max-tokens', '64']);
    expect(within.json.requests[0]).toMatchObject({ localCountKind: 'estimate', usageMismatch: false, usageGapTokens: 8 });
  });

  it('the config sets the tolerance', async () => {
    const cfg = join(dir, 'tolerant.yaml');
    writeFileSync(cfg, `targets:\n  relay:\n    baseUrl: ${inflated.url}\nhonesty:\n  usageTolerance: { tokens: 8 }\n`);
    const { json } = await probeJson(inflated.url, ['--config', cfg, '--target', 'relay', '--model', 'gpt-4o']);
    expect(json.requests[0]).toMatchObject({ usageGapTokens: 8, usageMismatch: false });
    writeFileSync(cfg, `honesty:\n  usageTolerance: { tokens: -1 }\n`);
    const bad = await runCli(['probe', '--config', cfg, '--base-url', inflated.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('honesty.usageTolerance.tokens');
  });

  it('reasoning the relay reports but does not stream is accounted for, not flagged; a reported cost is reconciled', async () => {
    const server = await startHostile((_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(
        sse(openaiChunk({ content: 'OK' }, { model: 'o3-mini' })) +
          // 1 visible token + 300 hidden reasoning tokens, and the relay's own price for them.
          sse(openaiUsageChunk(PROMPT_TOKENS, 301, { completion_tokens_details: { reasoning_tokens: 300 }, cost: 0.5 })) +
          'data: [DONE]\n\n',
      );
    });
    try {
      const { json } = await probeJson(server.url, ['--model', 'o3-mini']);
      const r = json.requests[0]!;
      expect(r).toMatchObject({ reasoningTokens: 300, localOutputTokens: 301, usageMismatch: false, usageGapTokens: 0, reportedCostUsd: 0.5 });
      expect(r.costUsd).not.toBeNull();
      expect(r.costGapUsd).toBeCloseTo(0.5 - r.costUsd!, 12);
    } finally {
      await server.close();
    }
  });
});

describe('model identity', () => {
  it('a substituted model is flagged', async () => {
    const { json } = await probeJson(substituted.url, ['--model', 'gpt-4o']);
    expect(json.requests[0]).toMatchObject({ model: 'gpt-4o', responseModel: 'gpt-4o-mini', modelMismatch: true });
  });

  it('system_fingerprint changes are flagged in the order responses finish', async () => {
    const { json } = await probeJson(sloppy.url, ['--model', 'gpt-4o', '-n', '5']);
    expect(json.requests.map((r) => r.systemFingerprint)).toEqual(['fp_mock_0', 'fp_mock_0', 'fp_mock_1', 'fp_mock_1', 'fp_mock_2']);
    expect(json.requests.map((r) => r.fingerprintChanged)).toEqual([false, false, true, false, true]);
  });
});

describe('stream conformance', () => {
  it('a stream without the usage that was asked for is counted, and estimated rather than reconciled', async () => {
    const { json } = await probeJson(sloppy.url, ['--model', 'gpt-4o', '-n', '2']);
    for (const r of json.requests) {
      expect(r).toMatchObject({ ok: true, streamViolations: ['usage_missing'], usageSource: 'estimated', usageGapTokens: null, usageMismatch: false });
    }
    const whole = await probeJson(sloppy.url, ['--model', 'gpt-4o', '--no-stream']);
    expect(whole.json.requests[0]!.streamViolations).toEqual([]);
  });

  it('a stream that never terminates is unterminated', async () => {
    const server = await startHostile((_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(sse(openaiChunk({ content: 'O' })));
    });
    try {
      const { json } = await probeJson(server.url, ['--model', 'gpt-4o-mini']);
      expect(json.requests[0]).toMatchObject({ errorType: 'stream_truncated', streamViolations: ['unterminated'] });
    } finally {
      await server.close();
    }
  });

  it('Anthropic events out of order and a usage count that goes down are named', async () => {
    let server: HostileServer | null = null;
    server = await startHostile((_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(
        sse({ type: 'message_start', message: { id: 'msg_1', model: 'claude-haiku-4-5', usage: { input_tokens: 12, output_tokens: 1 } } }, 'message_start') +
          sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }, 'content_block_delta') +
          sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start') +
          sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop') +
          sse({ type: 'message_delta', delta: {}, usage: { output_tokens: 9 } }, 'message_delta') +
          sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }, 'message_delta') +
          sse({ type: 'message_stop' }, 'message_stop'),
      );
    });
    try {
      const { json } = await probeJson(server.url, ['--protocol', 'anthropic', '--model', 'claude-haiku-4-5']);
      expect(json.requests[0]).toMatchObject({ ok: true, streamViolations: ['out_of_order', 'usage_decreased'] });
    } finally {
      await server.close();
    }
  });
});

describe('check thresholds on usage_mismatch and model_mismatch', () => {
  const check = (url: string, ...thresholds: string[]) =>
    // --no-default-thresholds: these tests look at the user's thresholds alone (the implied errors guard is tested in check-stats.test.ts).
    runCli(['check', '--base-url', url, '--model', 'gpt-4o', '--every', '50ms', '--requests', '4', '--json', '--no-default-thresholds', ...thresholds.flatMap((t) => ['--threshold', t])], {
      env: { OPENAI_API_KEY: SENTINEL_KEY },
    });
  type Verdict = { thresholds: { expression: string; ok: boolean; value: number | null }[] };

  it('pass against an honest relay', async () => {
    const res = await check(honest.url, 'usage_mismatch:count<1', 'model_mismatch:rate<1%');
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as Verdict).thresholds.map((t) => t.value)).toEqual([0, 0]);
  });

  it('usage_mismatch fails a check against a relay that inflates usage', async () => {
    const res = await check(inflated.url, 'usage_mismatch:count<1', 'usage_mismatch:rate<10%', 'model_mismatch:count<1');
    expect(res.code).toBe(1);
    expect((JSON.parse(res.stdout) as Verdict).thresholds).toEqual([
      { expression: 'usage_mismatch:count<1', ok: false, value: 4 },
      { expression: 'usage_mismatch:rate<10%', ok: false, value: 1 },
      { expression: 'model_mismatch:count<1', ok: true, value: 0 },
    ]);
  });

  it('model_mismatch fails a check against a relay that substitutes the model', async () => {
    const res = await check(substituted.url, 'model_mismatch:rate<1%', 'usage_mismatch:count<1');
    expect(res.code).toBe(1);
    expect((JSON.parse(res.stdout) as Verdict).thresholds).toEqual([
      { expression: 'model_mismatch:rate<1%', ok: false, value: 1 },
      { expression: 'usage_mismatch:count<1', ok: true, value: 0 },
    ]);
  });

  it('usage_mismatch has no data against a relay that reports no usage: the check fails rather than pass a bill nobody checked', async () => {
    const res = await check(sloppy.url, 'usage_mismatch:count<1');
    expect(res.code).toBe(1);
    expect((JSON.parse(res.stdout) as Verdict).thresholds).toEqual([{ expression: 'usage_mismatch:count<1', ok: false, value: null }]);
  });
});

/**
 * Issue 11 item 2, last clause: a target answering big bodies raised another
 * target's latencies with no saturation warning. The engine's live gauges saw
 * the worker saturated, but check's text, JSON and stderr never said so after
 * the run. A hand-written loopback relay answers 8 MB non-streamed JSON bodies
 * (one huge content string) ten times a second beside an honest `relaymon
 * mock` target; a calm run against the mock alone is the control.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, startMockProcess, SENTINEL_KEY, type CliResult, type MockProcess } from '../helpers/cli.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { expectNoSecret } from '../helpers/probe.js';
import type { RunSaturation } from '../../src/engine/messages.js';

/** Grace period of check (run/defaults.ts DEFAULT_GRACE_MS). */
const GRACE_MS = 10_000;
const BIG = Buffer.from(
  JSON.stringify({
    id: 'x',
    object: 'chat.completion',
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(8 * 1024 * 1024) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1000, total_tokens: 1005 },
  }),
);

let mock: MockProcess;
let big: HostileServer;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-saturation-'));

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '150', '--itl', '5', '--tokens', '20', '--no-jitter']);
  big = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BIG);
  });
});
afterAll(async () => {
  await Promise.all([mock?.stop(), big?.close()]);
});

const LINE = /^check: relaymon itself was saturated for [\d.]+ of [\d.]+ s \(.*\): its timings include its own delay; lower the rate or the answer sizes, or give it more CPU$/m;

interface Run {
  res: CliResult;
  saturation: RunSaturation;
}

async function check(name: string, config: object, durationS: number): Promise<Run> {
  const cfg = join(dir, `${name}.config.json`);
  const summary = join(dir, `${name}.summary.json`);
  writeFileSync(cfg, JSON.stringify(config));
  // Text on stdout and the JSON in --summary: one run shows all three outputs.
  const run = spawnCli(['check', '--config', cfg, '--duration', `${durationS}s`, '--summary', summary], {
    env: { OPENAI_API_KEY: SENTINEL_KEY },
    timeoutMs: durationS * 1000 + GRACE_MS + 20_000,
  });
  const res = await run.exited;
  expectNoSecret(res);
  const json = JSON.parse(readFileSync(summary, 'utf8')) as { saturation: RunSaturation };
  return { res, saturation: json.saturation };
}

const normal = () => ({ baseUrl: mock.url, apiKeyEnv: 'OPENAI_API_KEY' });

describe('relaymon says when it was its own bottleneck', () => {
  it('8 MB answers beside a normal target: a line on stderr, the note in the text, saturation in the JSON; the exit code unchanged', async () => {
    const { res, saturation } = await check(
      'big',
      {
        targets: { normal: normal(), big: { baseUrl: big.url, apiKeyEnv: 'OPENAI_API_KEY' } },
        probes: {
          steady: { model: 'gpt-4o', maxTokens: 20, every: '200ms', targets: ['normal'] },
          huge: { model: 'gpt-4o', every: '100ms', targets: ['big'], stream: false },
        },
      },
      6,
    );
    // Every request succeeded: saturation alone changes no verdict.
    expect(res.code, res.stderr).toBe(0);
    expect(saturation.saturatedMs).toBeGreaterThan(0);
    expect(Math.max(saturation.eventLoopDelayP99MaxMs, saturation.sendLagMaxMs)).toBeGreaterThan(20);
    expect(res.stderr).toMatch(LINE);
    expect(res.stderr.split('\n').filter((l) => l.includes('was saturated'))).toHaveLength(1);
    expect(res.stdout.replace(/\s+/g, ' ')).toContain('relaymon itself was saturated for');
  }, 60_000);

  it('a calm run (small answers at 2/s) says nothing unless its own JSON counted saturation, and then says it everywhere', async () => {
    const { res, saturation } = await check(
      'calm',
      { targets: { normal: normal() }, probes: { steady: { model: 'gpt-4o', maxTokens: 20, rate: '2/s', targets: ['normal'] } } },
      3,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(Object.keys(saturation).sort()).toEqual(['eventLoopDelayP99MaxMs', 'saturatedMs', 'sendLagMaxMs']);
    for (const v of Object.values(saturation)) expect(Number.isFinite(v) && v >= 0).toBe(true);
    // A shared 2-core box may really delay relaymon for a tick; what must hold is that text and JSON agree.
    const said = LINE.test(res.stderr);
    expect(said).toBe(saturation.saturatedMs > 0);
    expect(res.stdout.replace(/\s+/g, ' ').includes('relaymon itself was saturated')).toBe(said);
  }, 60_000);
});

/**
 * Round 18 finding F-budget-1: after a budget stop the guard's "spent" and the
 * run's cost must agree. Requests a relay reset carry no usage: the summary
 * counts them $0, the guard holds them at their worst case (a relay may bill a
 * request it cut off). The stop message says the measured figure, the one the
 * summary and the request log add up to, and the upper bound apart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

let mock: MockProcess | null = null;
afterEach(async () => {
  await mock?.stop();
  mock = null;
});

interface Logged {
  result: { ok: boolean; costUsd: number | null; errorType: string | null; usageSource: string | null; httpStatus: number | null };
}

describe('a budget stop against a relay that resets connections', () => {
  // Streamed, the mock resets halfway through the answer: what arrived is priced (measured), the rest up to
  // max_tokens is held. Not streamed, it resets before any answer: nothing is measured, the worst case is held.
  it.each([
    ['streamed (cut mid-answer)', [] as string[], false],
    ['not streamed (reset before any answer)', ['--no-stream'], true],
  ])('%s: says the measured spend the summary and the log add up to, and the upper bound held for the resets apart', async (_name, extra, beforeAnswer) => {
    mock = await startMockProcess(['--reset-rate', '0.5', '--seed', '7']);
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-budget-reset-'));
    const log = join(dir, 'run.log');
    const budget = 0.0003; // gpt-4o-mini, 16 tokens: $0.0000111 at worst, so ~27 requests
    const res = await runCli(
      ['check', '--base-url', mock.url, '-n', '200', '--every', '5ms', '--model', 'gpt-4o-mini', '--max-tokens', '16', '--budget-usd', String(budget), '--json', '--log', log, ...extra],
      { env: { OPENAI_API_KEY: SENTINEL_KEY } },
    );
    expectNoSecret(res);
    const json = JSON.parse(res.stdout) as { stoppedBy: string; targets: { summary: { costUsd: number | null } }[] };
    expect(json.stoppedBy, res.stderr).toBe('budget');
    const summaryCost = json.targets[0]!.summary.costUsd ?? 0;
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Logged);
    const results = lines.map((l) => l.result);
    const logCost = results.reduce((a, r) => a + (r.costUsd ?? 0), 0);
    expect(logCost).toBeCloseTo(summaryCost, 9);
    const resets = results.filter((r) => r.errorType === 'connection_reset');
    expect(resets.length).toBeGreaterThan(0);
    // Every reset here is a request of unknown cost: no usage reported by the relay.
    expect(resets.every((r) => r.usageSource !== 'reported')).toBe(true);
    // (Streamed, a reset may also come before the client read a token, under load: only the other case is sure.)
    if (beforeAnswer) expect(resets.every((r) => r.costUsd === null)).toBe(true);
    const unknown = results.filter((r) => !r.ok && r.usageSource !== 'reported').length;

    const m = /check: stopped by the budget: spent \$([\d.]+) of \$0\.0003 as priced from the answers, plus \$([\d.]+) held for (\d+) failed requests? of unknown cost/.exec(res.stderr);
    expect(m, res.stderr).not.toBeNull();
    const measured = Number(m![1]);
    const heldUsd = Number(m![2]);
    // Three significant digits: the message's measured spend is the summary's cost.
    expect(Math.abs(measured - summaryCost)).toBeLessThanOrEqual(summaryCost * 0.005 + 1e-12);
    expect(Number(m![3])).toBe(unknown);
    // Each reset is held at its worst case, and the guard never let the two together pass the budget.
    expect(heldUsd).toBeGreaterThan(0);
    expect(summaryCost + heldUsd).toBeLessThanOrEqual(budget * 1.005);
  });
});

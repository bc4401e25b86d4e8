/**
 * Issue 11 item 6 (and the amounts of item 12): the money guard tells the
 * truth. A hand-written loopback relay that counts what it receives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { runCli, SENTINEL_KEY } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Answers every request whole, reporting 10 prompt and `completionTokens` completion tokens. */
function relay(completionTokens = 16): Promise<HostileServer> {
  return startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: completionTokens, total_tokens: 10 + completionTokens },
      }),
    );
  });
}

const env = { OPENAI_API_KEY: SENTINEL_KEY };
const check = (s: HostileServer, ...args: string[]): string[] => ['check', '--base-url', s.url, '--no-stream', '--every', '20ms', ...args];

describe('budget 0', () => {
  it('--budget-usd 0 is a usage error (exit 2) and sends nothing', async () => {
    server = await relay();
    const res = await runCli(check(server, '-n', '3', '--budget-usd', '0'), { env });
    expectNoSecret(res);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--budget-usd 0 would refuse every request');
    expect(server.requests).toHaveLength(0);
  });

  it('budget.usd: 0 in the config is refused the same way', async () => {
    server = await relay();
    const dir = mkdtempSync(join(tmpdir(), 'relaymon-budget-'));
    const config = join(dir, 'relaymon.config.yaml');
    writeFileSync(config, `targets:\n  relay:\n    baseUrl: ${server.url}\n    apiKeyEnv: OPENAI_API_KEY\nbudget:\n  usd: 0\n`);
    const res = await runCli(['check', '--config', config, '-n', '3', '--no-stream'], { env });
    expectNoSecret(res);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('budget.usd: expected a number of dollars above 0');
    expect(server.requests).toHaveLength(0);
  });
});

describe('a refused request names why', () => {
  it('a model with no price: in the stop message and the summary', async () => {
    server = await relay();
    const res = await runCli(check(server, '-n', '3', '--model', 'no-such-model-xyz', '--budget-usd', '0.05'), { env });
    expectNoSecret(res);
    expect(server.requests).toHaveLength(0);
    expect(res.stderr).toContain('check: stopped by the budget: spent $0 of $0.05; no price for model "no-such-model-xyz"');
    // The summary's stop line (stdout) says it too.
    expect(res.stdout.replace(/\s+/g, ' ')).toContain('spent $0 of $0.05; no price for model "no-such-model-xyz"');
  });

  it('probe: a budget that refused every request is not a pass (exit 1, was 0 with "requests": [])', async () => {
    server = await relay();
    const res = await runCli(['probe', '--base-url', server.url, '--no-stream', '-n', '2', '--model', 'no-such-model-xyz', '--budget-usd', '0.05', '--json'], { env });
    expectNoSecret(res);
    expect(server.requests).toHaveLength(0);
    expect(res.stderr).toContain('no price for model "no-such-model-xyz"');
    expect((JSON.parse(res.stdout) as { requests: unknown[] }).requests).toEqual([]);
    expect(res.code).toBe(1);
  });

  it('an absurd --max-tokens: the worst case above what is left', async () => {
    server = await relay();
    const res = await runCli(check(server, '-n', '3', '--model', 'gpt-4o', '--max-tokens', '1000000', '--budget-usd', '0.05', '--json'), { env });
    expectNoSecret(res);
    expect(server.requests).toHaveLength(0);
    const json = JSON.parse(res.stdout) as { stoppedBy: string };
    expect(json.stoppedBy).toBe('budget');
    // gpt-4o output is $10/M: a million tokens could cost $10, far above the $0.05 left.
    expect(res.stderr).toMatch(/a request to "gpt-4o" could cost up to \$10\.0\d+ \(\d+ input tokens, max_tokens 1000000\), above the \$0\.05 left of the \$0\.05 budget \(spent \$0 by then\)/);
  });
});

describe('the amounts', () => {
  it('an overspend in a run that ended for another reason (-n) is still said, on stdout and stderr', async () => {
    server = await relay(100_000);
    const res = await runCli(check(server, '-n', '1', '--model', 'gpt-4o-mini', '--max-tokens', '16', '--budget-usd', '0.05'), { env });
    expectNoSecret(res);
    expect(server.requests).toHaveLength(1);
    const stdout = res.stdout.replace(/\s+/g, ' ');
    expect(stdout).toContain('stopped: the request count was reached');
    expect(stdout).toContain('spent $0.06 of $0.05, over the budget: answers cost more than the worst case the guard allowed for them');
    expect(res.stderr).toContain('check: spent $0.06 of $0.05, over the budget');
  });

  it('a relay that ignores max_tokens: the stop says the spend went over, and never that it could not', async () => {
    // Each answer reports 100,000 completion tokens against max_tokens 16: $0.06 at gpt-4o-mini's $0.60/M, over the whole $0.05.
    server = await relay(100_000);
    const res = await runCli(check(server, '-n', '5', '--model', 'gpt-4o-mini', '--max-tokens', '16', '--max-in-flight', '1', '--budget-usd', '0.05'), { env });
    expectNoSecret(res);
    expect(server.requests).toHaveLength(1); // after the first answer nothing is left to fit a request in
    const stdout = res.stdout.replace(/\s+/g, ' ');
    expect(stdout).not.toContain('no request was sent that could have taken the spend over the budget');
    expect(stdout).toContain('stopped by the budget guard: a request could not be fitted in what was left of the budget');
    expect(stdout).toContain('spent $0.06 of $0.05, over the budget: answers cost more than the worst case the guard allowed for them');
    expect(res.stderr).toContain('check: stopped by the budget: spent $0.06 of $0.05, over the budget');
    // The refusal's own figure is the spend when it was refused, and says so.
    expect(res.stderr).toContain('(spent $0.06 by then)');
  });

  it('a small budget shows what was spent with its digits, not "$0.0000 of $0.00005"', async () => {
    server = await relay();
    const res = await runCli(check(server, '-n', '50', '--model', 'gpt-4o-mini', '--max-tokens', '16', '--budget-usd', '0.00005'), { env });
    expectNoSecret(res);
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    // Each request reports 10 + 16 tokens at gpt-4o-mini's list price: $0.0000111.
    const spent = (sent * (10 * 0.15 + 16 * 0.6)) / 1e6;
    const m = /check: stopped by the budget: spent \$(0\.0000\d+) of \$0\.00005\b/.exec(res.stderr);
    expect(m, res.stderr).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(spent, 7);
  });
});

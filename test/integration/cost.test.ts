/** `relaymon cost --mix` through the real CLI: list price × multiplier × measured usage ratio. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import type { CostProjection } from '../../src/cost/cost-mix.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-cost-'));
const mix = join(dir, 'mix.yaml');
const prices = join(dir, 'prices.json');
const cfg = join(dir, 'relaymon.config.yaml');
let inflated: MockProcess;
let honest: MockProcess;

beforeAll(async () => {
  [inflated, honest] = await Promise.all([
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '20', '--inflate-usage', '1.5']),
    startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '20']),
  ]);
  writeFileSync(mix, '# tokens a month\nmodel-a: { input: 10M, output: 1M }\nmodel-b: { input: 100_000_000, output: 10M }\n');
  writeFileSync(prices, JSON.stringify({ 'model-a': { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6 }, 'model-b': { input_cost_per_token: 1e-7, output_cost_per_token: 4e-7 } }));
  // The keys are never read by cost: an unset RELAY_KEY must not stop a projection.
  writeFileSync(
    cfg,
    `targets:\n  relay:\n    baseUrl: ${inflated.url}\n    apiKeyEnv: RELAY_KEY\n    priceMultiplier: 0.5\n  direct:\n    baseUrl: ${honest.url}\n    apiKeyEnv: RELAY_KEY\nprices: ./prices.json\n`,
  );
});
afterAll(() => Promise.all([inflated, honest].map((m) => m?.stop())));

type CostJson = CostProjection & { command: string };

describe('relaymon cost --mix', () => {
  it('projects each target at list price × its multiplier; without measurements the ratios are assumed 1', async () => {
    const res = await runCli(['cost', '--config', cfg, '--mix', mix, '--json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as CostJson;
    expect(json.command).toBe('cost');
    expect(json.targets.map((t) => [t.name, t.monthlyUsd, t.usageRatio.measured])).toEqual([
      ['relay', expect.closeTo(14, 9), false],
      ['direct', expect.closeTo(28, 9), false],
    ]);
    expect(json.cheapest).toBe('relay');
    expect(json.savings).toEqual([{ target: 'direct', cheapest: 'relay', monthlyUsd: expect.closeTo(14, 9), fraction: expect.closeTo(0.5, 9) }]);
  });

  it('with usage ratios measured by compare, the relay that bills 1.5x the output tokens loses part of its discount', async () => {
    const measured = join(dir, 'compare.json');
    const cmp = await runCli(['compare', '--config', cfg, '--targets', 'relay,direct', '-n', '8', '--every', '30ms', '--model', 'gpt-4o', '--summary', measured], {
      env: { RELAY_KEY: SENTINEL_KEY },
    });
    expect(cmp.code).toBe(0);
    const res = await runCli(['cost', '--config', cfg, '--mix', mix, '--from', measured]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^relay\s+0\.50\s+1\.00 \/ 1\.50 \(measured\)\s+\$16\.00$/m);
    expect(res.stdout).toMatch(/^direct\s+1\.00\s+1\.00 \/ 1\.00 \(measured\)\s+\$28\.00$/m);
    expect(res.stdout).toContain('relay saves $12.00 a month against direct (43% of its bill).');
    expect(res.stdout).toMatch(/^model-a\s+10\.0M\s+1\.0M\s+\$8\.00\s+\$14\.00$/m);
  });

  it('reads measurements from a request log too', async () => {
    const log = join(dir, 'run.log');
    const check = await runCli(['check', '--config', cfg, '--target', 'relay', '-n', '3', '--every', '30ms', '--model', 'gpt-4o', '--log', log], {
      env: { RELAY_KEY: SENTINEL_KEY },
    });
    expect(check.code).toBe(0);
    const res = await runCli(['cost', '--config', cfg, '--mix', mix, '--from', log, '--targets', 'relay', '--json']);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as CostJson).targets).toMatchObject([{ name: 'relay', usageRatio: { input: 1, output: 1.5, measured: true } }]);
  });

  it('without a config: one row at list price', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'relaymon-cost-empty-'));
    const res = await runCli(['cost', '--mix', mix, '--prices', prices], { cwd: empty });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^list price\s+1\.00\s+1\.00 \/ 1\.00 \(assumed\)\s+\$28\.00$/m);
  });

  it('without a config but with --from: the measured targets, at list price, say so (the measurements are not ignored)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'relaymon-cost-from-'));
    const res = await runCli(['cost', '--mix', mix, '--prices', prices, '--from', join(dir, 'compare.json')], { cwd: empty });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('no config file found');
    expect(res.stdout).toMatch(/^relay\s+1\.00\s+1\.00 \/ 1\.50 \(measured\)/m);
    expect(res.stdout).toMatch(/^direct\s+1\.00\s+1\.00 \/ 1\.00 \(measured\)/m);
  });

  it('absurd numbers in --from, --prices or a priceMultiplier are exit 2 naming file, field and value, never a bill shown as "unpriced"', async () => {
    const log = join(dir, 'absurd.log');
    const entry = (inputTokens: string): string => `{"v":1,"t":0,"target":"relay","result":{"target":"relay","inputTokens":${inputTokens},"localInputTokens":10,"outputTokens":10,"localOutputTokens":10,"usageGapTokens":0,"localCountKind":"exact"}}`;
    writeFileSync(log, `${entry('10')}\n${entry('1e300')}\n`);
    const r1 = await runCli(['cost', '--config', cfg, '--mix', mix, '--from', log]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`${log}: line 2: result.inputTokens is 1e300; expected a count of tokens from 0 to 1000000000000000 (10^15)`);
    expect(r1.stdout).toBe('');
    writeFileSync(log, `${entry('-1e9')}\n`);
    const r2 = await runCli(['cost', '--config', cfg, '--mix', mix, '--from', log]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('line 1: result.inputTokens is -1e9;');
    const dear = join(dir, 'dear.json');
    writeFileSync(dear, JSON.stringify({ 'model-a': { input_cost_per_token: 1e300, output_cost_per_token: 1e-6 } }));
    const r3 = await runCli(['cost', '--config', cfg, '--mix', mix, '--prices', dear]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`prices file ${dear}: "model-a".input_cost_per_token is 1e+300 USD per token; at most 1`);
    const pm = join(dir, 'pm.yaml');
    writeFileSync(pm, `targets:\n  x:\n    baseUrl: ${honest.url}\n    priceMultiplier: 1e308\n`);
    const r4 = await runCli(['cost', '--config', pm, '--mix', mix]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('targets.x.priceMultiplier: expected at most 1000');
  });

  it('bad input is a usage error (exit 2) with a clear message', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'model-a: { input: plenty }\n');
    const r1 = await runCli(['cost', '--config', cfg, '--mix', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('model-a.input: expected a number of tokens');
    const r2 = await runCli(['cost', '--config', cfg, '--mix', join(dir, 'missing.yaml')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('cannot read mix file');
    const r3 = await runCli(['cost', '--config', cfg]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('--mix');
    const r4 = await runCli(['cost', '--config', cfg, '--mix', mix, '--targets', 'nope']);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('unknown target "nope"');
    // A wrong path is not read to the end: /dev/zero stops at the limit; too many models are named.
    const r5 = await runCli(['cost', '--config', cfg, '--mix', '/dev/zero'], { timeoutMs: 10_000 });
    expect(r5.code).toBe(2);
    expect(r5.stderr).toContain('/dev/zero: the mix file is larger than 1 MiB');
    const many = join(dir, 'many.yaml');
    writeFileSync(many, Array.from({ length: 5000 }, (_, i) => `m${i}: { input: 1, output: 1 }\n`).join(''));
    const r6 = await runCli(['cost', '--config', cfg, '--mix', many]);
    expect(r6.code).toBe(2);
    expect(r6.stderr).toContain('the mix names 5000 models; at most 1000');
    // An absurd count is refused before any bill is made (1e308 tokens made it Infinity, the saving NaN).
    const absurd = join(dir, 'absurd.yaml');
    writeFileSync(absurd, 'model-a: { input: 1e308, output: 1M }\n');
    const r7 = await runCli(['cost', '--config', cfg, '--mix', absurd, '--json']);
    expect(r7.code).toBe(2);
    expect(r7.stderr).toContain('absurd.yaml: model-a.input: 1e308 tokens per month is more than any real traffic; at most 1000000000000000 (10^15) per model');
    expect(r7.stdout).toBe('');
    const help = await runCli(['cost', '--help']);
    expect(help.stdout).toContain('relaymon cost --mix mix.yaml --from compare.json');
  });
});

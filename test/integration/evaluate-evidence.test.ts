/**
 * `relaymon evaluate` is never more confident than its evidence (README
 * "Deciding on a relay"), through the real CLI against `relaymon mock`
 * processes on 127.0.0.1: a wrong key everywhere (both mocks answer 401) is
 * not_ready, not "ready_with_caveats, exit 0"; a relay that mangles every
 * tool call's arguments fails on its probe checks with conform: none; a
 * non-streamed relay that never reports usage gets named caveats (billing not
 * judged, TTFT not measured) and a mix model the reference lacks too is a
 * caveat; the flags of a hand-described target are refused.
 *
 * The request budget: the 401 pair 1 GET + the suite (10) + 6 probes each;
 * the tools pair 1 + 8 each (conform none); the usage pair 1 + 12 each. All
 * at mock prices, nothing leaves the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { evaluateSchema, type EvaluateOutput } from '../../src/export/contracts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-evaluate-evidence-'));
const FAST = ['--itl', '1', '--ttft', '5', '--tokens', '8', '--seed', '3'];
let ref: MockProcess;
let denyA: MockProcess;
let denyB: MockProcess;
let mangle: MockProcess;
let drop: MockProcess;
let cfg: string;
let cfgNone: string;

beforeAll(async () => {
  [ref, denyA, denyB, mangle, drop] = await Promise.all([
    startMockProcess(FAST),
    startMockProcess(['--status', '401', ...FAST]),
    startMockProcess(['--status', '401', ...FAST]),
    startMockProcess(['--mangle-tool-calls', 'args', ...FAST]),
    startMockProcess(['--drop-usage', '1', ...FAST]),
  ]);
  const target = (name: string, m: MockProcess) => `  ${name}:\n    baseUrl: ${m.url}\n    apiKeyEnv: RELAY_KEY\n`;
  const targets = `targets:\n${target('ref', ref)}${target('denyA', denyA)}${target('denyB', denyB)}${target('mangle', mangle)}${target('drop', drop)}`;
  cfg = join(dir, 'relaymon.config.yaml');
  writeFileSync(cfg, targets);
  cfgNone = join(dir, 'conform-none.yaml');
  writeFileSync(cfgNone, `${targets}evaluate:\n  require:\n    conform: none\n`);
});
afterAll(() => Promise.all([ref, denyA, denyB, mangle, drop].map((m) => m?.stop())));

const evaluate = (args: string[], config: string): Promise<CliResult> =>
  runCli(['evaluate', '--config', config, ...args], { env: { RELAY_KEY: SENTINEL_KEY }, timeoutMs: 60_000 });

function parse(res: CliResult): EvaluateOutput {
  return evaluateSchema.parse(JSON.parse(res.stdout)) as EvaluateOutput;
}

describe('relaymon evaluate: the verdict follows the evidence', () => {
  it('every request refused (401) on both sides: not_ready with "nothing measured", the unjudged checks named; exit 1', async () => {
    const res = await evaluate(['--targets', 'denyA,denyB', '-n', '6', '--every', '20ms', '--json'], cfg);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(1);
    const [c] = parse(res).candidates;
    expect(c!.verdict).toBe('not_ready');
    expect(c!.reasons).toContainEqual(expect.objectContaining({ rule: 'notJudged', message: 'no successful answer in the comparison, nor on the reference: nothing measured', size: 6 }));
    expect(c!.reasons.find((r) => r.rule === 'notJudged')!.evidence).toMatch(/^6 of 6 requests failed \(auth ×6\)/);
    // The suite's checks that got no answer are each said, not just counted.
    const unjudged = c!.caveats.filter((x) => x.rule === 'notJudged' && /^conform \w+ not judged$/.test(x.message));
    expect(unjudged.length).toBeGreaterThanOrEqual(5);
    expect(unjudged[0]!.evidence).toMatch(/request failed: HTTP 401/);
  }, 60_000);

  it('tool calls with broken arguments fail on the probe checks, with conform: none', async () => {
    const res = await evaluate(['--targets', 'ref,mangle', '--kind', 'tools', '-n', '8', '--every', '20ms', '--json'], cfgNone);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(1);
    const [c] = parse(res).candidates;
    expect(c!.verdict).toBe('not_ready');
    const reason = c!.reasons.find((r) => r.message === 'probe check tool_args_json fails');
    expect(reason, JSON.stringify(c!.reasons)).toMatchObject({ rule: 'probeChecks', size: 8, unit: 'count' });
    expect(reason!.evidence).toMatch(/^failed on 8 of 8 answers \(reference: 0 of 8\)/);
  }, 60_000);

  it('non-streamed, no usage: billing not judged and TTFT not measured are named; a mix model nobody serves is a caveat', async () => {
    const mix = join(dir, 'mix-unknown.yaml');
    writeFileSync(mix, 'nonexistent-model-x: { input: 1000, output: 10 }\n');
    const res = await evaluate(['--targets', 'ref,drop', '--no-stream', '-n', '12', '--every', '20ms', '--mix', mix, '--json'], cfgNone);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(0);
    const [c] = parse(res).candidates;
    expect(c!.verdict).toBe('ready_with_caveats');
    expect(c!.reasons).toEqual([]);
    const messages = c!.caveats.map((x) => x.message);
    expect(messages).toContain('billing gap not judged: no usage in 12/12 answers');
    expect(messages).toContain('TTFT p95 not measured: non-streamed answers have no TTFT');
    expect(messages).toContain('does not serve nonexistent-model-x, nor does the reference');
    expect(messages.filter((m) => m.includes('too few successful answers'))).toEqual([]);
  }, 60_000);

  it('refuses the flags of a hand-described target and does not offer them; the plan counts whole requests', async () => {
    const res = await evaluate(['--targets', 'ref,drop', '--base-url', 'http://127.0.0.1:9/v1'], cfgNone);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/evaluate takes its targets from the config, not --base-url/);
    const help = await runCli(['evaluate', '--help']);
    expect(help.stdout).not.toContain('--base-url');
    expect(help.stdout).not.toContain('--api-key-env');
    const dry = await evaluate(['--targets', 'ref,drop', '-d', '1ms', '--every', '20ms', '--dry-run'], cfgNone);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^total \d+ requests, /m);
  }, 60_000);
});

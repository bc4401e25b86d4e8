/**
 * `relaymon evaluate` through the real CLI against four `relaymon mock`
 * processes on 127.0.0.1: a reference, an honest candidate at list price
 * (priceMultiplier 1, the reference's own knobs and seed, so it draws the
 * same delays), a cheaper one (priceMultiplier 0.6) whose TTFT has a heavy
 * tail (--scenario slow-tail: lognormal, p99 ~10x the median; its p95 was
 * 2.5 s against the reference's 0.3 s, the excess's interval [+370%, +930%],
 * far above the 20% warn), and one that bills 1.5x the output tokens and
 * leaves usage out of half its answers (--inflate-usage 1.5 --drop-usage 0.5).
 *
 * The request budget, stated and checked at the mocks: each target gets
 * 1 GET /models + the conform suite (10 requests) + 30 comparison probes,
 * 41 requests, 164 in all; worst case ~$0.03 at gpt-4o-mini's list price,
 * under --budget-usd 0.05. The verdicts must not depend on the machine's
 * load: both tails are judged against the reference measured at the same
 * instants, and the margins above are an order of magnitude.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockRequestCount, runCli, SENTINEL_KEY, spawnCli, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { embeddedData, resourceFetches } from '../helpers/report.js';
import { evaluateSchema, type EvaluateOutput } from '../../src/export/contracts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-evaluate-'));
const BASE = ['--itl', '3', '--tokens', '16', '--seed', '5'];
let direct: MockProcess;
let honest: MockProcess;
let cheap: MockProcess;
let sly: MockProcess;
let cfg: string;
let mix: string;

beforeAll(async () => {
  [direct, honest, cheap, sly] = await Promise.all([
    startMockProcess(['--jitter', ...BASE]),
    startMockProcess(['--jitter', ...BASE]),
    startMockProcess(['--scenario', 'slow-tail', ...BASE]),
    startMockProcess(['--jitter', '--inflate-usage', '1.5', '--drop-usage', '0.5', ...BASE]),
  ]);
  const target = (name: string, m: MockProcess, multiplier: number) =>
    `  ${name}:\n    baseUrl: ${m.url}\n    apiKeyEnv: RELAY_KEY\n    priceMultiplier: ${multiplier}\n    concurrency: 32\n`;
  cfg = join(dir, 'relaymon.config.yaml');
  writeFileSync(cfg, `targets:\n${target('direct', direct, 1)}${target('honest', honest, 1)}${target('cheap', cheap, 0.6)}${target('sly', sly, 0.5)}`);
  mix = join(dir, 'mix.yaml');
  writeFileSync(mix, 'gpt-4o-mini: { input: 200M, output: 40M }\ngpt-4o: { input: 50M, output: 10M }\n');
});
afterAll(() => Promise.all([direct, honest, cheap, sly].map((m) => m?.stop())));

const evaluate = (args: string[], config = cfg): Promise<CliResult> =>
  runCli(['evaluate', '--config', config, ...args], { env: { RELAY_KEY: SENTINEL_KEY }, timeoutMs: 60_000 });

const counts = () => Promise.all([direct, honest, cheap, sly].map((m) => mockRequestCount(m)));

describe('relaymon evaluate', () => {
  it('--dry-run lists each phase, its requests and the worst case, and sends nothing', async () => {
    const before = await counts();
    const res = await evaluate(['--targets', 'direct,honest,cheap,sly', '--mix', mix, '--dry-run']);
    expectNoSecret(res);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/models\s+4 requests/);
    expect(res.stdout).toMatch(/conform\s+40 requests/);
    expect(res.stdout).toMatch(/compare\s+120 requests/);
    expect(res.stdout).toMatch(/total 164 requests, worst case \$0\.0\d+/);
    expect(await counts()).toEqual(before);
  });

  it('names the honest relay ready, the cheap one with a TTFT tail ready_with_caveats (with its size), the inflating one not_ready (billing, conformance)', async () => {
    const before = await counts();
    const summary = join(dir, 'evaluate.json');
    const report = join(dir, 'evaluate.html');
    const res = await evaluate(['--targets', 'direct,honest,cheap,sly', '--mix', mix, '-n', '30', '--every', '100ms', '--seed', '7', '--budget-usd', '0.05', '--json', '--summary', summary, '--report', report]);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(1);
    // The worst case is said before anything is sent.
    expect(res.stderr).toMatch(/^evaluate: 164 requests over 3 phases, worst case \$0\.0\d+ .*; budget \$0\.05\n/);
    const json = evaluateSchema.parse(JSON.parse(res.stdout)) as EvaluateOutput;
    expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual(JSON.parse(res.stdout));
    expect(readFileSync(summary, 'utf8')).not.toContain(SENTINEL_KEY);
    expect(json.seed).toBe(7);
    expect(json.plan.requests).toBe(164);
    expect(json.spentUsd).toBeLessThanOrEqual(0.05);
    const by = Object.fromEntries(json.candidates.map((c) => [c.name, c]));
    expect(json.candidates.map((c) => [c.name, c.verdict])).toEqual([
      ['honest', 'ready'],
      ['cheap', 'ready_with_caveats'],
      ['sly', 'not_ready'],
    ]);
    expect(by['honest']!.reasons).toEqual([]);
    expect(by['honest']!.caveats).toEqual([]);

    const cheapTail = by['cheap']!.caveats.find((c) => c.rule === 'ttftP95WithinPct')!;
    expect(cheapTail.unit).toBe('%');
    expect(cheapTail.size!).toBeGreaterThan(100);
    expect(cheapTail.message).toMatch(/^TTFT p95 \+\d+% over the reference \(limit \+20%\)$/);
    expect(by['cheap']!.reasons).toEqual([]);
    expect(by['cheap']!.tails.ttft!.low).toBeGreaterThan(0.2);
    expect(by['cheap']!.cost!.savingFraction!).toBeCloseTo(0.4, 2);

    const slyRules = by['sly']!.reasons.map((r) => r.rule);
    expect(slyRules).toContain('billingGapPct');
    expect(slyRules).toContain('streamConformance');
    const billing = by['sly']!.reasons.find((r) => r.rule === 'billingGapPct')!;
    // 1.5x the output tokens, input honest: about +30% of all tokens.
    expect(billing.size!).toBeGreaterThan(15);
    expect(billing.evidence).toMatch(/billed\/counted output 1\.5/);
    expect(by['sly']!.cost!.usageRatio).toMatchObject({ output: 1.5, measured: true });

    // The stated budget of requests, counted by the mocks themselves: 1 + 10 + 30 each.
    const after = await counts();
    expect(after.map((n, i) => n - before[i]!)).toEqual([41, 41, 41, 41]);

    const html = readFileSync(report, 'utf8');
    expect(html).not.toContain(SENTINEL_KEY);
    expect(resourceFetches(html)).toEqual([]);
    for (const name of ['honest', 'cheap', 'sly']) expect(html).toContain(`id="candidate-${name}"`);
    expect(html).toContain('ready_with_caveats');
    expect(html).toContain(cheapTail.message);
    const ids = embeddedData(html).charts.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['ev0-dist-ttft', 'ev1-dist-ttft', 'ev2-dist-ttft']));

    // relaymon report takes the evaluate file too: the tables, no charts.
    const fromFile = join(dir, 'from-file.html');
    const rep = await runCli(['report', summary, '-o', fromFile]);
    expect(rep.code, rep.stderr).toBe(0);
    const html2 = readFileSync(fromFile, 'utf8');
    expect(html2).toContain('id="candidate-sly"');
    expect(html2).toContain('exit code 1');
  }, 90_000);

  it('text: each verdict, each reason and caveat with its evidence, and the line of verdicts', async () => {
    const res = await evaluate(['--targets', 'direct,cheap', '-n', '30', '--every', '100ms', '--seed', '7']);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^cheap {2}ready_with_caveats$/m);
    expect(res.stdout).toMatch(/caveat +TTFT p95 \+\d+% over the reference \(limit \+20%\) {2}\[ttftP95WithinPct\]\n +\d\.\d+s vs \d+ms; 95% interval of the excess \[\+\d+%, \+\d+%\], n=30\/30/);
    expect(res.stdout).toContain('verdicts: cheap ready_with_caveats; exit 0');
  }, 60_000);

  it('bad inputs: exit 2 with a message, nothing sent', async () => {
    const before = await counts();
    const cases: [string[], RegExp, string?][] = [
      [['--targets', 'direct,nope'], /unknown target "nope"; \S*relaymon\.config\.yaml defines: direct, honest, cheap, sly/],
      [['--targets', 'direct'], /evaluate needs a reference and at least one candidate/],
      [['--targets', 'direct,honest', '--mix', join(dir, 'missing.yaml')], /cannot read mix file .*missing\.yaml/],
      // A device is read no further than the mix limit (cost/mix-file.ts), not to the end of memory.
      [['--targets', 'direct,honest', '--mix', '/dev/zero'], /the mix file is larger than 1 MiB/],
    ];
    const badMix = join(dir, 'bad-mix.yaml');
    writeFileSync(badMix, 'gpt-4o: { input: lots }\n');
    cases.push([['--targets', 'direct,honest', '--mix', badMix], /bad-mix\.yaml: gpt-4o\.input: expected a number of tokens per month/]);
    const absurdMix = join(dir, 'absurd-mix.yaml');
    writeFileSync(absurdMix, 'gpt-4o: { input: 50M, output: 1e308 }\n');
    cases.push([['--targets', 'direct,honest', '--mix', absurdMix], /absurd-mix\.yaml: gpt-4o\.output: 1e308 tokens per month is more than any real traffic/]);
    const badRules = join(dir, 'bad-rules.yaml');
    writeFileSync(badRules, `${readFileSync(cfg, 'utf8')}evaluate:\n  require:\n    billingGapPct: -3\n`);
    cases.push([['--targets', 'direct,honest'], /evaluate\.require\.billingGapPct: expected a percentage of at least 0/, badRules]);
    const badCheck = join(dir, 'bad-check.yaml');
    writeFileSync(badCheck, `${readFileSync(cfg, 'utf8')}evaluate:\n  require:\n    conform: [usage_present, no_such_check]\n`);
    cases.push([['--targets', 'direct,honest'], /evaluate\.require\.conform\[1\]: expected one of usage_present.*got "no_such_check"/, badCheck]);
    for (const [args, message, config] of cases) {
      const res = await evaluate(args, config);
      expectNoSecret(res);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).toBe('');
    }
    expect(await counts()).toEqual(before);
  }, 60_000);

  it('a reference with no HTTP answer: exit 3, nothing else sent', async () => {
    const down = join(dir, 'down.yaml');
    writeFileSync(down, `targets:\n  direct:\n    baseUrl: http://127.0.0.1:9/v1\n    apiKeyEnv: RELAY_KEY\n  honest:\n    baseUrl: ${honest.url}\n    apiKeyEnv: RELAY_KEY\n`);
    const before = await mockRequestCount(honest);
    const res = await evaluate(['--targets', 'direct,honest'], down);
    expectNoSecret(res);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/the reference direct gave no HTTP answer \(connection_refused/);
    // Its model list only: one GET, then nothing.
    expect((await mockRequestCount(honest)) - before).toBe(1);
  }, 30_000);
  it('--budget-usd covers every phase: what the guard refuses is said, and the spend stays within it', async () => {
    const before = await counts();
    // The suite's reasoning request alone could cost $0.0068 (1,536 tokens of o4-mini): above the whole budget, refused on both
    // sides; the rest of both suites (~$0.0033 worst case) and the 40 probes (~$0.0004) always fit, whatever is in flight.
    const res = await evaluate(['--targets', 'direct,honest', '-n', '20', '--every', '50ms', '--budget-usd', '0.006', '--json']);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/budget \$0\.006\n/);
    expect(res.stderr).toMatch(/the spend guard refused 2 conform requests: their checks are n\/a/);
    const json = evaluateSchema.parse(JSON.parse(res.stdout)) as EvaluateOutput;
    expect(json.spentUsd).toBeGreaterThan(0);
    expect(json.spentUsd).toBeLessThanOrEqual(0.006);
    expect(json.conform!.targets.map((t) => t.checks.find((c) => c.name === 'reasoning_passthrough')!.status)).toEqual(['n/a', 'n/a']);
    // Refused on both sides is still not judged: a named caveat, not silence (the verdict cannot be a plain "ready").
    const honestVerdict = json.candidates[0]!;
    expect(honestVerdict.verdict).toBe('ready_with_caveats');
    const unjudged = honestVerdict.caveats.find((c) => c.message === 'conform reasoning_passthrough not judged');
    expect(unjudged, JSON.stringify(honestVerdict.caveats)).toMatchObject({ rule: 'notJudged' });
    expect(unjudged!.evidence).toMatch(/not sent: .*; not judged on the reference either$/);
    const after = await counts();
    // 1 GET + 9 of the suite's 10 + 20 probes each; nothing retried.
    expect(after.map((n, i) => n - before[i]!).slice(0, 2)).toEqual([30, 30]);
  }, 60_000);

  it('Ctrl-C during the comparison: exit 130, the verdicts so far still printed, marked partial, the last line saying exit 130', async () => {
    const before = await mockRequestCount(honest);
    const run = spawnCli(['evaluate', '--config', cfg, '--targets', 'direct,honest', '-n', '500', '--every', '100ms'], { env: { RELAY_KEY: SENTINEL_KEY }, timeoutMs: 60_000 });
    // Its GET /models and the suite's 10 requests, then a few probes: the comparison is under way.
    const start = Date.now();
    while ((await mockRequestCount(honest)) - before < 1 + 10 + 5 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGINT');
    const res = await run.exited;
    expectNoSecret(res);
    expect(res.code).toBe(130);
    expect(res.stdout).toMatch(/^honest {2}ready_with_caveats$/m);
    expect(res.stdout).toMatch(/caveat +comparison interrupted: partial {2}\[notJudged\]\n +\d+ of 500 planned requests sent to honest/);
    expect(res.stdout).toMatch(/^verdicts: honest ready_with_caveats \(interrupted: a partial comparison\); exit 130$/m);
    expect(res.stdout).not.toContain('exit 0');
  }, 60_000);
});

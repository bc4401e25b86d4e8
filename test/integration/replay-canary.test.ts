/**
 * replay's canary split (issue 16 item 2) against real `relaymon mock`
 * processes on 127.0.0.1: --split shares within binomial tolerance and
 * reproducible by seed; --ramp with --abort-on-fail stopping at the step where
 * the candidate's staged incident (mock --incident-at) starts, and completing
 * without it; every bad input of the new flags refused (exit 2, nothing sent);
 * the key in no output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockRequestCount, runCli, SENTINEL_KEY, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { schemaErrors } from '../contracts/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-canary-'));
const FAST = ['--ttft', '0', '--itl', '0', '--tokens', '2'];
const env = { OPENAI_API_KEY: SENTINEL_KEY };

let direct: MockProcess;
let relay: MockProcess;

function config(name: string, directUrl: string, relayUrl: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `targets:\n  direct:\n    baseUrl: ${directUrl}\n    apiKeyEnv: OPENAI_API_KEY\n    concurrency: 32\n` +
      `  relay:\n    baseUrl: ${relayUrl}\n    apiKeyEnv: OPENAI_API_KEY\n    concurrency: 32\n`,
  );
  return path;
}

/** n distinct lines, so a request log tells which line went where. */
function traffic(name: string, n: number): string {
  const path = join(dir, name);
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `line ${i}` }], max_tokens: 4 }));
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

interface CanaryJson {
  stoppedBy: string | null;
  durationMs: number;
  measuredMs: number;
  targets: { name: string; summary: { requests: number } | null }[];
  split: { target: string; weight: number; share: number; sent: number }[];
  canary: {
    candidate: string;
    seed: number;
    ramp: { sharesPct: number[]; stepMs: number; stepReached: number; steps: number; held?: { step: number; results: number; needed: number } | null } | null;
    abort: { step: number | null; threshold: string; value: number | null } | null;
  };
}

/** The run summary, valid against schema/run-summary.schema.json (its split and canary included). */
function parse(res: CliResult): CanaryJson {
  let json: unknown;
  try {
    json = JSON.parse(res.stdout);
  } catch {
    throw new Error(`no JSON (exit ${res.code}): ${res.stdout}\n${res.stderr}`);
  }
  expect(schemaErrors('run-summary', json)).toEqual([]);
  return json as CanaryJson;
}

/** Which target each line went to, from a request log (line text → target). */
function routing(logPath: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of readFileSync(logPath, 'utf8').split('\n')) {
    if (text === '') continue;
    expect(text).not.toContain(SENTINEL_KEY);
    const line = JSON.parse(text) as { target: string; body: { messages: { content: string }[] } };
    out.set(line.body.messages[0]!.content, line.target);
  }
  return out;
}

beforeAll(async () => {
  [direct, relay] = await Promise.all([startMockProcess([...FAST, '--seed', '1']), startMockProcess([...FAST, '--seed', '2'])]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), relay?.stop()]);
});

describe('replay --split', () => {
  it("sends each target its share within ±4σ, the mocks' own counts agree, and the same seed routes the same lines the same way", async () => {
    const N = 2000;
    const cfg = config('split.yaml', direct.url, relay.url);
    const file = traffic('split.jsonl', N);
    const [d0, r0] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    const run = async (seed: number, log: string) => {
      const res = await runCli(
        ['replay', file, '--config', cfg, '--split', 'direct=70,relay=30', '--seed', String(seed), '-c', '16', '--json', '--log', log, '--no-default-thresholds'],
        { env, timeoutMs: 90_000 },
      );
      expectNoSecret(res);
      expect(res.code, res.stderr).toBe(0);
      return { res, json: parse(res) };
    };
    const a = await run(11, join(dir, 'a.log'));
    const [d1, r1] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    const sent = Object.fromEntries(a.json.split.map((s) => [s.target, s.sent]));
    expect(sent['direct']! + sent['relay']!).toBe(N); // each line to ONE target
    const sigma = Math.sqrt(N * 0.3 * 0.7);
    expect(Math.abs(sent['relay']! - N * 0.3)).toBeLessThan(4 * sigma);
    // What the relays themselves saw.
    expect(d1 - d0).toBe(sent['direct']);
    expect(r1 - r0).toBe(sent['relay']);
    expect(a.json.split.map((s) => [s.target, s.weight, s.share])).toEqual([
      ['direct', 70, 0.7],
      ['relay', 30, 0.3],
    ]);
    expect(a.json.canary).toMatchObject({ candidate: 'relay', seed: 11, ramp: null, abort: null });
    expect(a.res.stderr).toContain('replay: each line to one target: direct 70%, relay 30% (seed 11)');

    const b = await run(11, join(dir, 'b.log'));
    const c = await run(12, join(dir, 'c.log'));
    expect(c.json.canary.seed).toBe(12);
    const ra = routing(join(dir, 'a.log'));
    expect(ra.size).toBe(N);
    expect(routing(join(dir, 'b.log'))).toEqual(ra);
    expect(b.json.split).toEqual(a.json.split);
    // Another seed, another routing (of 2000 lines, hundreds differ).
    const rc = routing(join(dir, 'c.log'));
    const differ = [...ra].filter(([line, target]) => rc.get(line) !== target).length;
    expect(differ).toBeGreaterThan(N * 0.2);
  }, 240_000);

  it.each([
    ['open loop', ['--rate', '200/s']],
    ['closed loop', ['-c', '4']],
  ])('-n N with --split is N lines in all, each sent once (%s)', async (_kind, mode) => {
    const cfg = config('n.yaml', direct.url, relay.url);
    const [d0, r0] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    const res = await runCli(['replay', traffic('n.jsonl', 5), '--config', cfg, ...mode, '--loop', '-n', '30', '--split', 'direct=1,relay=1', '--seed', '2', '--json'], {
      env,
      timeoutMs: 60_000,
    });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(0);
    const json = parse(res);
    expect(json.stoppedBy).toBe('requests');
    expect(json.split.reduce((a, s) => a + s.sent, 0)).toBe(30);
    const [d1, r1] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    expect(d1 - d0 + (r1 - r0)).toBe(30);
  }, 60_000);

  it('the text says the split and each side\'s sends', async () => {
    const cfg = config('text.yaml', direct.url, relay.url);
    const res = await runCli(['replay', traffic('text.jsonl', 40), '--config', cfg, '--split', 'direct=1,relay=1', '--seed', '3', '-c', '4'], { env, timeoutMs: 60_000 });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/split \(seed 3; candidate relay\): direct \d+ sent \([\d.]+%; share 50%\), relay \d+ sent/);
  }, 60_000);
});

describe('replay --ramp --abort-on-fail', () => {
  // Steps of 4 s; the candidate's incident starts 7 s after its mock does. The replay starts after the
  // mock (its process start, the warm-up: d seconds), so the incident falls at 7 - d s into the plan:
  // step 2 (4-8 s) for any d in (-1, 3] s, the slack a loaded 2-core machine needs.
  it('stops (exit 1) at the step where the candidate\'s staged incident starts', async () => {
    const sick = await startMockProcess([...FAST, '--seed', '4', '--incident-at', '7s', '--incident-for', '60s']);
    const mockUp = Date.now();
    try {
      const cfg = config('ramp-abort.yaml', direct.url, sick.url);
      const res = await runCli(
        ['replay', traffic('ramp.jsonl', 50), '--config', cfg, '--rate', '100/s', '--constant', '--split', 'direct=1,relay=1', '--ramp', '10,50,100', '--step', '4s', '--abort-on-fail', '--seed', '5', '--json'],
        { env, timeoutMs: 60_000 },
      );
      expectNoSecret(res);
      const json = parse(res);
      const startLag = Date.parse((JSON.parse(res.stdout) as { startedAt: string }).startedAt) - mockUp;
      expect(startLag, 'the replay started too late after the mock for the staged timing').toBeLessThan(3000);
      expect(res.code, res.stderr).toBe(1);
      expect(json.stoppedBy).toBe('abortOnFail');
      expect(json.canary.ramp).toMatchObject({ sharesPct: [10, 50, 100], stepMs: 4000, stepReached: 2, steps: 3 });
      expect(json.canary.abort).toMatchObject({ step: 2, threshold: 'errors:rate<0.05' });
      // The threshold is rate<0.05, so it fails at exactly 0.05 too.
      expect(json.canary.abort!.value).toBeGreaterThanOrEqual(0.05);
      // Stopped within step 2, not at the ramp's end (12 s): the measured span ends at the stop; durationMs adds
      // the drain of the incident's slow requests in flight, seconds on a loaded machine.
      expect(json.measuredMs).toBeLessThan(11_000);
      expect(json.split.find((s) => s.target === 'relay')!.share).toBe(0.5);
    } finally {
      await sick.stop();
    }
  }, 90_000);

  it('completes every step (exit 0) without the incident, and ends after the last', async () => {
    const cfg = config('ramp-ok.yaml', direct.url, relay.url);
    const res = await runCli(
      // 150/s: step 1's 10% gives the candidate 30 results in its 2 s, enough to judge it on time (no step is held).
      ['replay', traffic('ramp-ok.jsonl', 50), '--config', cfg, '--rate', '150/s', '--constant', '--split', 'direct=3,relay=1', '--ramp', '10,50,100', '--step', '2s', '--abort-on-fail', '--seed', '6', '--json'],
      // Off a terminal the progress line comes every 30 s; the test's runs are shorter.
      { env: { ...env, RELAYMON_PROGRESS_INTERVAL_MS: '1000' }, timeoutMs: 60_000 },
    );
    // The progress line says each side's sends and the step.
    expect(res.stderr).toMatch(/^replay: .* split direct \d+ · relay \d+ {2}step [123]\/3 \(relay (10|50|100)%\)$/m);
    expectNoSecret(res);
    const json = parse(res);
    expect(res.code, res.stderr).toBe(0);
    expect(json.stoppedBy).toBe('duration');
    expect(json.canary.ramp).toMatchObject({ stepReached: 3, steps: 3 });
    expect(json.canary.abort).toBeNull();
    expect(json.split.map((s) => [s.target, s.share])).toEqual([
      ['direct', 0],
      ['relay', 1],
    ]);
    // direct had 90% of step 1 and 50% of step 2, none of step 3: relay got the larger part of the run.
    const sent = Object.fromEntries(json.split.map((s) => [s.target, s.sent]));
    expect(sent['relay']!).toBeGreaterThan(sent['direct']!);
    expect(sent['direct']!).toBeGreaterThan(0);
  }, 60_000);
});

describe('a ramp holds a step it could not judge (--abort-on-fail)', () => {
  // A broken candidate (every answer 502) at 5% of 100/s: 5 results a second, so step 1 (1 s) ends with about
  // 5 of the 20 results a step needs to be judged. The ramp must not go on to 10% and 100% unjudged.
  it('holds step 1 (said in the progress line) until 20 results, then stops there: exit 1; both reports say so', async () => {
    const broken = await startMockProcess([...FAST, '--status', '502']);
    try {
      const cfg = config('hold.yaml', direct.url, broken.url);
      const summary = join(dir, 'hold.json');
      const html = join(dir, 'hold.html');
      const res = await runCli(
        // errors:rate<0.1: the whole run (20-odd errors among 400-odd sends) holds it; the candidate's step does not.
        ['replay', traffic('hold.jsonl', 50), '--config', cfg, '--rate', '100/s', '--constant', '--split', 'direct=1,relay=1', '--ramp', '5,10,100', '--step', '1s', '--abort-on-fail', '--threshold', 'errors:rate<0.1', '--seed', '1', '--summary', summary, '--report', html],
        { env: { ...env, RELAYMON_PROGRESS_INTERVAL_MS: '500' }, timeoutMs: 60_000 },
      );
      expectNoSecret(res);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toMatch(/step 1\/3 \(relay 5%\) {2}holding step 1: \d+ of 20 results$/m);
      expect(res.stderr).toContain('a step moves on only once 20 of its relay results pass');
      const json = JSON.parse(readFileSync(summary, 'utf8')) as CanaryJson;
      expect(schemaErrors('run-summary', json)).toEqual([]);
      expect(json.stoppedBy).toBe('abortOnFail');
      expect(json.canary.ramp).toMatchObject({ stepReached: 1, held: null });
      expect(json.canary.abort).toMatchObject({ step: 1, threshold: 'errors:rate<0.1', value: 1 });
      expect(json.split.find((s) => s.target === 'relay')!.share).toBe(0.05);
      expect(res.stdout).toContain('stopped at step 1 (--abort-on-fail): relay failed');
      // The run's own report, and `relaymon report` on its summary: the canary section and the exit the run had (1).
      const again = join(dir, 'hold-again.html');
      const rep = await runCli(['report', summary, '-o', again], { env });
      expect(rep.code, rep.stderr).toBe(0);
      for (const page of [readFileSync(html, 'utf8'), readFileSync(again, 'utf8')]) {
        expect(page).toContain('<h2>Canary split</h2>');
        expect(page).toContain('exit code 1');
        expect(page).toContain('stopped at step 1 (--abort-on-fail): relay failed');
        expect(page).toContain('ramp 5% → 10% → 100% of relay');
      }
    } finally {
      await broken.stop();
    }
  }, 90_000);

  it('a run that ends while a step is held says the step was never judged', async () => {
    const broken = await startMockProcess([...FAST, '--status', '502']);
    try {
      const cfg = config('held-end.yaml', direct.url, broken.url);
      const res = await runCli(
        ['replay', traffic('held-end.jsonl', 50), '--config', cfg, '--rate', '50/s', '--constant', '--split', 'direct=1,relay=1', '--ramp', '5,100', '--step', '500ms', '--abort-on-fail', '-d', '2s', '--seed', '2', '--json'],
        { env, timeoutMs: 60_000 },
      );
      expectNoSecret(res);
      const json = parse(res);
      expect(json.stoppedBy).toBe('duration');
      expect(json.canary.abort).toBeNull();
      expect(json.canary.ramp).toMatchObject({ stepReached: 1, held: { step: 1, needed: 20 } });
      expect(json.canary.ramp!.held!.results).toBeLessThan(20);
      expect(json.split.find((s) => s.target === 'relay')!.share).toBe(0.05);
    } finally {
      await broken.stop();
    }
  }, 60_000);
});

describe('replay of a relaymon log to its recorded targets', () => {
  it('-n N is N lines of the file, each sent once to its recorded target: the recorded mix is kept', async () => {
    const cfg = config('recorded.yaml', direct.url, relay.url);
    const log = join(dir, 'recorded.log');
    const rec = await runCli(
      ['replay', traffic('recorded.jsonl', 20), '--config', cfg, '-c', '16', '--loop', '-n', '400', '--split', 'direct=90,relay=10', '--seed', '7', '--log', log, '--no-default-thresholds'],
      { env, timeoutMs: 60_000 },
    );
    expect(rec.code, rec.stderr).toBe(0);
    const recorded = readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { target: string }).target);
    expect(recorded.length).toBe(400);
    const [d0, r0] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    const res = await runCli(['replay', log, '--config', cfg, '-n', '100', '--rate', '500/s', '--json', '--no-default-thresholds'], { env, timeoutMs: 60_000 });
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(0);
    const json = JSON.parse(res.stdout) as { stoppedBy: string | null; targets: { name: string; schedule: { sent: number } }[] };
    expect(json.stoppedBy).toBe('requests');
    const [d1, r1] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    // 100 lines in all (counted per target, direct stopped at 100 while relay read on: 100 + every relay line).
    expect(d1 - d0 + (r1 - r0)).toBe(100);
    expect(json.targets.reduce((a, t) => a + t.schedule.sent, 0)).toBe(100);
    // About 10% of them recorded against relay.
    expect(r1 - r0).toBeLessThan(30);
    expect(d1 - d0).toBeGreaterThan(70);
  }, 120_000);
});

describe('bad inputs of the new flags: exit 2, a clear message, nothing sent', () => {
  const cases: [string[], RegExp][] = [
    [['--split', 'direct=90,nosuch=10'], /--split: unknown target "nosuch" \(known: direct, relay\)/],
    [['--split', 'direct=0,relay=10'], /--split: the weight of "direct" must be above 0/],
    [['--split', 'direct=-5,relay=10'], /--split: the weight of "direct" must be above 0/],
    [['--split', 'direct=lots,relay=10'], /--split: the weight of "direct" must be a number, got "lots"/],
    [['--split', 'direct=100'], /--split needs at least two targets/],
    [['--split', 'direct=1,direct=2'], /--split names "direct" twice/],
    [['--split', 'direct'], /--split expects NAME=WEIGHT pairs/],
    [['--split', 'direct=1,relay=1', '-t', 'direct'], /--split and -t\/--target exclude each other/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,50'], /--ramp needs --step/],
    [['--ramp', '10,50', '--step', '1s'], /--ramp needs --split/],
    [['--split', 'direct=1,relay=1', '--step', '1s'], /--step goes with --ramp/],
    [['--split', 'direct=1,relay=1', '--ramp', '50,10', '--step', '1s'], /--ramp must rise step by step: 50 is followed by 10/],
    [['--split', 'direct=1,relay=1', '--ramp', '0,50', '--step', '1s'], /--ramp expects .* above 0 and at most 100/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,150', '--step', '1s'], /--ramp expects .* got "150"/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,x', '--step', '1s'], /--ramp expects .* got "x"/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,50', '--step', '0'], /--step must be above zero/],
    [['--split', 'direct=1e308,relay=1e308'], /--split: the weights add up to more than a number can hold/],
    [['--split', 'direct=0x10,relay=1'], /--split: the weight of "direct" must be a number, got "0x10"/],
    [['--split', 'direct=1,relay=1e-320'], /--split: the weight of "relay" is too small/],
    [['--split', 'direct=1,,relay=1'], /--split has an empty item/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,10,50', '--step', '1s'], /--ramp must rise step by step: 10 is followed by 10/],
    // Node's timers stop at 2^31-1 ms: a longer ramp ended at once (TimeoutOverflowWarning).
    [['--split', 'direct=1,relay=1', '--ramp', '10,50', '--step', '30d'], /2 steps of 30 days would last 60 days; a ramp may last at most 24\.86 days/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,50', '--step', '13d'], /a ramp may last at most 24\.86 days/],
    [['--split', 'direct=1,relay=1', '--ramp', '10,50', '--step', '99999999999999d', '--dry-run'], /a ramp may last at most/],
  ];
  it.each(cases)('replay %j', async (args, message) => {
    const cfg = config('bad.yaml', direct.url, relay.url);
    const [d0, r0] = await Promise.all([mockRequestCount(direct), mockRequestCount(relay)]);
    const res = await runCli(['replay', traffic('bad.jsonl', 5), '--config', cfg, '--rate', '50/s', ...args], { env });
    expectNoSecret(res);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
    expect([await mockRequestCount(direct), await mockRequestCount(relay)]).toEqual([d0, r0]);
  }, 30_000);

  const mockCases: [string[], RegExp][] = [
    [['--incident-at', '1s'], /--incident-at and --incident-for go together/],
    [['--incident-for', '1s'], /--incident-at and --incident-for go together/],
    [['--incident-at', 'soon', '--incident-for', '1s'], /--incident-at expects a duration/],
    [['--incident-at', '1s', '--incident-for', '0'], /--incident-for must be above zero/],
    [['--incident-at', '1s', '--incident-for', '-2s'], /--incident-for expects a duration/],
  ];
  it.each(mockCases)('mock %j', async (args, message) => {
    const res = await runCli(['mock', '--port', '0', ...args], { env, timeoutMs: 15_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).not.toContain('listening');
  }, 30_000);
});

/**
 * Every command's machine-readable output, from the real CLI against real
 * `relaymon mock` processes over loopback, validates against its schema file
 * in schema/: probe --json (streamed and not, a request that failed with an
 * HTTP error and one that got no answer), check, replay, watch --no-tui and
 * compare --json, and every line of the request logs they write. The mocks
 * are made to produce the optional and nullable corners too: failures
 * (errorTypes, null timings), a dishonest relay (usage gaps, model
 * substitution, fingerprint changes), thresholds with and without data,
 * the implied one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../helpers/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { schemaErrors, type SchemaFile } from './validate.js';

type RunJson = Record<string, unknown> & {
  summary: Record<string, unknown>;
  targets: (Record<string, unknown> & { schedule: Record<string, unknown> | null })[];
};

const dir = mkdtempSync(join(tmpdir(), 'relaymon-contracts-'));
const env = { OPENAI_API_KEY: SENTINEL_KEY, RELAY_KEY: SENTINEL_KEY };
let honest: MockProcess;
let dishonest: MockProcess;
let failing: MockProcess;
let closedPort: number;
let cfg: string;

beforeAll(async () => {
  [honest, dishonest, failing] = await Promise.all([
    startMockProcess(['--ttft', '20', '--itl', '2', '--tokens', '8']),
    startMockProcess(['--ttft', '30', '--itl', '2', '--tokens', '8', '--seed', '5', '--error-rate', '0.3', '--inflate-usage', '1.5', '--serve-model', 'gpt-4o-mini', '--fingerprint-every', '2']),
    startMockProcess(['--status', '500']),
  ]);
  // A port that was free a moment ago: nothing listens on it (connection refused).
  closedPort = await freePort();
  cfg = join(dir, 'relaymon.config.yaml');
  writeFileSync(
    cfg,
    `targets:\n  relay:\n    baseUrl: ${dishonest.url}\n    apiKeyEnv: RELAY_KEY\n    priceMultiplier: 0.5\n    concurrency: 16\n` +
      `  direct:\n    baseUrl: ${honest.url}\n    apiKeyEnv: RELAY_KEY\n    concurrency: 16\n`,
  );
});
afterAll(() => Promise.all([honest, dishonest, failing].map((m) => m?.stop())));

/** stdout as JSON, valid against the schema file; returns it for the test's own checks. */
function validJson(res: CliResult, schema: SchemaFile): Record<string, unknown> {
  expect(res.stdout, res.stderr).not.toBe('');
  const json = JSON.parse(res.stdout) as Record<string, unknown>;
  expect(schemaErrors(schema, json)).toEqual([]);
  return json;
}

/** Every line of a request log, valid against schema/request-log.schema.json; returns them. */
function validLog(path: string): Record<string, unknown>[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line, i) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(schemaErrors('request-log', parsed), `line ${i + 1}`).toEqual([]);
    return parsed;
  });
}

describe('probe --json validates against schema/probe.schema.json', () => {
  it('streamed, with failures, a dishonest relay and thresholds with and without data; its log lines too', async () => {
    const log = join(dir, 'probe.log');
    const res = await runCli(['probe', '--base-url', dishonest.url, '--json', '-n', '6', '-c', '2', '--threshold', 'ttft:p(95)<60000', '--threshold', 'cost:sum<1', '--log', log], { env });
    const json = validJson(res, 'probe');
    expect((json['requests'] as unknown[]).length).toBe(6);
    const lines = validLog(log);
    expect(lines.every((l) => 'body' in l)).toBe(true);
  });

  it('not streamed, and a log without bodies', async () => {
    const log = join(dir, 'probe-nobody.log');
    const res = await runCli(['probe', '--base-url', honest.url, '--json', '--no-stream', '-n', '2', '--log', log, '--no-log-bodies'], { env });
    expect(res.code).toBe(0);
    const json = validJson(res, 'probe');
    expect((json['requests'] as { stream: boolean }[]).every((r) => r.stream === false)).toBe(true);
    expect(validLog(log).some((l) => 'body' in l)).toBe(false);
  });

  it('a request the relay failed (HTTP 500): null timings in the summary, a failed threshold with no data', async () => {
    const res = await runCli(['probe', '--base-url', failing.url, '--json', '--threshold', 'ttft:p(95)<800'], { env });
    expect(res.code).toBe(1);
    const json = validJson(res, 'probe') as { summary: { ttftMs: { p50: unknown } }; thresholds: { value: unknown }[] };
    expect(json.summary.ttftMs.p50).toBeNull();
    expect(json.thresholds[0]?.value).toBeNull();
  });

  it('a request that got no HTTP answer (connection refused)', async () => {
    const res = await runCli(['probe', '--base-url', `http://127.0.0.1:${closedPort}/v1`, '--json'], { env });
    expect(res.code).toBe(3);
    const json = validJson(res, 'probe') as { requests: { httpStatus: unknown; errorType: unknown }[] };
    expect(json.requests[0]).toMatchObject({ httpStatus: null, errorType: 'connection_refused' });
  });
});

describe('the run summary validates against schema/run-summary.schema.json', () => {
  let checkLog: string;

  it('check --json: two targets, the implied threshold, failures; its log lines too', async () => {
    checkLog = join(dir, 'check.log');
    const res = await runCli(['check', '--config', cfg, '-n', '5', '--every', '50ms', '--threshold', 'ttft:p(95)<60000', '--json', '--log', checkLog], { env });
    const json = validJson(res, 'run-summary') as { command: string; targets: unknown[]; thresholds: { implied?: boolean }[] };
    expect(json.command).toBe('check');
    expect(json.targets).toHaveLength(2);
    expect(json.thresholds.some((t) => t.implied === true)).toBe(true);
    validLog(checkLog);

    // Strict enough to catch a renamed, missing, extra or mistyped field anywhere in it.
    const broken = (edit: (j: RunJson) => void): string[] => {
      const copy = JSON.parse(res.stdout) as RunJson;
      edit(copy);
      return schemaErrors('run-summary', copy);
    };
    expect(broken((j) => ((j['measured'] = j['measuredMs']), delete j['measuredMs']))).not.toEqual([]);
    expect(broken((j) => delete j.summary['unfinished'])).not.toEqual([]);
    expect(broken((j) => delete j.targets[0]!.schedule!['capWaits'])).not.toEqual([]);
    expect(broken((j) => (j.targets[0]!['extra'] = 1))).not.toEqual([]);
    expect(broken((j) => (j.summary['errorTypes'] = { bogus: 1 }))).not.toEqual([]);
    expect(broken((j) => (j.summary['costUsd'] = '0.1'))).not.toEqual([]);
    expect(broken((j) => (j['stoppedBy'] = 'boredom'))).not.toEqual([]);
  });

  it('replay --json of that log, and the log the replay writes', async () => {
    const log = join(dir, 'replay.log');
    const res = await runCli(['replay', checkLog, '--base-url', honest.url, '--rate', '20/s', '--json', '--log', log], { env });
    expect(res.code, res.stderr).toBe(0);
    expect((validJson(res, 'run-summary') as { command: string }).command).toBe('replay');
    validLog(log);
  });

  it('watch --no-tui --json', async () => {
    const res = await runCli(['watch', '--no-tui', '--json', '--base-url', honest.url, '--every', '100ms', '--interval', '300ms', '--requests', '3'], { env });
    expect(res.code, res.stderr).toBe(0);
    expect((validJson(res, 'run-summary') as { command: string }).command).toBe('watch');
  });
});

describe('compare --json validates against schema/compare.schema.json', () => {
  it('two targets, one dishonest and failing at times; its log lines too', async () => {
    const log = join(dir, 'compare.log');
    const res = await runCli(['compare', '--config', cfg, '--targets', 'relay,direct', '-n', '6', '--every', '50ms', '--model', 'gpt-4o', '--json', '--log', log], { env, timeoutMs: 25_000 });
    expect(res.code, res.stderr).toBe(0);
    const json = validJson(res, 'compare') as { targets: { name: string }[] };
    expect(json.targets.map((t) => t.name)).toEqual(['relay', 'direct']);
    validLog(log);
  });
});

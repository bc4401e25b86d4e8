/**
 * Golden outputs: every command's text and --json against fixed-seed
 * `relaymon mock`s, pinned in test/golden/. A refactor (issue 12: one metric
 * catalogue, one run pipeline) must leave them byte-for-byte the same.
 *
 * What a loaded machine changes is masked, nothing else: timings and rates
 * (they are the relay's and the machine's, not the code's), timestamps, the
 * note that relaymon itself was saturated, and the column padding that
 * follows from number widths, ports and ids. In the JSON, counts, tokens,
 * dollars (to 9 digits), error kinds, key order and every string stay exact;
 * in the text every word, label, unit and line; exit codes in both. compare's
 * statistics are all drawn from timings, so only their shape is pinned.
 *
 * After an intended change of output: `UPDATE_GOLDEN=1 npx vitest run
 * test/integration/golden.test.ts`, then read the diff of test/golden/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, SENTINEL_KEY, startMockProcess, type CliResult, type MockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';

const GOLDEN = join(ROOT, 'test/golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const dir = mkdtempSync(join(tmpdir(), 'relaymon-golden-'));

/** Keys whose numbers are timings, rates or instants (and everything below such a key). */
const VOLATILE_KEY = /(Ms|At|PerSec|PerSecond|PerHourUsd|30dUsd|RatePerSec)$|^(rps|value|seed|p|pValue|ci|difference|ratio|effect)$/;
/** Keys whose whole value depends on the machine's load. */
const LOAD_KEY = /^(saturation)$/;
/** compare's per-metric statistics are all timings and test results drawn from them. */
const STATISTICS_KEY = /^(metrics)$/;

/** Ports and ids differ between runs of the same code. */
function maskIds(s: string): string {
  return s.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>').replace(/\b(req|chatcmpl|msg|resp)[-_][A-Za-z0-9]+/g, '$1-<id>');
}

export function maskJson(v: unknown, key = '', volatile = false): unknown {
  if (LOAD_KEY.test(key)) return '<load>';
  const vol = volatile || VOLATILE_KEY.test(key) || STATISTICS_KEY.test(key);
  if (Array.isArray(v)) return v.map((x) => maskJson(x, '', vol));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskJson(x, k, vol);
    return out;
  }
  // A timing may be null on a loaded machine where it is not on a quiet one (all tokens in one chunk: no itl).
  if ((typeof v === 'number' || v === null) && vol) return '<n>';
  // Sums may be added in another order after a refactor: equal to 9 significant digits is equal.
  if (typeof v === 'number') return Number(v.toPrecision(9));
  if (typeof v === 'boolean' && vol) return '<bool>';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return '<time>';
  if (typeof v === 'string') return maskIds(v);
  return v;
}

/** Lines of text with every number masked and padding collapsed; the load-dependent notes dropped. */
export function maskText(text: string): string {
  const out: string[] = [];
  let inNote = false;
  for (const line of text.split('\n')) {
    if (/saturated/.test(line)) {
      inNote = true;
      continue;
    }
    if (inNote && /^\s+\S/.test(line)) continue;
    inNote = false;
    let masked = maskIds(line.replaceAll(dir, '<dir>'))
      // compare's verdict on a metric whose difference is noise may go either way.
      .replace(/\b(significant|no evidence)\b/g, '<verdict>')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
      .replace(/-?\d[\d,]*(\.\d+)?(e[+-]?\d+)?/g, '#')
      // "-" is a timing that was null (no tok/s when every token came in one chunk): as load-dependent as a number.
      .replace(/(?<= )-(?= |$)/g, '#')
      // 950ms and 1.2s are the same duration printed at a different scale.
      .replace(/#(ms|s|m)\b/g, '#<t>')
      .replace(/[ \t]+/g, ' ')
      .trimEnd();
    // watch prints a line per interval: how many depends on timing, so a run of equal lines counts once.
    // compare's noise metrics: the sign of a difference and whether p is "<0.001" is noise too.
    if (masked.includes('<verdict>')) masked = masked.replace(/[+−-]#/g, '±#').replace(/ <# /g, ' # ');
    // A dropped note leaves its blank lines behind; blank lines carry nothing else.
    if (masked === '') continue;
    if (out.at(-1) === masked && masked.startsWith('time=')) continue;
    out.push(masked);
  }
  return out.join('\n');
}

function record(res: CliResult, json: boolean): string {
  expectNoSecret(res);
  let stdout: string;
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.stdout);
    } catch {
      throw new Error(`no JSON (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
    }
    stdout = JSON.stringify(maskJson(parsed), null, 2);
  } else stdout = maskText(res.stdout);
  return `exit ${res.code}\n--- stdout\n${stdout}\n--- stderr\n${maskText(res.stderr)}\n`;
}

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  if (UPDATE || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`${file} did not exist: written; check it in and run again`);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

let healthy: MockProcess;
let slow: MockProcess;
let down: MockProcess;
const env = { OPENAI_API_KEY: SENTINEL_KEY, RELAY_KEY: SENTINEL_KEY };
// Each run sends few requests spaced well apart, so the mock sees them in order on any machine.
const QUIET = ['--every', '150ms'];

beforeAll(async () => {
  [healthy, slow, down] = await Promise.all([
    startMockProcess(['--seed', '11', '--no-jitter', '--ttft', '20', '--itl', '2', '--tokens', '8']),
    startMockProcess(['--seed', '12', '--no-jitter', '--ttft', '400', '--itl', '2', '--tokens', '8']),
    startMockProcess(['--seed', '13', '--no-jitter', '--status', '503']),
  ]);
});
afterAll(async () => {
  await Promise.all([healthy?.stop(), slow?.stop(), down?.stop()]);
});

function compareConfig(): string {
  const path = join(dir, 'compare.yaml');
  writeFileSync(
    path,
    `targets:\n  relay:\n    baseUrl: ${slow.url}\n    apiKeyEnv: RELAY_KEY\n    priceMultiplier: 0.5\n` +
      `  direct:\n    baseUrl: ${healthy.url}\n    apiKeyEnv: RELAY_KEY\n`,
  );
  return path;
}

function replayFile(): string {
  const path = join(dir, 'traffic.jsonl');
  const lines = [0, 150, 300, 450].map((t, i) =>
    JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 8, offset_ms: t }),
  );
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const CASES: { name: string; json: boolean; args: () => string[] }[] = [
  { name: 'probe-text', json: false, args: () => ['probe', '--base-url', healthy.url, '--model', 'gpt-4o', '--no-color'] },
  { name: 'probe-json', json: true, args: () => ['probe', '--base-url', healthy.url, '--model', 'gpt-4o', '--json'] },
  { name: 'probe-nostream-json', json: true, args: () => ['probe', '--base-url', healthy.url, '--model', 'gpt-4o', '--no-stream', '--json'] },
  { name: 'probe-down-text', json: false, args: () => ['probe', '--base-url', down.url, '--model', 'gpt-4o', '--no-color'] },
  { name: 'probe-down-json', json: true, args: () => ['probe', '--base-url', down.url, '--model', 'gpt-4o', '--json'] },
  {
    name: 'check-text',
    json: false,
    args: () => ['check', '--base-url', healthy.url, '-m', 'gpt-4o', ...QUIET, '-n', '4', '--no-color', '--threshold', 'ttft:p(95)<5000', '--threshold', 'cost:sum<1'],
  },
  {
    name: 'check-json',
    json: true,
    args: () => ['check', '--base-url', healthy.url, '-m', 'gpt-4o', ...QUIET, '-n', '4', '--json', '--threshold', 'ttft:p(95)<5000', '--threshold', 'requests:count>=4'],
  },
  { name: 'check-down-text', json: false, args: () => ['check', '--base-url', down.url, '-m', 'gpt-4o', ...QUIET, '-n', '3', '--no-color'] },
  { name: 'check-down-json', json: true, args: () => ['check', '--base-url', down.url, '-m', 'gpt-4o', ...QUIET, '-n', '3', '--json'] },
  { name: 'replay-text', json: false, args: () => ['replay', replayFile(), '--base-url', healthy.url, '--no-color'] },
  { name: 'replay-json', json: true, args: () => ['replay', replayFile(), '--base-url', healthy.url, '--json'] },
  {
    name: 'compare-text',
    json: false,
    args: () => ['compare', '--config', compareConfig(), '--targets', 'relay,direct', '-n', '12', ...QUIET, '--model', 'gpt-4o', '--no-color'],
  },
  {
    name: 'compare-json',
    json: true,
    args: () => ['compare', '--config', compareConfig(), '--targets', 'relay,direct', '-n', '12', ...QUIET, '--model', 'gpt-4o', '--json'],
  },
  {
    name: 'watch-text',
    json: false,
    // Lines come with snapshots (every 250 ms of the run's clock) once an interval is due: six sends 150 ms
    // apart outlast the 500 ms snapshot, so at least one line is printed; four ended near it, a coin toss.
    args: () => ['watch', '--no-tui', '--base-url', healthy.url, ...QUIET, '--interval', '300ms', '-n', '6', '--no-color'],
  },
  {
    name: 'watch-json',
    json: true,
    args: () => ['watch', '--no-tui', '--json', '--base-url', healthy.url, ...QUIET, '--interval', '300ms', '-n', '6'],
  },
];

describe('golden outputs (fixed-seed mocks; timings masked)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const res = await runCli(c.args(), { env, timeoutMs: 30_000 });
      golden(c.name, record(res, c.json));
    }, 40_000);
  }
});

describe('the masks', () => {
  it('keep counts, words and key order; mask timings, instants and load notes', () => {
    expect(maskJson({ requests: 3, ttftMs: { p50: 1.5, max: null }, saturation: null, startedAt: '2026-01-01T00:00:00.000Z', costUsd: 0.01 })).toEqual({
      requests: 3,
      ttftMs: { p50: '<n>', max: '<n>' },
      saturation: '<load>',
      startedAt: '<time>',
      costUsd: 0.01,
    });
    expect(maskText('requests   10\n\nrelaymon itself was saturated for 0.2 s\n  sends late\n\nlatency p50  94.9ms\nran 1.2s')).toBe(
      'requests #\nlatency p# #<t>\nran #<t>',
    );
  });
});

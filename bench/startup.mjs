#!/usr/bin/env node
// Start-up: how long relaymon takes before it has done what was asked, against
// `node -e 0` measured in the same run (issue 14: --version ≤ 1.5× node -e 0;
// probe -n 1 against a zero-delay mock ≤ 3× node -e 0 plus the mock's own
// answer time). Each round runs every arm once, in a rotated order, so a
// noisy neighbour slows all arms alike; the ratios are of medians.
// The mock's answer time is the same request as probe's, sent from this
// (warm) process on a fresh connection with node:http, timed to the end of
// the body. Peak RSS per arm is /usr/bin/time's maximum resident set size,
// taken in rounds of its own (so its fork does not add to the wall times).
// Run after `npm run build`: node bench/startup.mjs [--quick] [--rounds N] [--against DIR]
// --against DIR adds the same three relaymon arms run from another built checkout (DIR/bin/relaymon.js, e.g. main),
// interleaved in the same rounds, for an A/B of a change.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pct } from './pct.mjs';
import { startMockProcess } from './mock-process.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/relaymon.js`;
const quick = process.argv.includes('--quick');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 10 : 30;
const RSS_ROUNDS = quick ? 3 : 5;
const againstArg = process.argv.indexOf('--against');
const AGAINST = againstArg > 0 ? `${process.argv[againstArg + 1].replace(/\/$/, '')}/bin/relaymon.js` : null;
const WARMUP = 2;
const TIME = '/usr/bin/time';

// Zero delay, no jitter: the mock answers as fast as it can (`relaymon mock --help`).
const MOCK_ARGS = ['--ttft', '0', '--itl', '0', '--no-jitter'];

/** The environment of every arm: no proxy, no key, no user preferences, no config file in the working directory. */
const CWD = mkdtempSync(join(tmpdir(), 'relaymon-startup-'));
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?_proxy|no_proxy|all_proxy|OPENAI_|ANTHROPIC_|RELAYMON_|NODE_OPTIONS$)/i.test(k)));
ENV.RELAYMON_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'relaymon-startup-prefs-'));

/** Wall time of one run, spawn to exit, in ms; throws unless it exits 0. */
function wall(argv) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd: CWD, env: ENV, stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}`));
      else resolve(ms);
    });
  });
}

/** Peak RSS of one run in MB (/usr/bin/time -f %M), or null without /usr/bin/time. */
function peakRss(argv) {
  if (!existsSync(TIME)) return null;
  const r = spawnSync(TIME, ['-f', '%M', ...argv], { cwd: CWD, env: ENV, encoding: 'utf8' });
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kb) ? kb / 1024 : null;
}

/** One answer of the mock to probe's request (the body probe sends by default), on a fresh connection, in ms. */
function mockAnswer(baseUrl) {
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Reply with OK' }],
    max_tokens: 16,
    stream: true,
    stream_options: { include_usage: true },
  });
  const url = new URL(`${baseUrl}/chat/completions`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`mock answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const mock = await startMockProcess(MOCK_ARGS);
const node = process.execPath;
const arms = [
  { name: 'node -e 0', argv: [node, '-e', '0'] },
  { name: 'relaymon --version', argv: [node, BIN, '--version'] },
  { name: 'relaymon --help', argv: [node, BIN, '--help'] },
  { name: 'relaymon probe -n 1', argv: [node, BIN, 'probe', '-n', '1', '--base-url', mock.url] },
  ...(AGAINST === null
    ? []
    : [
        { name: 'against: relaymon --version', argv: [node, AGAINST, '--version'] },
        { name: 'against: relaymon --help', argv: [node, AGAINST, '--help'] },
        { name: 'against: relaymon probe -n 1', argv: [node, AGAINST, 'probe', '-n', '1', '--base-url', mock.url] },
      ]),
];
const times = arms.map(() => []);
const answers = [];
const rss = arms.map(() => []);
try {
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (let k = 0; k < arms.length; k++) {
      const i = (round + k) % arms.length;
      const ms = await wall(arms[i].argv);
      if (round >= WARMUP) times[i].push(ms);
    }
    const ms = await mockAnswer(mock.url);
    if (round >= WARMUP) answers.push(ms);
  }
  for (let round = 0; round < RSS_ROUNDS; round++) {
    arms.forEach((arm, i) => {
      const mb = peakRss(arm.argv);
      if (mb !== null) rss[i].push(mb);
    });
  }
} finally {
  await mock.stop();
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const stats = arms.map((arm, i) => {
  const xs = sorted(times[i]);
  const mem = sorted(rss[i]);
  return { name: arm.name, runs: xs.length, p50: pct(xs, 0.5), p90: pct(xs, 0.9), min: xs[0], max: xs.at(-1), rssMb: mem.length > 0 ? pct(mem, 0.5) : null };
});
const answer = sorted(answers);
const answerP50 = pct(answer, 0.5);
const base = stats[0].p50;
const f = (x, d = 1) => (x === null ? 'n/a' : x.toFixed(d));
const cmd = (arm) => arm.argv.map((a) => (a === node ? 'node' : a === BIN ? 'bin/relaymon.js' : a)).join(' ');
const ref = AGAINST === null ? null : { version: stats[4].p50 / base, help: stats[5].p50 / base, probe: (stats[6].p50 - answerP50) / base };

const versionRatio = stats[1].p50 / base;
const helpRatio = stats[2].p50 / base;
const probe = stats[3];
// probe wall ≤ 3× node -e 0 + the mock's answer time  ⇔  (probe − answer) / node -e 0 ≤ 3.
const probeRatio = (probe.p50 - answerP50) / base;

console.log(`Start-up, ${ROUNDS} interleaved rounds (arms rotated each round, ${WARMUP} warm-up rounds dropped), wall time spawn → exit, against a zero-delay \`relaymon mock ${MOCK_ARGS.join(' ')}\` (its own process) at ${mock.url}. Peak RSS: median of ${RSS_ROUNDS} runs under ${TIME} -f %M.

| command | runs | wall p50 | p90 | min / max | p50 ÷ node -e 0 | peak RSS |
| --- | --- | --- | --- | --- | --- | --- |
${stats.map((s, i) => `| \`${cmd(arms[i])}\` | ${s.runs} | ${f(s.p50)} ms | ${f(s.p90)} ms | ${f(s.min)} / ${f(s.max)} ms | ${f(s.p50 / base, 2)}× | ${f(s.rssMb)} MB |`).join('\n')}

The mock's own answer to probe's request (POST /v1/chat/completions, stream, from this warm process with node:http on a fresh connection, to the end of the body): p50 ${f(answerP50, 2)} ms, p90 ${f(pct(answer, 0.9), 2)} ms (${answer.length} requests, one per round).

| goal | measured | goal |
| --- | --- | --- |
| \`relaymon --version\` wall ÷ \`node -e 0\` | ${f(versionRatio, 2)}× | ≤ 1.5× |
| \`relaymon --help\` wall ÷ \`node -e 0\` | ${f(helpRatio, 2)}× | (not set) |
| (\`relaymon probe -n 1\` wall − mock answer) ÷ \`node -e 0\` | ${f(probeRatio, 2)}× (${f(probe.p50)} − ${f(answerP50, 2)} ms over ${f(base)} ms) | ≤ 3× |${
  ref === null
    ? ''
    : `\n\nAgainst ${AGAINST} in the same rounds: --version ${f(ref.version, 2)}×, --help ${f(ref.help, 2)}×, (probe − mock answer) ${f(ref.probe, 2)}× \`node -e 0\`; probe p50 ${f(stats[6].p50)} ms there, ${f(probe.p50)} ms here (${f((probe.p50 / stats[6].p50 - 1) * 100)}%).`
}`);

mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(
  `${ROOT}bench/results/startup.json`,
  JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, mockArgs: MOCK_ARGS, arms: stats.map((s, i) => ({ ...s, command: cmd(arms[i]) })), mockAnswerMs: { p50: answerP50, p90: pct(answer, 0.9) }, ratios: { version: versionRatio, help: helpRatio, probeOverAnswer: probeRatio } }, null, 2) + '\n',
);

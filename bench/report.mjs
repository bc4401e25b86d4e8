#!/usr/bin/env node
// relaymon report on a large request log: generation time, peak RSS and the
// HTML's size, for a 100,000-line log and a 10,000-line one (issue 15, "Must
// show": time and size on 100,000 lines; size on 10,000 requests). The
// reference, measured in the same rounds: a node process that only streams the
// same log line by line and JSON.parses each line (the floor of any report on
// it), so the ratio is what the report adds on top of reading the log.
// The logs are made from real lines: a short `relaymon check` against
// `relaymon mock` (two targets, some errors) with --log, its lines repeated
// with shifted send times and jittered latencies over an hour of run time.
// Run after `npm run build`: node bench/report.mjs [--quick] [--rounds N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pct } from './pct.mjs';
import { startMockProcess } from './mock-process.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/relaymon.js`;
const quick = process.argv.includes('--quick');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 3 : 7;
const TIME = '/usr/bin/time';
const dir = mkdtempSync(join(tmpdir(), 'relaymon-bench-report-'));
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?_proxy|no_proxy|all_proxy|OPENAI_|ANTHROPIC_|RELAYMON_|NODE_OPTIONS$)/i.test(k)));
ENV.RELAYMON_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'relaymon-bench-report-prefs-'));
ENV.BENCH_API_KEY = 'bench';

async function templates() {
  const mocks = [await startMockProcess(['--ttft', '5', '--itl', '1', '--tokens', '24', '--jitter']), await startMockProcess(['--ttft', '20', '--itl', '2', '--tokens', '24', '--jitter', '--error-rate', '0.05'])];
  try {
    const config = join(dir, 'relaymon.config.yaml');
    writeFileSync(config, `targets:\n  direct:\n    baseUrl: ${mocks[0].url}\n    apiKeyEnv: BENCH_API_KEY\n  relay:\n    baseUrl: ${mocks[1].url}\n    apiKeyEnv: BENCH_API_KEY\nprobes:\n  chat:\n    model: gpt-4o-mini\n    prompt: hello\n    every: 20ms\n`);
    const log = join(dir, 'template.log');
    spawnSync(process.execPath, [BIN, 'check', '--config', config, '-n', '200', '--log', log, '--no-default-thresholds'], { env: ENV, stdio: 'ignore' });
    return readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    for (const m of mocks) m.stop();
  }
}

/** `lines` lines over an hour, in send order, from the templates. */
async function makeLog(path, lines, tpl) {
  const out = createWriteStream(path);
  const span = 3_600_000;
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < lines; i++) {
    const src = tpl[i % tpl.length];
    const t = (i * span) / lines;
    const k = 0.5 + rand();
    const r = { ...src.result, startedAt: t0 + t, latencyMs: src.result.latencyMs * k };
    if (r.ttftMs !== null) r.ttftMs *= k;
    const line = JSON.stringify({ ...src, t, time: new Date(t0 + t).toISOString(), result: r });
    if (!out.write(line + '\n')) await new Promise((res) => out.once('drain', res));
  }
  await new Promise((res) => out.end(res));
}

const FLOOR = `const rl=require('node:readline').createInterface({input:require('node:fs').createReadStream(process.argv[1],{highWaterMark:1<<20}),crlfDelay:Infinity});let n=0;rl.on('line',(l)=>{if(l)JSON.parse(l),n++});rl.on('close',()=>{})`;

function timed(argv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${argv.join(' ')}: exit ${code}\n${err}`))));
  });
}

function peakRssMb(argv) {
  const r = spawnSync(TIME, ['-f', '%M', process.execPath, ...argv], { env: ENV, encoding: 'utf8' });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? kb / 1024 : NaN;
}

const tpl = await templates();
const rows = [];
for (const lines of [100_000, 10_000]) {
  const log = join(dir, `run-${lines}.log`);
  await makeLog(log, lines, tpl);
  const html = join(dir, `report-${lines}.html`);
  const arms = { report: [BIN, 'report', log, '-o', html], floor: ['-e', FLOOR, log] };
  const times = { report: [], floor: [] };
  await timed(arms.report);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['report', 'floor'] : ['floor', 'report'];
    for (const a of order) times[a].push(await timed(arms[a]));
  }
  const med = (xs) => pct([...xs].sort((a, b) => a - b), 0.5);
  const spread = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${Math.round(s[0])}–${Math.round(s[s.length - 1])}`;
  };
  const ratios = times.report.map((t, i) => t / times.floor[i]).sort((a, b) => a - b);
  rows.push({
    lines,
    logMb: statSync(log).size / 1048576,
    reportMs: med(times.report),
    reportSpread: spread(times.report),
    floorMs: med(times.floor),
    ratio: pct(ratios, 0.5),
    ratioSpread: `${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}`,
    rssMb: peakRssMb(arms.report),
    htmlKb: statSync(html).size / 1024,
  });
}

console.log(`\n### relaymon report on a request log (${ROUNDS} rounds, medians, interleaved)\n`);
console.log('command: `node bench/report.mjs' + (quick ? ' --quick' : '') + '`; reference: a node process that only streams the log and JSON.parses each line\n');
console.log('| log lines | log size | report wall (spread) | reference wall | ratio (spread) | report peak RSS | HTML size |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.lines.toLocaleString('en')} | ${r.logMb.toFixed(1)} MB | ${Math.round(r.reportMs)} ms (${r.reportSpread}) | ${Math.round(r.floorMs)} ms | ${r.ratio.toFixed(2)}× (${r.ratioSpread}) | ${r.rssMb.toFixed(0)} MB | ${r.htmlKb.toFixed(0)} KB |`);
}

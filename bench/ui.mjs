#!/usr/bin/env node
// Dashboard benchmarks (`relaymon watch`), from the build: run
// `npx tsc -p tsconfig.build.json` first (`npm run bench:ui` does).
//
//   node bench/ui.mjs [--quick]
//
// The real dashboard (mountDashboard + SnapshotFeed, as `watch` wires them) is
// drawn at the default fps onto a fake 160×50 terminal that discards what it
// gets, while a real Engine (worker thread) probes 8 targets on one
// `relaymon mock` child process on 127.0.0.1 with a fixed TTFT (no jitter).
// Every run is repeated without the dashboard, and with the dashboard but no
// chart (a feed without the chart's history: panels only, as before the
// chart), in the order off, on, no-chart, no-chart, on, off, so that drift
// over the bench (other load, thermal, JIT) falls on every arm. At 160×50 the
// 8 targets take two rows of full panels and the chart gets the 21 rows left.
//
// 1. CPU of the main thread (the UI thread) with and without the dashboard;
//    the difference is the dashboard's share. Linux: per-thread CPU from
//    /proc/self/task/<pid>/stat; everywhere: process.cpuUsage() (all threads)
//    and the main thread's event-loop utilisation.
// 2. TTFT error (measured TTFT − injected) of the requests that finished in
//    each run, with vs without the dashboard: does drawing disturb measuring?
//
// Prints a Markdown section for BENCHMARKS.md and writes bench/results/ui-latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMockProcess } from './mock-process.mjs';
import { pct } from './pct.mjs';
import { target } from './engine.mjs';

// Ink draws nothing until unmount when it thinks it runs in CI (is-in-ci reads
// these when ink is first imported): the dashboard's user is at a terminal.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
// As bin/relaymon.js ships it: React's production build unless NODE_ENV says otherwise.
process.env.NODE_ENV ??= 'production';
const { Engine } = await import('../dist/engine/engine.js');
const { SnapshotFeed } = await import('../dist/ui/feed.js');
const { DEFAULT_FPS, mountDashboard } = await import('../dist/ui/mount.js');
const { parseThreshold } = await import('../dist/stats/thresholds-parse.js');
const { liveWindowsFor } = await import('../dist/run/pipeline.js');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const MEASURE_S = quick ? 5 : 20;
const WARMUP_S = quick ? 1 : 3;
const TARGETS = Array.from({ length: 8 }, (_, i) => `relay-${i + 1}`);
const RATE_PER_TARGET = 2;
const INJECTED_TTFT_MS = 100;
const MOCK_ARGS = ['--ttft', String(INJECTED_TTFT_MS), '--itl', '10', '--tokens', '16', '--no-jitter', '--error-rate', '0.02', '--seed', '7'];
const COLS = 160;
const ROWS = 50;
const SPEC = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };
const THRESHOLDS = ['ttft:p(95)<1500', 'errors:rate<0.05'].map((t) => parseThreshold(t));

/** A terminal that is a terminal to Ink (isTTY, a size) but throws the bytes away, counting them. */
class FakeTty extends Writable {
  isTTY = true;
  columns = COLS;
  rows = ROWS;
  bytes = 0;
  _write(chunk, _encoding, callback) {
    this.bytes += chunk.length;
    callback();
  }
}

/** A keyboard nobody types on: a TTY to Ink, so the dashboard reads keys as it does in a terminal. */
class FakeKeyboard extends PassThrough {
  isTTY = true;
  setRawMode() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of the main thread so far (Linux), or null. */
function mainThreadCpuS() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0; utime (14) and stime (15) follow.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}


/** One run: the engine for WARMUP_S + MEASURE_S, with the dashboard ('chart'), without its chart ('nochart') or without it ('off'). */
async function run(mode) {
  const dashboard = mode !== 'off';
  const mock = await startMockProcess(MOCK_ARGS);
  const engine = new Engine({
    targets: TARGETS.map((name) => ({ ...target(mock.url, 16), name })),
    priceFiles: [],
    plan: {
      kind: 'probes',
      streams: TARGETS.map((name, i) => ({ probe: 'bench', target: name, spec: SPEC, schedule: { kind: 'rate', ratePerSec: RATE_PER_TARGET }, seed: i + 1 })),
    },
    // What `watch` asks of the engine (src/run/pipeline.ts, src/run/watch-tui.ts).
    tickMs: 250,
    stopAfter: { durationMs: null, requests: null },
    graceMs: 10_000,
    log: null,
    thresholds: THRESHOLDS,
    secrets: [],
    emitResults: true,
    budgetUsd: null,
    alerts: [],
    liveStats: true,
    liveWindows: liveWindowsFor('1m'),
  });
  const feed = new SnapshotFeed();
  // The same feed less its chart history: the dashboard then draws no chart (src/ui/App.tsx).
  const shown = mode === 'nochart' ? { latest: feed.latest, subscribe: feed.subscribe, recent: feed.recent } : feed;
  let measuring = false;
  const results = [];
  let workerLoopP99Max = 0;
  engine.on('snapshot', (s) => {
    feed.push(s);
    if (!measuring) return;
    results.push(...s.results);
    workerLoopP99Max = Math.max(workerLoopP99Max, s.saturation.eventLoopDelayP99Ms);
  });
  const tty = new FakeTty();
  const stdin = new FakeKeyboard();
  const mounted = dashboard
    ? mountDashboard({ feed: shown, thresholds: THRESHOLDS, initialWindow: '1m', fps: DEFAULT_FPS, color: true, onCommand: () => {}, stdout: tty, stdin })
    : null;
  await sleep(WARMUP_S * 1000);

  measuring = true;
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuS();
  const elu0 = performance.eventLoopUtilization();
  const bytes0 = tty.bytes;
  const frames0 = mounted?.slowFrames() ?? { frames: 0, slow: 0 };
  await sleep(MEASURE_S * 1000);
  const wallS = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpuS();
  const elu = performance.eventLoopUtilization(elu0);
  const frames1 = mounted?.slowFrames() ?? { frames: 0, slow: 0, worstMs: 0 };
  const bytes = tty.bytes - bytes0;
  measuring = false;

  mounted?.unmount();
  engine.stop('duration');
  const final = await engine.done;
  await mock.stop();

  const ttftErrors = results.filter((r) => r.ok && r.ttftMs !== null).map((r) => r.ttftMs - INJECTED_TTFT_MS).sort((a, b) => a - b);
  return {
    dashboard,
    mode,
    wallS,
    processCpuPct: ((cpu.user + cpu.system) / 1e6 / wallS) * 100,
    mainThreadCpuPct: main0 !== null && main1 !== null ? ((main1 - main0) / wallS) * 100 : null,
    mainLoopUtilisationPct: elu.utilization * 100,
    frames: frames1.frames - frames0.frames,
    framesPerS: (frames1.frames - frames0.frames) / wallS,
    slowFrames: frames1.slow - frames0.slow,
    worstFrameMs: frames1.worstMs ?? 0,
    bytesPerS: bytes / wallS,
    requests: results.length,
    errors: results.filter((r) => !r.ok).length,
    ttftSamples: ttftErrors.length,
    ttftErrP50: pct(ttftErrors, 0.5),
    ttftErrP99: pct(ttftErrors, 0.99),
    ttftErrMax: ttftErrors.at(-1) ?? NaN,
    ttftErrors,
    sendLagP99: final.snapshot.saturation.sendLagMs.p99,
    workerLoopP99Max,
  };
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${os.platform()}`;
// React (under Ink) picks its development or production build from NODE_ENV when first loaded.
const reactBuild = process.env.NODE_ENV === 'production' ? 'production' : 'development';
const loadBefore = os.loadavg()[0];
const order = ['off', 'chart', 'nochart', 'nochart', 'chart', 'off'];
const runs = [];
for (const mode of order) {
  const r = await run(mode);
  runs.push(r);
  console.error(`ui bench: dashboard ${mode.padEnd(7)}  main thread ${r.mainThreadCpuPct?.toFixed(1)}%  process ${r.processCpuPct.toFixed(1)}%  ${r.requests} requests  ttft err p99 ${r.ttftErrP99.toFixed(2)} ms`);
}

const on = runs.filter((r) => r.mode === 'chart');
const noChart = runs.filter((r) => r.mode === 'nochart');
const off = runs.filter((r) => r.mode === 'off');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pooled = (arm) => arm.flatMap((r) => r.ttftErrors).sort((a, b) => a - b);
const f = (n, d = 1) => (n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(d));
const hasThreadCpu = runs.every((r) => r.mainThreadCpuPct !== null);
const uiShare = hasThreadCpu ? mean(on.map((r) => r.mainThreadCpuPct)) - mean(off.map((r) => r.mainThreadCpuPct)) : null;
const uiShareProcess = mean(on.map((r) => r.processCpuPct)) - mean(off.map((r) => r.processCpuPct));
const chartShare = hasThreadCpu ? mean(on.map((r) => r.mainThreadCpuPct)) - mean(noChart.map((r) => r.mainThreadCpuPct)) : null;
const noChartShare = hasThreadCpu ? mean(noChart.map((r) => r.mainThreadCpuPct)) - mean(off.map((r) => r.mainThreadCpuPct)) : null;
const chartSpread = hasThreadCpu ? Math.max(Math.abs(on[0].mainThreadCpuPct - on[1].mainThreadCpuPct), Math.abs(noChart[0].mainThreadCpuPct - noChart[1].mainThreadCpuPct)) : null;

/** Is the on − off difference of a statistic larger than the spread between the two runs of the same arm? */
function compare(stat) {
  const noise = Math.max(Math.abs(on[0][stat] - on[1][stat]), Math.abs(off[0][stat] - off[1][stat]));
  const diff = mean(on.map((r) => r[stat])) - mean(off.map((r) => r[stat]));
  return { diff, noise, withinNoise: Math.abs(diff) <= noise };
}
const p99 = compare('ttftErrP99');
const p50 = compare('ttftErrP50');
const pooledOn = pooled(on);
const pooledOff = pooled(off);

const loadAfter = os.loadavg()[0];
const date = new Date().toISOString();
const results = {
  date,
  machine,
  quick,
  reactBuild,
  loadAverage1m: { before: loadBefore, after: loadAfter },
  setup: { targets: TARGETS.length, ratePerTarget: RATE_PER_TARGET, measureS: MEASURE_S, warmupS: WARMUP_S, fps: DEFAULT_FPS, cols: COLS, rows: ROWS, mock: MOCK_ARGS },
  runs: runs.map(({ ttftErrors, ...r }) => r),
  uiShareMainThreadPct: uiShare,
  uiShareProcessPct: uiShareProcess,
  chartShareMainThreadPct: chartShare,
  uiShareWithoutChartMainThreadPct: noChartShare,
  ttft: { p50, p99, pooledOn: { n: pooledOn.length, p50: pct(pooledOn, 0.5), p99: pct(pooledOn, 0.99) }, pooledOff: { n: pooledOff.length, p50: pct(pooledOff, 0.5), p99: pct(pooledOff, 0.99) } },
};
mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(`${ROOT}bench/results/ui-latest.json`, JSON.stringify(results, null, 2) + '\n');

const cmd = `${reactBuild === 'development' ? 'NODE_ENV=development ' : ''}node bench/ui.mjs${quick ? ' --quick' : ''}`;
console.log(`## Dashboard (\`${cmd}\`, ${date.slice(0, 10)})

Machine: ${machine}; 1-minute load average ${f(loadBefore, 2)} before, ${f(loadAfter, 2)} after. React ${reactBuild} build.
The real dashboard (\`mountDashboard\`, ${DEFAULT_FPS} fps, the default) draws on a fake ${COLS}×${ROWS} terminal
that discards its bytes, while the engine worker probes ${TARGETS.length} targets at ${RATE_PER_TARGET}/s each (Poisson) on one
\`relaymon mock ${MOCK_ARGS.join(' ')}\` child process. Each run: ${WARMUP_S} s warm-up, then ${MEASURE_S} s measured.
Runs in the order ${order.join(', ')}; "off" is the same engine and snapshot feed with no dashboard mounted, "nochart" the dashboard without the chart (panels only).

| run | dashboard | main thread CPU | whole process CPU | main loop utilisation | frames/s (slow) | bytes/s drawn | requests (errors) | TTFT error p50 | p99 | max | send lateness p99 | worker loop delay p99 (worst tick) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${runs.map((r, i) => `| ${i + 1} | ${r.mode === 'chart' ? 'on (chart)' : r.mode === 'nochart' ? 'on (no chart)' : 'off'} | ${f(r.mainThreadCpuPct)}% | ${f(r.processCpuPct)}% | ${f(r.mainLoopUtilisationPct)}% | ${r.dashboard ? `${f(r.framesPerS)} (${r.slowFrames})` : '-'} | ${r.dashboard ? f(r.bytesPerS / 1024, 1) + ' KiB' : '-'} | ${r.requests} (${r.errors}) | ${f(r.ttftErrP50, 2)} ms | ${f(r.ttftErrP99, 2)} ms | ${f(r.ttftErrMax, 2)} ms | ${f(r.sendLagP99, 2)} ms | ${f(r.workerLoopP99Max, 1)} ms |`).join('\n')}

| measure | value | goal |
| --- | --- | --- |
| UI share of one core: main thread CPU, dashboard with the chart on − off (mean of 2 runs each) | ${f(uiShare)}% | ≤ 15% |
| chart row: main thread CPU, dashboard with the chart − without it (mean of 2 runs each; spread within an arm) | ${f(chartShare)}% (spread ${f(chartSpread)}%) | |
| same without the chart (panels only) − off | ${f(noChartShare)}% | |
| same from whole-process CPU (process.cpuUsage(), all threads) | ${f(uiShareProcess)}% | |
| main thread CPU with the dashboard on (UI + receiving snapshots) | ${f(hasThreadCpu ? mean(on.map((r) => r.mainThreadCpuPct)) : null)}% | |
| TTFT error p99, on − off (mean of runs) vs run-to-run spread within an arm | ${f(p99.diff, 2)} ms vs ${f(p99.noise, 2)} ms: ${p99.withinNoise ? 'within noise' : 'larger than the noise'} | no measurable difference |
| TTFT error p50, on − off vs spread | ${f(p50.diff, 2)} ms vs ${f(p50.noise, 2)} ms: ${p50.withinNoise ? 'within noise' : 'larger than the noise'} | |
| TTFT error pooled per arm, on / off: p50, p99 (n) | ${f(pct(pooledOn, 0.5), 2)} / ${f(pct(pooledOff, 0.5), 2)} ms, ${f(pct(pooledOn, 0.99), 2)} / ${f(pct(pooledOff, 0.99), 2)} ms (${pooledOn.length} / ${pooledOff.length}) | |`);

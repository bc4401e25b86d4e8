// Engine benchmarks: achieved vs requested rate, send lateness, and memory over
// a long accelerated run. The engine runs in its worker thread exactly as in
// `relaymon replay`; the mock is a separate process on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Engine } from '../dist/engine/engine.js';
import { DEFAULT_TIMEOUTS, DEFAULT_MAX_RESPONSE_BYTES } from '../dist/core/target.js';
import { liveWindowsFor } from '../dist/run/pipeline.js';
import { startMockProcess } from './mock-process.mjs';
import { pct } from './pct.mjs';

export const SPEC = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };

/** A ResolvedTarget for the mock: no key, default timeouts. */
export function target(baseUrl, concurrency) {
  return {
    name: 'mock',
    baseUrl,
    protocol: 'openai',
    apiKey: null,
    apiKeyHeader: 'authorization',
    headers: {},
    priceMultiplier: 1,
    concurrency,
    timeouts: DEFAULT_TIMEOUTS,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  };
}

/** The engine config of these benches: one target `t`, no alerts, thresholds or log; live windows as `watch` asks for them when liveStats. */
export function baseConfig(t, plan, stopAfter, liveStats = false) {
  return {
    targets: [t],
    priceFiles: [],
    plan,
    tickMs: 250,
    stopAfter,
    graceMs: 10_000,
    log: null,
    thresholds: [],
    secrets: [],
    emitResults: false,
    budgetUsd: null,
    alerts: [],
    liveStats,
    // Live: the windows `watch` computes at its default window (1m), as the dashboard asks for them.
    ...(liveStats ? { liveWindows: liveWindowsFor('1m') } : {}),
  };
}

/**
 * The run's first request against the rest (issue 14): a fresh engine replays
 * `count` lines at `ratePerSec` and reports each send's lateness at the
 * socket (queueMs: headers written, or connect started, minus the scheduled
 * instant). The first should be no later than the median of the others: the
 * engine opens its connections and rehearses the send path before the first
 * instant (src/engine/warm.ts).
 */
/** A fresh engine replaying `count` lines at `ratePerSec` against the mock: its results in send order. */
export async function replayResults(mockUrl, ratePerSec, count) {
  const entry = { line: 1, offsetMs: null, spec: SPEC };
  const engine = new Engine({
    ...baseConfig(target(mockUrl, 256), { kind: 'replay', entries: Array(count).fill(entry), mode: { kind: 'rate', ratePerSec, poisson: false, seed: 1 }, loop: false, targets: ['mock'] }, { durationMs: null, requests: null }),
    emitResults: true,
  });
  const results = [];
  engine.on('snapshot', (s) => results.push(...s.results));
  const final = await engine.done;
  results.push(...final.snapshot.results);
  return results.sort((a, b) => a.scheduledAt - b.scheduledAt);
}

export async function firstRequestRun(mockUrl, ratePerSec, count = 40) {
  const results = await replayResults(mockUrl, ratePerSec, count);
  const rest = results.slice(1).map((r) => r.queueMs).sort((a, b) => a - b);
  return { firstLateMs: results[0]?.queueMs ?? null, restLateMedianMs: pct(rest, 0.5), restLateP90Ms: pct(rest, 0.9), firstNewConnection: results[0]?.newConnection ?? null };
}

/**
 * `engines` fresh engines in turn, each replaying `count` lines at `ratePerSec` against one mock
 * (firstRequestRun): one engine's first send is one sample, and a preempted moment on a 2-core
 * machine can make any one send late, so the first is judged over many engines: the median of
 * their firsts against the median of their rests' medians, and how many firsts fell within
 * their own run's p90 of the rest.
 */
export async function firstRequestRuns(ratePerSec, engines, count = 40) {
  const mock = await startMockProcess(['--ttft', '20', '--itl', '5', '--tokens', '4']);
  const runs = [];
  try {
    for (let i = 0; i < engines; i++) runs.push(await firstRequestRun(mock.url, ratePerSec, count));
  } finally {
    await mock.stop();
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const firsts = sorted(runs.map((r) => r.firstLateMs));
  return {
    ratePerSec,
    engines,
    count,
    firstMedianMs: pct(firsts, 0.5),
    firstMinMs: firsts[0],
    firstMaxMs: firsts.at(-1),
    restMedianMs: pct(sorted(runs.map((r) => r.restLateMedianMs)), 0.5),
    restP90Ms: pct(sorted(runs.map((r) => r.restLateP90Ms)), 0.5),
    withinP90: runs.filter((r) => r.firstLateMs <= r.restLateP90Ms).length,
    firstNewConnections: runs.filter((r) => r.firstNewConnection).length,
  };
}

/**
 * A constant-rate probe stream for `seconds`; the engine stops by itself.
 * cpuPctOfCore: this process's CPU (main thread, which counts tokens, and engine worker;
 * not the mock) over the run's wall time, in % of one core.
 */
export async function rateRun(ratePerSec, seconds, liveStats = false) {
  const mock = await startMockProcess(['--ttft', '20', '--itl', '5', '--tokens', '4']);
  const intervalMs = 1000 / ratePerSec;
  const t = target(mock.url, 256);
  const engine = new Engine(
    baseConfig(t, { kind: 'probes', streams: [{ probe: 'bench', target: 'mock', spec: SPEC, schedule: { kind: 'every', intervalMs }, seed: 1 }] }, {
      durationMs: seconds * 1000,
      requests: null,
    }, liveStats),
  );
  let maxLoopP99 = 0;
  engine.on('snapshot', (s) => (maxLoopP99 = Math.max(maxLoopP99, s.saturation.eventLoopDelayP99Ms)));
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const final = await engine.done;
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  await mock.stop();
  const s = final.snapshot;
  // Sends due before the stop: instants 0, i, 2i, … < duration.
  const scheduled = Math.ceil((seconds * 1000) / intervalMs);
  const all = s.stats.windows.all;
  return {
    liveStats,
    requestedRps: ratePerSec,
    seconds,
    scheduled,
    sent: s.progress.sent,
    achievedRps: s.progress.sent / seconds,
    errors: all.errors,
    lagP50: s.saturation.sendLagMs.p50,
    lagP99: s.saturation.sendLagMs.p99,
    lagMax: s.saturation.sendLagMs.max,
    loopDelayP99Max: maxLoopP99,
    ttftP50: all.ttftMs.p50,
    ttftP99: all.ttftMs.p99,
    cpuPctOfCore: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
  };
}

/**
 * Closed loop as fast as the mock answers, ≥ `requests` requests: RSS after
 * warm-up, at the end, its growth and the peak, with each thread's V8 heap
 * beside it. It runs in a fresh child process (the engine, its worker and the
 * the main thread counting its tokens, as in `relaymon replay --loop`), so what earlier benches
 * left in this process's heap and allocator is not counted.
 */
export async function memoryRun(requests) {
  const log = join(mkdtempSync(join(tmpdir(), 'relaymon-bench-')), 'heap.jsonl');
  try {
    const heapHook = pathToFileURL(fileURLToPath(new URL('./thread-heap.mjs', import.meta.url))).href;
    const r = await childJson([MEMORY_CHILD, String(requests)], { execArgv: ['--import', heapHook], env: { ...process.env, RELAYMON_BENCH_HEAP_LOG: log } });
    return { ...r, threads: threadHeaps(readFileSync(log, 'utf8'), r.warmTime, r.endTime) };
  } finally {
    rmSync(dirname(log), { recursive: true, force: true });
  }
}

/**
 * `rateRun` in a fresh node process. One 30 s run's p99 of send lateness rests
 * on its 60 latest sends, and on this 2-vCPU machine repeated runs of the same code put it anywhere in
 * 1.3–2.6 ms at 200/s (BENCHMARKS.md "Issue 14's eighth round"): a single run cannot say which side of a
 * 2 ms goal the client is on, the median of several fresh runs can, and every run is reported beside it.
 */
export function freshRateRun(ratePerSec, seconds, liveStats) {
  return childJson([RATE_CHILD, String(ratePerSec), String(seconds), liveStats ? 'live' : 'headless']);
}

/** This file run as a child process with `args` (its mode first): the JSON of the last line it prints. */
function childJson(args, { execArgv = [], env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${args[0]} exited with ${code}: ${out}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

const RATE_CHILD = '--rate-child';
const MEMORY_CHILD = '--memory-child';
const MB = 2 ** 20;

/** Each thread's last heap sample at or before warm-up and at or before the end, in MB. */
function threadHeaps(text, warmTime, endTime) {
  const byThread = new Map();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const s = JSON.parse(line);
    const t = byThread.get(s.thread) ?? { warm: null, end: null };
    if (warmTime !== null && s.time <= warmTime) t.warm = s;
    if (s.time <= endTime) t.end = s;
    byThread.set(s.thread, t);
  }
  const mb = (s) => (s ? { committedMb: s.committed / MB, usedMb: s.used / MB, youngMb: s.young / MB, externalMb: s.external / MB } : null);
  return [...byThread].sort((a, b) => a[0] - b[0]).map(([thread, t]) => ({ thread, warm: mb(t.warm), end: mb(t.end) }));
}

/** Peak resident set of this process so far (Linux), else null. */
function vmHwm() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function memoryChild(requests) {
  const mock = await startMockProcess(['--ttft', '0', '--itl', '0', '--tokens', '1']);
  const t = target(mock.url, 32);
  const entry = { line: 1, offsetMs: null, spec: { ...SPEC, stream: false } };
  const engine = new Engine(
    baseConfig(t, { kind: 'replay', entries: [entry], mode: { kind: 'closed', concurrency: 32 }, loop: true, targets: ['mock'] }, { durationMs: null, requests }),
  );
  const warmAt = Math.min(20_000, Math.floor(requests / 10));
  let warm = null;
  let peak = 0;
  const started = performance.now();
  engine.on('snapshot', (s) => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    if (warm === null && s.progress.done >= warmAt) warm = { rss, done: s.progress.done, time: Date.now() };
  });
  const final = await engine.done;
  const seconds = (performance.now() - started) / 1000;
  const end = process.memoryUsage().rss;
  const endTime = Date.now();
  // The thread-heap preload samples every 500 ms: one more round so the end has a sample from each thread still alive.
  await new Promise((r) => setTimeout(r, 600));
  await mock.stop();
  return {
    requests: final.snapshot.progress.done,
    seconds,
    rps: final.snapshot.progress.done / seconds,
    warmRssMb: warm ? warm.rss / MB : null,
    warmAt: warm?.done ?? null,
    warmTime: warm?.time ?? null,
    endRssMb: end / MB,
    endTime,
    peakRssMb: Math.max(peak, end, vmHwm() ?? 0) / MB,
    errors: final.snapshot.stats.windows.all.errors,
  };
}

if (process.argv[2] === RATE_CHILD) {
  const r = await rateRun(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] === 'live');
  process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}

if (process.argv[2] === MEMORY_CHILD) {
  const r = await memoryChild(Number(process.argv[3]));
  process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}

/** The long run's figures per thread, as markdown (thread 1 is the engine worker; the main thread counts tokens). */
export function memoryThreadsTable(memory) {
  const name = (id) => (id === 0 ? 'main' : id === 1 ? 'engine worker' : `thread ${id}`);
  const f = (v) => (v === null || v === undefined ? '–' : v.toFixed(1));
  const rows = memory.threads.map(
    (t) => `| ${name(t.thread)} | ${f(t.warm?.committedMb)} / ${f(t.warm?.usedMb)} / ${f(t.warm?.youngMb)} MB | ${f(t.end?.committedMb)} / ${f(t.end?.usedMb)} / ${f(t.end?.youngMb)} MB |`,
  );
  return ['| thread | V8 heap after warm-up: committed / used / young generation | at the end |', '| --- | --- | --- |', ...rows].join('\n');
}

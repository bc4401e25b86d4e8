// Streaming capacity: a closed loop holding N streams in flight through the engine (the `replay --loop -c N`
// path, as users run it) against one `relaymon mock` process with a fixed TTFT and ITL, no jitter. For each N:
// streams completed, failures, TTFT error against the injected TTFT (the client's TTFT overhead at that
// level, the mock's own lateness included), queueMs, the CPU of this process (engine worker, counting
// worker and main thread) and of the mock (from /proc), as % of one core.
import { readFileSync } from 'node:fs';
import { Engine } from '../dist/engine/engine.js';
import { startMockProcess } from './mock-process.mjs';
import { pct } from './pct.mjs';
import { target } from './engine.mjs';

export const CAPACITY_MOCK = { ttft: 200, itl: 20, tokens: 40 };
const SPEC = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 64, stream: true };

/** utime + stime of a process, ms (Linux /proc; null elsewhere). */
export function procCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields after "(comm) ": state is [0], utime [11], stime [12], in clock ticks (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

export async function capacityRun(inFlight, seconds, warmupSeconds = 2) {
  const { ttft, itl, tokens } = CAPACITY_MOCK;
  const mock = await startMockProcess(['--ttft', String(ttft), '--itl', String(itl), '--tokens', String(tokens), '--no-jitter']);
  const t = target(mock.url, inFlight);
  const entry = { line: 1, offsetMs: null, spec: SPEC };
  const engine = new Engine({
    targets: [t],
    priceFiles: [],
    plan: { kind: 'replay', entries: [entry], mode: { kind: 'closed', concurrency: inFlight }, loop: true, targets: ['mock'] },
    tickMs: 250,
    stopAfter: { durationMs: seconds * 1000, requests: null },
    graceMs: 10_000,
    log: null,
    thresholds: [],
    secrets: [],
    emitResults: true,
    budgetUsd: null,
    alerts: [],
    liveStats: false,
  });
  const startedEpoch = Date.now();
  const warmEnd = startedEpoch + warmupSeconds * 1000;
  const cpu0 = process.cpuUsage();
  const mock0 = procCpuMs(mock.pid);
  const wall0 = performance.now();
  let cpuAtWarm = null;
  let mockAtWarm = null;
  let wallAtWarm = null;
  const errors = [];
  const queue = [];
  let completed = 0;
  let failed = 0;
  let warmStreams = 0;
  // Streams after the warm-up that still opened a connection (the pool reopening one the mock closed): their
  // TTFT includes the connect, by design (core/result.ts), so they are counted apart.
  const connectTtft = [];
  const failures = new Map();
  const take = (results) => {
    for (const r of results) {
      if (r.startedAt < warmEnd) {
        warmStreams++;
        continue;
      }
      if (!r.ok || r.ttftMs === null) {
        failed++;
        failures.set(r.errorType, (failures.get(r.errorType) ?? 0) + 1);
        continue;
      }
      completed++;
      if (r.newConnection) {
        connectTtft.push(r.ttftMs - ttft);
        continue;
      }
      errors.push(r.ttftMs - ttft);
      queue.push(r.queueMs);
    }
  };
  engine.on('snapshot', (s) => {
    if (cpuAtWarm === null && Date.now() >= warmEnd) {
      cpuAtWarm = process.cpuUsage();
      mockAtWarm = procCpuMs(mock.pid);
      wallAtWarm = performance.now();
    }
    take(s.results);
  });
  const final = await engine.done;
  take(final.snapshot.results);
  const cpu = process.cpuUsage(cpuAtWarm ?? cpu0);
  const mockEnd = procCpuMs(mock.pid);
  const wall = performance.now() - (wallAtWarm ?? wall0);
  await mock.stop();
  errors.sort((a, b) => a - b);
  queue.sort((a, b) => a - b);
  return {
    inFlight,
    seconds,
    warmupSeconds,
    warmStreams,
    streams: completed,
    streamsPerSec: completed / ((seconds - warmupSeconds) || 1),
    failed,
    newConnections: connectTtft.length,
    failures: Object.fromEntries(failures),
    p50: pct(errors, 0.5),
    p99: pct(errors, 0.99),
    max: errors.at(-1),
    queueP50: pct(queue, 0.5),
    queueP99: pct(queue, 0.99),
    clientCpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    mockCpuPct: mockEnd !== null && (mockAtWarm ?? mock0) !== null ? ((mockEnd - (mockAtWarm ?? mock0)) / wall) * 100 : null,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 12);
  const levels = process.argv.slice(3).map(Number);
  for (const n of levels.length ? levels : [100, 250, 500, 1000, 2000]) console.log(JSON.stringify(await capacityRun(n, seconds)));
}

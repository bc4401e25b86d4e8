#!/usr/bin/env node
// relaymon benchmarks. `npm run bench` builds, then runs this; it prints a
// Markdown report (paste it into BENCHMARKS.md) and writes
// bench/results/latest.json. Traffic goes only to a `relaymon mock` child
// process on 127.0.0.1.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startMockProcess } from './mock-process.mjs';
import { pct } from './pct.mjs';
import { loadRun, memoryRun, rateRun, target } from './engine.mjs';
import { RelayClient } from '../dist/client/index.js';
import { PriceTable } from '../dist/pricing/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const TTFT_STREAMS = quick ? 60 : 300;
const THROUGHPUT_SECONDS = quick ? 3 : 10;
const CONNECTIONS = 32;

const startMock = startMockProcess;


const spec = (stream) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Reply with OK' }],
  maxTokens: 16,
  stream,
});

/** TTFT measured by relaymon minus the delay the mock injected, over sequential streams on a warm connection. */
async function ttftError() {
  const INJECTED = 100;
  const mock = await startMock(['--ttft', String(INJECTED), '--itl', '2', '--tokens', '4']);
  const client = new RelayClient(PriceTable.builtIn());
  const t = target(mock.url, 4);
  for (let i = 0; i < 5; i++) await client.execute(t, spec(true)); // warm-up: JIT, connection pool
  const errors = [];
  let next = 0;
  const worker = async () => {
    while (next < TTFT_STREAMS) {
      next++;
      const r = await client.execute(t, spec(true));
      if (!r.ok || r.ttftMs === null) throw new Error(`bench stream failed: ${r.errorType} ${r.errorMessage}`);
      errors.push(r.ttftMs - INJECTED);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await client.close();
  await mock.stop();
  errors.sort((a, b) => a - b);
  return { injectedMs: INJECTED, streams: errors.length, concurrency: 4, p50: pct(errors, 0.5), p99: pct(errors, 0.99), min: errors[0], max: errors.at(-1) };
}

/** Closed-loop non-streaming requests/s with the same connection count, relaymon's client vs autocannon. */
async function throughput() {
  const mock = await startMock(['--ttft', '0', '--itl', '0', '--tokens', '1']);
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], max_tokens: 16, stream: false });

  const ac = await autocannon({
    url: `${mock.url}/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: THROUGHPUT_SECONDS,
  });
  const acRps = ac.requests.total / THROUGHPUT_SECONDS;

  const client = new RelayClient(PriceTable.builtIn());
  const t = target(mock.url, CONNECTIONS);
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  let ok = 0;
  let failed = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const r = await client.execute(t, spec(false));
      if (r.ok) ok++;
      else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await client.close();
  await mock.stop();
  const rmRps = ok / elapsed;
  return { connections: CONNECTIONS, seconds: THROUGHPUT_SECONDS, relaymonRps: rmRps, relaymonFailed: failed, autocannonRps: acRps, autocannonNon2xx: ac.non2xx, ratio: rmRps / acRps };
}

const f = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${os.platform()}`;
const ttft = await ttftError();
const tp = await throughput();
const RATE_SECONDS = quick ? 5 : 30;
const rates = [];
for (const rps of [20, 200, 1000]) rates.push(await rateRun(rps, RATE_SECONDS, false));
// The dashboard (watch) will ask for every window 4 times a second: the same 200/s with live statistics.
rates.push(await rateRun(200, RATE_SECONDS, true));
const memory = await memoryRun(quick ? 30_000 : 300_000);
const LOAD_SECONDS = quick ? 5 : 12;
const loads = [];
for (const n of [8, 100]) loads.push(await loadRun(n, LOAD_SECONDS));
const results = { date: new Date().toISOString(), machine, quick, ttft, throughput: tp, rates, memory, loads };
mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(`${ROOT}bench/results/latest.json`, JSON.stringify(results, null, 2) + '\n');

console.log(`## Client (\`npm run bench\`${quick ? ' -- --quick' : ''}, ${results.date.slice(0, 10)})

Machine: ${machine}. Mock and load generator share the machine.

| measure | value |
| --- | --- |
| TTFT error vs injected ${ttft.injectedMs} ms, p50 (${ttft.streams} streams, ${ttft.concurrency} at a time) | ${f(ttft.p50)} ms |
| TTFT error p99 (goal ≤ 2 ms) | ${f(ttft.p99)} ms |
| TTFT error min / max | ${f(ttft.min)} / ${f(ttft.max)} ms |
| non-streaming req/s, relaymon client, ${tp.connections} connections, ${tp.seconds} s | ${f(tp.relaymonRps, 0)} (${tp.relaymonFailed} failed) |
| non-streaming req/s, autocannon, same mock, same connections | ${f(tp.autocannonRps, 0)} (${tp.autocannonNon2xx} non-2xx) |
| relaymon / autocannon | ${f(tp.ratio)} |

## Engine (same run)

Constant-rate probe streams through the engine worker for ${RATE_SECONDS} s against \`relaymon mock --ttft 20 --itl 5 --tokens 4\` (streaming).
Goal: achieved within 1% of requested; send lateness p99 ≤ 2 ms at 200/s.

Headless runs (check, replay) take no live window statistics; the last row computes every window in every 250 ms snapshot, as the dashboard will.

First request: a fresh engine replays 40 lines at the same rate first; its first send's lateness at the socket (queueMs) against the median of the other 39.

| requested /s | live stats | scheduled | sent | achieved /s | errors | lateness p50 | p99 | max | worker loop delay p99 (worst tick) | CPU (% of a core, not the mock) | first request late / rest median |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rates.map((r) => `| ${r.requestedRps} | ${r.liveStats ? 'all windows' : 'none'} | ${r.scheduled} | ${r.sent} | ${f(r.achievedRps, 1)} | ${r.errors} | ${f(r.lagP50)} ms | ${f(r.lagP99)} ms | ${f(r.lagMax)} ms | ${f(r.loopDelayP99Max, 1)} ms | ${f(r.cpuPctOfCore, 1)} | ${f(r.firstLateMs)} / ${f(r.restLateMedianMs)} ms |`).join('\n')}

Long run: ${memory.requests} requests, closed loop (32 in flight, non-streaming, mock with no delay), ${f(memory.seconds, 0)} s, ${f(memory.rps, 0)} req/s, ${memory.errors} errors.
Goal: RSS growth ≤ 10 MB after warm-up.

| RSS after warm-up (${memory.warmAt} requests) | RSS at the end | growth | peak |
| --- | --- | --- | --- |
| ${f(memory.warmRssMb, 1)} MB | ${f(memory.endRssMb, 1)} MB | ${f(memory.endRssMb - memory.warmRssMb, 1)} MB | ${f(memory.peakRssMb, 1)} MB |

TTFT under load: a closed loop keeping N streams in flight for ${LOAD_SECONDS} s (the \`replay --loop -c N\` path) against \`relaymon mock --ttft 200 --itl 20 --tokens 40 --no-jitter\`; the truth is the injected 200 ms. Time spent waiting inside relaymon belongs in queueMs, never in TTFT.

| in flight | streams | failed | TTFT error p50 | p99 | max | queueMs p50 | p99 |
| --- | --- | --- | --- | --- | --- | --- | --- |
${loads.map((l) => `| ${l.inFlight} | ${l.streams} | ${l.failed} | ${f(l.p50)} ms | ${f(l.p99)} ms | ${f(l.max)} ms | ${f(l.queueP50)} ms | ${f(l.queueP99)} ms |`).join('\n')}`);

#!/usr/bin/env node
// Where the non-streaming throughput goal (issue 14: relaymon ≥ 1.0× autocannon)
// stands against the HTTP client relaymon is built on. Three load generators, each
// a closed loop over 32 keep-alive connections against one `relaymon mock` child on
// 127.0.0.1, in alternating rounds in this one process:
//   - autocannon (the reference);
//   - undici's Pool.dispatch with a handler that does nothing with the answer
//     (the floor: what any client built on undici pays per request);
//   - relaymon's RelayClient (the product: the answer parsed, usage, cost and
//     honesty checks, a RequestResult built).
// For each: requests/s, this process's CPU per request (all threads) and the mock's.
// On two cores each load generator and the mock run one thread each, so a
// generator keeps up with autocannon only while its CPU per request is no more
// than the mock's (the mock is autocannon's bottleneck).
//
//   node bench/undici-floor.mjs [--quick]
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { startMockProcess } from './mock-process.mjs';
import { procCpuMs } from './capacity.mjs';
import { pct } from './pct.mjs';
import { target } from './engine.mjs';
import { RelayClient } from '../dist/client/index.js';
import { PriceTable } from '../dist/pricing/table.js';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 4;
const ROUNDS = quick ? 1 : 3;
const CONNECTIONS = 32;
const MODEL = 'gpt-4o-mini';

const mock = await startMockProcess(['--ttft', '0', '--itl', '0', '--tokens', '1']);
const url = new URL(`${mock.url}/chat/completions`);
const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Reply with OK' }], max_tokens: 16, stream: false });
const headers = { 'content-type': 'application/json', accept: 'application/json' };
const spec = { model: MODEL, messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: false };

const pool = new Pool(url.origin, { connections: CONNECTIONS, headersTimeout: 0, bodyTimeout: 0 });
/** One request through undici with a handler that keeps nothing: resolves when the answer has ended. */
const bare = () =>
  new Promise((resolve, reject) => {
    pool.dispatch(
      { origin: url.origin, path: url.pathname, method: 'POST', headers, body },
      { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: () => resolve(), onResponseError: (_c, err) => reject(err) },
    );
  });
const client = new RelayClient(PriceTable.builtIn());
await client.prepare([MODEL]);
const t = target(mock.url, CONNECTIONS);
const relaymon = async () => {
  const r = await client.execute(t, spec);
  if (!r.ok) throw new Error(`relaymon request failed: ${r.errorType} ${r.errorMessage}`);
};
// Warm-up: JIT, both pools' connections, the token counter.
for (let i = 0; i < 300; i++) await Promise.all([bare(), relaymon()]);

async function loop(send) {
  const deadline = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        await send();
        n++;
      }
    }),
  );
  return n;
}

async function measure(arm) {
  const cpu0 = process.cpuUsage();
  const mock0 = procCpuMs(mock.pid);
  const started = performance.now();
  let n;
  if (arm === 'autocannon') {
    const ac = await autocannon({ url: url.href, method: 'POST', headers, body, connections: CONNECTIONS, duration: SECONDS });
    if (ac.non2xx + ac.errors > 0) throw new Error(`autocannon: ${ac.non2xx} non-2xx, ${ac.errors} errors`);
    n = ac['2xx'];
  } else n = await loop(arm === 'undici' ? bare : relaymon);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mockMs = procCpuMs(mock.pid);
  return { rps: n / seconds, cpuUs: (cpu.user + cpu.system) / n, mockUs: mockMs === null || mock0 === null ? NaN : ((mockMs - mock0) * 1000) / n };
}

const arms = ['autocannon', 'undici', 'relaymon'];
const runs = Object.fromEntries(arms.map((a) => [a, []]));
for (let r = 0; r < ROUNDS; r++) {
  // Rotate which arm goes first: the machine's load moves from minute to minute.
  for (let i = 0; i < arms.length; i++) {
    const arm = arms[(i + r) % arms.length];
    runs[arm].push(await measure(arm));
  }
}
await pool.close();
await client.close();
await mock.stop();

const med = (xs) => pct([...xs].sort((a, b) => a - b), 0.5);
const row = (arm) => {
  const rs = runs[arm];
  const rps = med(rs.map((x) => x.rps));
  const ratios = rs.map((x, i) => x.rps / runs.autocannon[i].rps).sort((a, b) => a - b);
  return { rps, cpuUs: med(rs.map((x) => x.cpuUs)), mockUs: med(rs.map((x) => x.mockUs)), ratio: med(ratios), lo: ratios[0], hi: ratios.at(-1) };
};
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const rows = Object.fromEntries(arms.map((a) => [a, row(a)]));
console.log(`## undici's floor against autocannon (\`node bench/undici-floor.mjs\`, ${new Date().toISOString().slice(0, 10)})

Node ${process.version}. ${CONNECTIONS} connections each, ${ROUNDS} rounds of ${SECONDS} s, arms rotated per round, one \`relaymon mock --ttft 0 --itl 0 --tokens 1\` child; medians; ratio = the arm's req/s over autocannon's in the same round.

| load generator | req/s | / autocannon (rounds) | CPU per request, this process | mock's CPU per request |
| --- | --- | --- | --- | --- |
| autocannon | ${f(rows.autocannon.rps)} | 1.00 | ${f(rows.autocannon.cpuUs)} µs | ${f(rows.autocannon.mockUs)} µs |
| undici \`Pool.dispatch\`, a handler that keeps nothing | ${f(rows.undici.rps)} | ${f(rows.undici.ratio, 2)} (${f(rows.undici.lo, 2)}–${f(rows.undici.hi, 2)}) | ${f(rows.undici.cpuUs)} µs | ${f(rows.undici.mockUs)} µs |
| relaymon \`RelayClient\` | ${f(rows.relaymon.rps)} | ${f(rows.relaymon.ratio, 2)} (${f(rows.relaymon.lo, 2)}–${f(rows.relaymon.hi, 2)}) | ${f(rows.relaymon.cpuUs)} µs | ${f(rows.relaymon.mockUs)} µs |

relaymon's own work per request over undici's floor: ${f(rows.relaymon.cpuUs - rows.undici.cpuUs)} µs; undici's floor over autocannon: ${f(rows.undici.cpuUs - rows.autocannon.cpuUs)} µs.`);

#!/usr/bin/env node
// A closed loop of non-streaming (or streaming) requests through RelayClient against a
// `relaymon mock` child, for profiling the client's per-request cost:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/client-loop.mjs [seconds] [connections] [--stream]
//   node bench/cpuprofile-summary.mjs /tmp/prof/*.cpuprofile
import { startMockProcess } from './mock-process.mjs';
import { target } from './engine.mjs';
import { readFileSync } from 'node:fs';
// CLIENT_DIST=path/to/another/dist compares a build against this one (A/B in one session).
const dist = process.env.CLIENT_DIST ? new URL(`file://${process.env.CLIENT_DIST.replace(/\/?$/, '/')}`) : new URL('../dist/', import.meta.url);
const { RelayClient } = await import(new URL('client/index.js', dist).href);
const { PriceTable } = await import(new URL('pricing/table.js', dist).href);

// The mock's CPU (utime + stime from /proc, ms): as bench/capacity.mjs reads it, without loading the engine here.
function procCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(args[0] ?? 10);
const connections = Number(args[1] ?? 32);
const stream = process.argv.includes('--stream');
const mock = await startMockProcess(stream ? ['--ttft', '0', '--itl', '0', '--tokens', '4', '--no-jitter'] : ['--ttft', '0', '--itl', '0', '--tokens', '1']);
const client = new RelayClient(PriceTable.builtIn());
await client.prepare(['gpt-4o-mini']);
const t = target(mock.url, connections);
const spec = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream };
for (let i = 0; i < 200; i++) await client.execute(t, spec);
const deadline = performance.now() + seconds * 1000;
let ok = 0;
let failed = 0;
const cpu0 = process.cpuUsage();
const mock0 = procCpuMs(mock.pid);
const started = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      const r = await client.execute(t, spec);
      if (r.ok) ok++;
      else failed++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const mockMs = procCpuMs(mock.pid);
await client.close();
await mock.stop();
console.log(JSON.stringify({ rps: Math.round(ok / elapsed), requests: ok + failed + 200, failed, cpuUsPerRequest: Math.round((cpu.user + cpu.system) / ok), sysUsPerRequest: Math.round(cpu.system / ok), mockCpuUsPerRequest: mockMs === null || mock0 === null ? null : Math.round(((mockMs - mock0) * 1000) / ok) }));

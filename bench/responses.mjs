#!/usr/bin/env node
// The client's TTFT overhead on Responses API streams vs Chat Completions
// streams, in the same run against the same server (bench/responses-server.mjs,
// its own process): streams alternate between the two protocols, 4 in flight,
// on warm connections. TTFT error = relaymon's ttftMs − the TTFT the server
// injected; it holds the server's timer lateness, loopback and the client's
// own cost, alike for both protocols but for the decoding.
// Run after `npm run build`: node bench/responses.mjs [--quick]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pct } from './pct.mjs';
import { target } from './engine.mjs';
import { RelayClient } from '../dist/client/index.js';
import { PriceTable } from '../dist/pricing/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const STREAMS_PER_PROTOCOL = quick ? 100 : 400;
const INJECTED = 100;
const IN_FLIGHT = 4;

function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bench/responses-server.mjs`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = /^listening on (\S+)$/.exec(line);
      if (!m) return reject(new Error(`server said: ${line}`));
      resolve({ url: m[1], stop: () => new Promise((r) => (child.once('close', r), child.kill('SIGTERM'))) });
    });
    child.once('error', reject);
  });
}

const spec = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };

const server = await startServer(['--ttft', String(INJECTED), '--itl', '2', '--tokens', '4']);
const client = new RelayClient(PriceTable.builtIn());
const targets = {
  'openai': { ...target(server.url, IN_FLIGHT), name: 'chat', protocol: 'openai' },
  'openai-responses': { ...target(server.url, IN_FLIGHT), name: 'responses', protocol: 'openai-responses' },
};
const errors = { openai: [], 'openai-responses': [] };
try {
  // Warm-up: JIT, connection pools, the token counter.
  for (let i = 0; i < 5; i++) for (const t of Object.values(targets)) await client.execute(t, spec);
  let next = 0;
  const total = 2 * STREAMS_PER_PROTOCOL;
  const worker = async () => {
    while (next < total) {
      // Alternate: stream k goes to Chat Completions when k is even, to Responses when odd.
      const protocol = next++ % 2 === 0 ? 'openai' : 'openai-responses';
      const r = await client.execute(targets[protocol], spec);
      if (!r.ok || r.ttftMs === null) throw new Error(`bench stream failed (${protocol}): ${r.errorType} ${r.errorMessage}`);
      errors[protocol].push(r.ttftMs - INJECTED);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
} finally {
  await client.close();
  await server.stop();
}

const stats = {};
for (const [protocol, xs] of Object.entries(errors)) {
  xs.sort((a, b) => a - b);
  stats[protocol] = { streams: xs.length, p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99), min: xs[0], max: xs.at(-1) };
}
const f = (x) => x.toFixed(2);
const rows = Object.entries(stats).map(
  ([p, s]) => `| ${p === 'openai' ? 'Chat Completions' : 'Responses'} | ${s.streams} | ${f(s.p50)} ms | ${f(s.p90)} ms | ${f(s.p99)} ms | ${f(s.min)} / ${f(s.max)} ms |`,
);
const diff = stats['openai-responses'].p50 - stats.openai.p50;
console.log(`TTFT error by protocol, same run, same server (bench/responses-server.mjs: first token after ${INJECTED} ms, 4 tokens 2 ms apart), streams alternating between the protocols, ${IN_FLIGHT} in flight.

| protocol | streams | TTFT error p50 | p90 | p99 | min / max |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Responses − Chat Completions, p50: ${diff >= 0 ? '+' : ''}${f(diff)} ms`);
mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(`${ROOT}bench/results/responses.json`, JSON.stringify({ date: new Date().toISOString(), quick, injectedMs: INJECTED, inFlight: IN_FLIGHT, stats }, null, 2) + '\n');

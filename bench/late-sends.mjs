// Which sends of a 200/s probe run leave late, and when: one engine sends for `seconds` against
// `relaymon mock --ttft 20 --itl 5 --tokens 4`, headless or with live windows as `watch` asks for them,
// and every send later than `overMs` is printed as [send index, its instant in ms from the first, queueMs].
// Not part of `npm run bench`: it is how the send after the run's first second was found late in every run
// (BENCHMARKS.md, "Issue 14's ninth round").
// Usage: node bench/late-sends.mjs [headless|live] [seconds=10] [overMs=3]
import { Engine } from '../dist/engine/engine.js';
import { liveWindowsFor } from '../dist/run/pipeline.js';
import { target } from './engine.mjs';
import { startMockProcess } from './mock-process.mjs';

const live = process.argv[2] === 'live';
const seconds = Number(process.argv[3] ?? 10);
const overMs = Number(process.argv[4] ?? 3);
const SPEC = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };
const mock = await startMockProcess(['--ttft', '20', '--itl', '5', '--tokens', '4']);
const engine = new Engine({
  targets: [target(mock.url, 256)],
  priceFiles: [],
  plan: { kind: 'probes', streams: [{ probe: 'bench', target: 'mock', spec: SPEC, schedule: { kind: 'every', intervalMs: 5 }, seed: 1 }] },
  tickMs: 250,
  stopAfter: { durationMs: seconds * 1000, requests: null },
  graceMs: 10_000,
  log: null,
  thresholds: [],
  secrets: [],
  emitResults: true,
  budgetUsd: null,
  alerts: [],
  liveStats: live,
  ...(live ? { liveWindows: liveWindowsFor('1m') } : {}),
});
const results = [];
engine.on('snapshot', (s) => results.push(...s.results));
const final = await engine.done;
results.push(...final.snapshot.results);
await mock.stop();
results.sort((a, b) => a.scheduledAt - b.scheduledAt);
const first = results[0]?.scheduledAt ?? 0;
const late = results.map((r, i) => [i, Number((r.scheduledAt - first).toFixed(1)), Number(r.queueMs.toFixed(2))]).filter(([, , q]) => q > overMs);
console.log(`${live ? 'live' : 'headless'}: ${results.length} sends, ${late.length} later than ${overMs} ms: ${JSON.stringify(late)}`);
process.exit(0);

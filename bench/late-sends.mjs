// Which sends of a 200/s probe run leave late, and when: one engine sends for `seconds` against
// `relaymon mock --ttft 20 --itl 5 --tokens 4`, headless or with live windows as `watch` asks for them,
// and every send later than `overMs` is printed as [send index, its instant in ms from the first, queueMs].
// Not part of `npm run bench`: it is how the send after the run's first second was found late in every run
// (BENCHMARKS.md, "Issue 14's ninth round").
// Usage: node bench/late-sends.mjs [headless|live] [seconds=10] [overMs=3]
import { Engine } from '../dist/engine/engine.js';
import { baseConfig, SPEC, target } from './engine.mjs';
import { startMockProcess } from './mock-process.mjs';

const live = process.argv[2] === 'live';
const seconds = Number(process.argv[3] ?? 10);
const overMs = Number(process.argv[4] ?? 3);
const mock = await startMockProcess(['--ttft', '20', '--itl', '5', '--tokens', '4']);
const plan = { kind: 'probes', streams: [{ probe: 'bench', target: 'mock', spec: SPEC, schedule: { kind: 'every', intervalMs: 5 }, seed: 1 }] };
const engine = new Engine({ ...baseConfig(target(mock.url, 256), plan, { durationMs: seconds * 1000, requests: null }, live), emitResults: true });
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

// Each send's lateness by its place in a fresh run: `engines` fresh engines in turn, each replaying 40 lines at
// 200/s against one `relaymon mock --ttft 20 --itl 5 --tokens 4` (as firstRequestRuns does), and for every send
// index the median of its queueMs over the engines. Not part of `npm run bench`: it is how the sends due as a
// run's first answers end were found late (BENCHMARKS.md, "Issue 14's sixth round").
// Usage: node bench/early-sends.mjs [engines=8] [ratePerSec=200]
import { replayResults } from './engine.mjs';
import { startMockProcess } from './mock-process.mjs';
import { pct } from './pct.mjs';

const engines = Number(process.argv[2] ?? 8);
const ratePerSec = Number(process.argv[3] ?? 200);
const COUNT = 40;
const mock = await startMockProcess(['--ttft', '20', '--itl', '5', '--tokens', '4']);
const runs = [];
for (let e = 0; e < engines; e++) runs.push((await replayResults(mock.url, ratePerSec, COUNT)).map((r) => r.queueMs));
await mock.stop();
const byIndex = Array.from({ length: COUNT }, (_, i) => pct(runs.map((r) => r[i]).filter(Number.isFinite).sort((a, b) => a - b), 0.5));
console.log(`send lateness (queueMs) by send index, median of ${engines} fresh engines at ${ratePerSec}/s, ms:`);
for (let i = 0; i < COUNT; i += 10) console.log(`${String(i + 1).padStart(2)}–${i + 10}: ${byIndex.slice(i, i + 10).map((x) => x.toFixed(2)).join(' ')}`);
process.exit(0);

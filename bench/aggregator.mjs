#!/usr/bin/env node
// Benchmarks of the rolling-window aggregator (src/stats/windows.ts), from the
// build: run `npx tsc -p tsconfig.build.json` first. Pure CPU and memory, no
// network. Prints a Markdown table and the command that produced it.
//
//   node --expose-gc bench/aggregator.mjs [--quick] [--json] [--no-memory]
//
// RELAYMON_DIST=/other/checkout/dist measures another build with this same
// harness (bench/aggregator-ab.mjs compares two builds that way).
// Exports the three measurements so bench/run.mjs can include them.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = process.env.RELAYMON_DIST ? pathToFileURL(resolve(process.env.RELAYMON_DIST) + '/').href : new URL('../dist/', import.meta.url).href;
const { WindowedStats } = await import(new URL('stats/windows.js', DIST).href);
// The seeded PRNG lived in mock/ before issue 12 moved it to core/.
const { mulberry32 } = await import(new URL('core/random.js', DIST).href).catch(() => import(new URL('mock/random.js', DIST).href));


/** A deterministic PRNG (mulberry32) so runs are comparable. */
const rng = mulberry32;

const TARGETS = Array.from({ length: 8 }, (_, i) => `relay-${i}`);
const MODELS = ['gpt-4o', 'claude-sonnet-4-5'];

/** `n` varied results over 8 targets × 2 models × 1 probe, 5 % failures, `gaps` chunk gaps each. */
export function makeResults(n, seed = 1, gaps = 8) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const lat = Math.exp(Math.log(300) + r() * 3);
    const ok = r() >= 0.05;
    out.push({
      target: TARGETS[i % 8],
      probe: 'chat',
      protocol: 'openai',
      model: MODELS[(i >> 3) % 2],
      responseModel: ok ? MODELS[(i >> 3) % 2] : null,
      modelMismatch: false,
      usageMismatch: false,
      systemFingerprint: null,
      requestId: null,
      requestIds: {},
      stream: true,
      startedAt: 0,
      scheduledAt: 0,
      sentAt: 0,
      headersAt: 0,
      firstTokenAt: 0,
      firstContentAt: 0,
      lastTokenAt: 0,
      endAt: 0,
      queueMs: r() * 2,
      connectMs: null,
      newConnection: false,
      ttfbMs: ok ? lat * 0.2 : null,
      ttftMs: ok ? lat * 0.4 : null,
      ttftContentMs: ok ? lat * 0.4 : null,
      latencyMs: lat,
      latencyScheduledMs: lat + r() * 5,
      itlMs: ok ? 5 + r() * 30 : null,
      chunkGapsMs: ok ? Array.from({ length: gaps }, () => r() * 60) : [],
      chunks: ok ? gaps + 1 : 0,
      outputTokensPerSecond: ok ? 20 + r() * 200 : null,
      ok,
      httpStatus: ok ? 200 : r() < 0.5 ? 429 : null,
      errorType: ok ? null : 'rate_limited',
      timeoutPhase: null,
      errorMessage: null,
      retryAfterMs: null,
      responseBytes: 2000,
      inputTokens: ok ? 20 : null,
      outputTokens: ok ? 50 : null,
      cachedInputTokens: null,
      reasoningTokens: null,
      usageSource: ok ? 'reported' : null,
      costUsd: ok ? 0.0004 : null,
      reportedCostUsd: null,
      rateLimit: { requestsRemaining: null, requestsLimit: null, tokensRemaining: null, tokensLimit: null },
      localInputTokens: ok ? 20 : null,
      localOutputTokens: ok ? 50 : null,
      localCountKind: ok ? 'exact' : null,
      usageGapTokens: ok ? 0 : null,
      usageGapRatio: ok ? 0 : null,
      costGapUsd: null,
      fingerprintChanged: false,
      streamViolations: [],
    });
  }
  return out;
}

/**
 * Results per second through record(), timestamps advancing at `simRate`
 * results per simulated second (so slots close as they would at that rate).
 */
export function ingestBench({ total = 3_000_000, simRate = 1_000_000, rounds = 3, gaps = 8 } = {}) {
  const pool = makeResults(100_000, 2, gaps);
  const rates = [];
  for (let round = 0; round < rounds; round++) {
    const s = new WindowedStats({ startMs: 0 });
    const t0 = performance.now();
    for (let i = 0; i < total; i++) s.record(pool[i % pool.length], (i * 1000) / simRate);
    s.snapshot((total * 1000) / simRate);
    const ms = performance.now() - t0;
    rates.push((total / ms) * 1000);
  }
  rates.sort((a, b) => a - b);
  const resultsPerSec = rates[Math.floor(rates.length / 2)];
  // Failed results (5 %) carry only latency and latency_scheduled.
  let values = 0;
  for (const r of pool) values += [r.latencyMs, r.latencyScheduledMs, r.ttfbMs, r.ttftMs, r.itlMs, r.outputTokensPerSecond].filter((v) => v !== null).length + r.chunkGapsMs.length;
  const valuesPerResult = values / pool.length;
  return { resultsPerSec, valuesPerResult, valuesPerSec: resultsPerSec * valuesPerResult, gaps, total, simRate };
}

/**
 * µs per snapshot for 8 targets × 2 models with every window full: `rps`
 * results per second in total for 16 simulated minutes, then snapshots every
 * 250 ms while traffic continues (each snapshot sees new results in every cell).
 */
export function snapshotBench({ rps = 400, snapshots = 400 } = {}) {
  const pool = makeResults(50_000, 3);
  const s = new WindowedStats({ startMs: 0 });
  let i = 0;
  let now = 0;
  const feed = (untilMs) => {
    for (; now < untilMs; now += 1000 / rps) s.record(pool[i++ % pool.length], now);
  };
  feed(16 * 60_000);
  const busy = [];
  for (let k = 0; k < snapshots; k++) {
    feed(now + 250);
    const t0 = performance.now();
    s.snapshot(now);
    busy.push((performance.now() - t0) * 1000);
  }
  const idle = [];
  for (let k = 0; k < 50; k++) {
    const t0 = performance.now();
    s.snapshot(now);
    idle.push((performance.now() - t0) * 1000);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const restricted = [];
  for (let k = 0; k < 100; k++) {
    feed(now + 250);
    const t0 = performance.now();
    s.snapshot(now, { windows: ['1m'] });
    restricted.push((performance.now() - t0) * 1000);
  }
  const size = JSON.stringify(s.snapshot(now)).length;
  return { busyUs: median(busy), idleUs: median(idle), oneWindowUs: median(restricted), rps, jsonBytes: size, footprint: s.footprint() };
}

function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 1048576, live: (m.heapUsed + m.arrayBuffers) / 1048576 };
}

/**
 * RSS over an accelerated long run: `total` results spread evenly over
 * `hours` simulated hours on 8 targets × 2 models, a snapshot every simulated
 * 5 s; RSS and live heap (heapUsed + arrayBuffers), after GC when run with
 * --expose-gc, at the start, after a warm-up of one simulated hour, every
 * hour after it, and at the end.
 */
export function memoryBench({ total = 300_000, hours = 6 } = {}) {
  const pool = makeResults(20_000, 4);
  const spanMs = hours * 3_600_000;
  const start = memory();
  const s = new WindowedStats({ startMs: 0 });
  let nextSnap = 0;
  let nextHour = 3_600_000;
  const hourly = [];
  let warmFootprint = null;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const at = (i / total) * spanMs;
    s.record(pool[i % pool.length], at);
    if (at >= nextSnap) {
      s.snapshot(at);
      nextSnap += 5000;
    }
    if (at >= nextHour) {
      hourly.push(memory());
      warmFootprint ??= s.footprint();
      nextHour += 3_600_000;
    }
  }
  s.snapshot(spanMs);
  const end = memory();
  const endFootprint = s.footprint();
  // Keep the input alive to the end, so the last reading does not drop it.
  if (pool.length === 0) throw new Error('no input');
  const warm = hourly[0];
  const after = [...hourly, end];
  return {
    total,
    hours,
    seconds: (performance.now() - t0) / 1000,
    start,
    warm,
    end,
    rssGrowthAfterWarmMb: end.rss - warm.rss,
    rssMaxAfterWarmMb: Math.max(...after.map((m) => m.rss)),
    liveGrowthAfterWarmMb: end.live - warm.live,
    hourlyRssMb: after.map((m) => Math.round(m.rss)),
    gc: typeof globalThis.gc === 'function',
    footprintWarm: warmFootprint,
    footprintEnd: endFootprint,
  };
}

function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main() {
  const quick = process.argv.includes('--quick');
  // Memory first, while the heap holds nothing else.
  const mem = process.argv.includes('--no-memory') ? null : memoryBench();
  const ingest = ingestBench(quick ? { total: 1_000_000, rounds: 1 } : {});
  const ingestNoGaps = ingestBench(quick ? { total: 1_000_000, rounds: 1, gaps: 0 } : { gaps: 0 });
  const snap = snapshotBench(quick ? { snapshots: 100 } : {});
  const snapLight = snapshotBench({ rps: 40, snapshots: quick ? 100 : 400 });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ ingest, ingestNoGaps, snap, snapLight, mem }, null, 2));
    return;
  }
  const cmd = `node ${process.execArgv.join(' ')} bench/aggregator.mjs ${process.argv.slice(2).join(' ')}`.replace(/\s+/g, ' ').trim();
  const lines = [
    `Aggregator (src/stats/windows.ts), Node ${process.version}. Command: \`${cmd}\``,
    '',
    '| measure | result | goal |',
    '|---|---|---|',
    `| ingest: record() of results with ${ingestNoGaps.gaps} chunk gaps (${fmt(ingestNoGaps.valuesPerResult, 1)} histogram values each), results/s | ${fmt(ingestNoGaps.resultsPerSec)} | ≥ 1,000,000 |`,
    `| ingest: results with ${ingest.gaps} chunk gaps (${fmt(ingest.valuesPerResult, 1)} values each), results/s (values/s) | ${fmt(ingest.resultsPerSec)} (${fmt(ingest.valuesPerSec)}) | |`,
    `| snapshot, 8 targets × 2 models, all 4 windows full, ${snapLight.rps} results/s | ${fmt(snapLight.busyUs)} µs | cheap at 4/s |`,
    `| snapshot, same, ${snap.rps} results/s (new results in every cell each time) | ${fmt(snap.busyUs)} µs | |`,
    `| snapshot, same, nothing new since the last one | ${fmt(snap.idleUs)} µs | |`,
    `| snapshot, ${snap.rps} results/s, '1m' only | ${fmt(snap.oneWindowUs)} µs | |`,
    `| snapshot size as JSON | ${fmt(snap.jsonBytes / 1024, 1)} KiB | |`,
  ];
  if (mem) {
    lines.push(
      `| RSS at start / after 1 h warm-up / at end (${fmt(mem.total)} results over ${mem.hours} simulated h, 8 targets × 2 models, ${fmt(mem.seconds, 1)} s)${mem.gc ? ', after GC' : ''} | ${fmt(mem.start.rss, 1)} / ${fmt(mem.warm.rss, 1)} / ${fmt(mem.end.rss, 1)} MB | |`,
      `| RSS growth after warm-up (hourly: ${mem.hourlyRssMb.join(', ')} MB) | ${fmt(mem.rssGrowthAfterWarmMb, 1)} MB | ≤ 10 MB |`,
      `| live heap (heapUsed + arrayBuffers) after warm-up → end | ${fmt(mem.warm.live, 1)} → ${fmt(mem.end.live, 1)} MB | flat |`,
      `| live slots / histograms / bytes held, after warm-up → end | ${mem.footprintWarm.liveSlots} / ${mem.footprintWarm.histograms} / ${fmt(mem.footprintWarm.bytes / 1048576, 2)} MiB → ${mem.footprintEnd.liveSlots} / ${mem.footprintEnd.histograms} / ${fmt(mem.footprintEnd.bytes / 1048576, 2)} MiB | flat |`,
    );
  }
  console.log(lines.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

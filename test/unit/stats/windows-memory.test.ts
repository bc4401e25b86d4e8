import { describe, expect, it } from 'vitest';
import { DIST_COUNT } from '../../../src/stats/bucket.js';
import { mulberry32 } from '../../../src/core/random.js';
import { WindowedStats, type AggregatorFootprint } from '../../../src/stats/windows.js';
import { makeFailure, makeResult } from './fixtures.js';
import { latency } from './windows-gen.js';

describe('memory stays flat', () => {
  it('300,000 results over 6 simulated hours: live slots and histograms stay bounded', { timeout: 120_000 }, () => {
    const rng = mulberry32(21);
    // One target × 2 models keeps an accelerated 6 h quick enough for a unit test
    // (the cost is every 15 s slot merged into aggregates as large as 15 min of
    // data, 1,440 times); the benchmark runs 8 targets × 2 models.
    const targets = ['relay-a'];
    const models = ['gpt-4o', 'claude-sonnet-4-5'];
    const s = new WindowedStats({ startMs: 0 });
    const total = 300_000;
    const spanMs = 6 * 3_600_000;
    const hourly: AggregatorFootprint[] = [];
    let nextSnap = 0;
    let quiet: AggregatorFootprint | null = null;
    for (let i = 0; i < total; i++) {
      const at = (i / total) * spanMs;
      // A quiet half hour in the middle: a pause in traffic must release the slots too.
      if (at >= 3 * 3_600_000 && at < 3.5 * 3_600_000) continue;
      if (quiet === null && at >= 3.5 * 3_600_000) {
        const snap = s.snapshot(3.5 * 3_600_000 - 1);
        expect(snap.windows['15m'].requests).toBe(0);
        expect(snap.windows.all.requests).toBe(total / 2);
        quiet = s.footprint();
      }
      const identity = { target: targets[0]!, model: models[i % 2]!, probe: 'chat' };
      const lat = latency(rng);
      const r =
        rng() < 0.05
          ? makeFailure('server_error', { ...identity, httpStatus: 500, latencyMs: lat, latencyScheduledMs: lat })
          : makeResult({ ...identity, latencyMs: lat, latencyScheduledMs: lat + 3, ttftMs: lat / 3, chunkGapsMs: [rng() * 40, rng() * 40] });
      s.record(r, at);
      if (at >= nextSnap) {
        s.snapshot(at);
        if (nextSnap % 3_600_000 === 0 && nextSnap > 0) hourly.push(s.footprint());
        nextSnap += 60_000;
      }
    }
    const end = s.footprint();
    hourly.push(end);
    // Nothing in any ring after a pause longer than the longest window.
    expect(quiet?.liveSlots).toBe(0);
    expect(s.snapshot(spanMs).windows.all.requests).toBe(total - total / 12);

    // 2 cells (target × model; one probe); one roll-up: the target, which is also everything.
    expect(end.cells).toBe(2);
    expect(end.nodes).toBe(2 + 1);
    expect(end.liveSlots).toBeGreaterThan(end.cells * 110);
    for (const f of hourly) {
      // Each cell: at most 60 one-second and 60 fifteen-second slots (roll-ups keep none).
      expect(f.liveSlots).toBeLessThanOrEqual(f.cells * 120);
      // Slots, plus per cell 1 open slot, 1 open 15 s slot, 4 aggregates; per roll-up 4 + 1.
      expect(f.buckets).toBeLessThanOrEqual(f.liveSlots + f.cells * 6 + (f.nodes - f.cells) * 5);
      // Each bucket: at most one histogram per distribution.
      expect(f.histograms).toBeLessThanOrEqual(f.buckets * DIST_COUNT);
    }
    // After the first hour nothing grows but the 'all' histograms' distinct slots.
    const first = hourly[0]!;
    for (const f of hourly.slice(1)) {
      expect(f.liveSlots).toBeLessThanOrEqual(first.liveSlots * 1.05);
      expect(f.bytes).toBeLessThanOrEqual(first.bytes * 1.25);
    }
  });
});

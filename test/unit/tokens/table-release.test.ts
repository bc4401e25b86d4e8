import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { countPair } from '../../helpers/count-pair.js';
import { isEncodingLoaded } from '../../../src/tokens/encodings.js';

/** o200k_base's table is 4.1 MB as dist/tables holds it (more when built from the package's data). */
const TABLE_BYTES = 4 * 2 ** 20;

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

// A file of its own: the encodings are this module graph's (one per test file), so no other test's host holds them.
describe('tables let go by the count host and asked for again', () => {
  it('are taken back while this thread has not collected them: one copy, not one more per release', async () => {
    const { host, counter } = countPair(stops, { idleMs: 20 });
    // What a closed loop whose counts all come from the client's caches does (bench/engine.mjs's long run):
    // the engine worker's next request warms the tables the host let go for want of anything to count.
    const cycle = async (): Promise<void> => {
      const released = Promise.all([once(host, 'released'), once(counter, 'released')]);
      await counter.warm('gpt-4o');
      expect(isEncodingLoaded('o200k_base')).toBe(true);
      await released;
      expect(isEncodingLoaded('o200k_base')).toBe(false);
    };
    await cycle();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 5; i++) await cycle();
    expect(host.stats.loads).toBe(6);
    // Before: each load read a new table beside the ones let go, all held until a full GC (5 × 4.1 MB here).
    // A GC between two cycles may collect one, and it is read again: never more than one beside the live one.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * TABLE_BYTES);
  });
});

// Preload (`node --import`) for the engine bench's long run: every thread of
// the process (Node runs a preload in each worker too) appends its V8 heap
// figures to RELAYMON_BENCH_HEAP_LOG twice a second, so process RSS can be
// split by thread (main, which counts tokens, and the engine worker).
import { appendFileSync } from 'node:fs';
import { getHeapStatistics, getHeapSpaceStatistics } from 'node:v8';
import { threadId } from 'node:worker_threads';

const file = process.env.RELAYMON_BENCH_HEAP_LOG;
if (file) {
  const sample = () => {
    const h = getHeapStatistics();
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const line = { thread: threadId, time: Date.now(), committed: h.total_heap_size, used: h.used_heap_size, external: h.external_memory, young: young?.space_size ?? 0 };
    appendFileSync(file, JSON.stringify(line) + '\n');
  };
  setInterval(sample, 500).unref();
}

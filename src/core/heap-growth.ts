/**
 * Keeps a sending run's heaps near their live data (issue 14: memory of watch
 * and of the engine's long run). Measured with bench/thread-heap.mjs (each
 * thread's V8 heap twice a second) on `watch` with 8 targets and on
 * bench/engine.mjs's long run:
 *
 * - Young generation. The main thread counts tokens for the engine worker
 *   (tokens/count-host.ts) and draws watch's dashboard; under either, V8 grew
 *   its semi-spaces from 1 to 16 MB each (32 MB committed). A Worker option
 *   caps a worker's young generation (engine/engine.ts does); nothing caps
 *   the main isolate's once it runs: `--max-semi-space-size` is read only
 *   when an isolate is made. V8 (11.3, Node 20) reads
 *   `--semi-space-growth-factor` at each growth of the new space, and at 1
 *   the new space no longer grows. Making a worker's isolate puts that flag
 *   back to its lowest allowed value (2), so it is set again once the worker
 *   runs (`heldWorker`, on the worker's 'online' event). The
 *   flag is process-wide: the worker would stay at its first, smallest new
 *   space; `--min-semi-space-size`, read when an isolate is made, starts it
 *   nearer the young generation it grows to anyway (measured with the
 *   engine's earlier cap of 4 MB semi-spaces: it started at 2 MB instead of
 *   1; at today's 2 MB cap it starts there), and is put back once the
 *   worker runs.
 * - Old generation. Live data is ~15-25 MB per thread, but V8 let the old
 *   generation reach up to 4 times it before a mark-compact (watch's main
 *   thread: 23 MB live, 90 MB used before each full GC). `--heap-growing-percent`
 *   is read at each mark-compact: 50 makes the next limit 1.5 times the live
 *   data, and never less than live + 16 MB (V8's minimum step), so small heaps
 *   collect sooner and large ones (probe and compare hold their results) are
 *   not collected much more often. The limit set before the first
 *   mark-compact is V8's initial one, far above that: one full GC, when the
 *   flag is first set, has it computed from the live data at once.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Worker } from 'node:worker_threads';

/** Larger than any worker's capped semi-space: V8 starts the worker as large as it allows. */
const WORKER_START_SEMI_SPACE_MB = 16;
/** Old generation limit after a mark-compact: live data × 1.5 (or + V8's 16 MB minimum step). */
const HEAP_GROWING_PERCENT = 50;

let collected = false;

/** Before a worker's isolate is made (heldWorker): it does not start at its smallest young generation. */
function beforeWorkerIsolate(): void {
  setFlagsFromString(`--min-semi-space-size=${WORKER_START_SEMI_SPACE_MB}`);
}

/**
 * A worker made under this policy (the engine's, engine/engine.ts): its
 * isolate starts at its capped young generation, and once it runs (its
 * isolate made, which put the growth factor back) the process's heaps are
 * held again. `make` must create the Worker synchronously.
 */
export function heldWorker(make: () => Worker): Worker {
  beforeWorkerIsolate();
  const worker = make();
  worker.once('online', holdHeapGrowth);
  return worker;
}

/**
 * From now on no thread's new space grows and old generations are collected
 * at 1.5 times their live data. Called when a run starts (watch) and again
 * when the engine worker runs (heldWorker: its isolate reset the growth factor).
 */
export function holdHeapGrowth(): void {
  setFlagsFromString('--min-semi-space-size=0');
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (collected) return;
  collected = true;
  v8Collector()?.();
}

/** V8's gc(): a full collection without options; with { type: 'minor' } a scavenge. (Node 20's V8 runs a scavenge for { type: 'major' }.) */
export type V8Gc = (opts?: { type: 'minor'; execution: 'sync' }) => void;

let v8Gc: V8Gc | null | undefined;

/**
 * This thread's V8 collector, or null if this node will not give one (a
 * policy on code from strings): only memory and timing are at stake, never
 * the run. `--expose-gc` is a V8 flag a worker's options cannot carry; a
 * context made while it is set has gc(), and it is unset at once so that no
 * thread started later finds a global gc. One look-up per thread, shared by
 * the heap hold above and the engine's collections (engine/gap-gc.ts).
 */
export function v8Collector(): V8Gc | null {
  if (v8Gc !== undefined) return v8Gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    v8Gc = typeof gc === 'function' ? (opts) => (gc as V8Gc)(opts) : null;
  } catch {
    v8Gc = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return v8Gc;
}

/**
 * Keeps the main thread's young generation small once an engine worker runs
 * (issue 14: a sending run's memory). The main thread counts tokens for the
 * worker (count-host.ts) and draws watch's dashboard; under either, V8 grows
 * its semi-spaces from 1 to 16 MB each (32 MB committed), which was the
 * growth of the engine's long run after warm-up (bench/engine.mjs memoryRun)
 * and a sixth of watch's peak. A Worker option caps a worker's young
 * generation (engine/engine.ts does); nothing caps the main isolate's once it
 * runs, and `--max-semi-space-size` is read only when an isolate is made.
 *
 * What V8 (11.3, Node 20) does read while it runs: `--semi-space-growth-factor`,
 * at each growth of the new space. At 1 the new space no longer grows.
 * Measured (bench/thread-heap.mjs): it holds, except that making a worker's
 * isolate puts the flag back to its lowest allowed value (2), so it is set
 * again once the worker is known to run: when its first batch of count jobs
 * arrives (count-host.ts). The flag is process-wide, so it would freeze the
 * engine worker at its first, smallest size too; `--min-semi-space-size`,
 * read when an isolate is made, starts the worker at the young generation it
 * would grow to anyway (V8 takes the smaller of it and the worker's cap,
 * `resourceLimits.maxYoungGenerationSizeMb`), and is put back right after.
 */
import { setFlagsFromString } from 'node:v8';

/** Larger than any worker's capped semi-space: V8 starts the worker at its cap. */
const WORKER_START_SEMI_SPACE_MB = 16;

/** Before a worker's isolate is made (the engine's count wiring): it starts at its capped young generation. */
export function youngGenerationBeforeWorker(): void {
  setFlagsFromString(`--min-semi-space-size=${WORKER_START_SEMI_SPACE_MB}`);
}

/** Once the worker runs (its isolate is made): no thread's new space grows from now on. */
export function holdYoungGeneration(): void {
  setFlagsFromString('--min-semi-space-size=0');
  setFlagsFromString('--semi-space-growth-factor=1');
}

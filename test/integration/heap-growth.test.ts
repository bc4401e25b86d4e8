/**
 * A sending run's heaps stay near their live data (src/core/heap-growth.ts):
 * once a worker made by heldWorker (the engine's, src/engine/engine.ts) runs,
 * the main thread's new space no longer grows, and the worker does not start
 * at its smallest young generation (where the hold would freeze it). V8
 * flags are process-wide and a worker's isolate resets one of them, so this
 * runs from dist/ in a fresh process, with a real Worker.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HEAP_GROWTH = new URL('../../dist/core/heap-growth.js', import.meta.url).href;

interface Young {
  /** The main thread's new space (MB, both semi-spaces) once the worker runs. */
  mainHeld: number;
  /** ... and after allocating with survivors for a while. */
  mainAfter: number;
  /** The worker's new space when it started (MB, both semi-spaces; its cap, resourceLimits 12 MB, is 4 MB semi-spaces). */
  workerStart: number;
  /** What a plain process grows to under the same allocation. */
  unheld: number;
}

function measure(): Young {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    const { heldWorker } = await import(${JSON.stringify(HEAP_GROWTH)});
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    // Allocation with survivors, as counting results or drawing frames make it.
    const churn = (ms) => {
      const ring = new Array(4000);
      let i = 0;
      for (const end = Date.now() + ms; Date.now() < end; ) for (let k = 0; k < 1000; k++) ring[i++ % ring.length] = { a: 'x' + i, b: [i, i + 1] };
    };
    // The eval'd worker is a module too (it inherits --input-type=module).
    const worker = heldWorker(() => new Worker(\`
      import { getHeapSpaceStatistics } from 'node:v8';
      import { parentPort } from 'node:worker_threads';
      parentPort.postMessage(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20);
    \`, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 12 } }));
    // Listened for before this turn ends: 'online' comes later, from the event loop.
    const online = new Promise((resolve) => worker.once('online', resolve));
    const workerStart = await new Promise((resolve) => worker.once('message', resolve));
    await online;
    const mainHeld = young();
    churn(400);
    const mainAfter = young();
    await worker.terminate();
    console.log(JSON.stringify({ mainHeld, mainAfter, workerStart }));
  `;
  const plain = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const ring = new Array(4000);
    let i = 0;
    for (const end = Date.now() + 400; Date.now() < end; ) for (let k = 0; k < 1000; k++) ring[i++ % ring.length] = { a: 'x' + i, b: [i, i + 1] };
    console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20);
  `;
  const run = (s: string): string => execFileSync(process.execPath, ['--input-type=module', '-e', s], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
  return { ...(JSON.parse(run(script)) as Omit<Young, 'unheld'>), unheld: Number(run(plain)) };
}

describe('heap growth in a sending run', () => {
  it("holds the main thread's new space once the engine's worker runs, and starts the worker at its cap", { timeout: 30_000 }, () => {
    const y = measure();
    // Without the hold, the same allocation grows a new space well past its start (to 32 MB in V8 11.3).
    expect(y.unheld).toBeGreaterThan(8);
    expect(y.mainAfter).toBe(y.mainHeld);
    expect(y.mainAfter).toBeLessThanOrEqual(4);
    // Semi-spaces of 2 MB (both counted), not the 1 MB V8 starts an isolate with: the worker is not frozen at its smallest.
    expect(y.workerStart).toBeGreaterThanOrEqual(4);
  });
});

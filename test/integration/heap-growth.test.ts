/**
 * A sending run's heaps stay near their live data (src/core/heap-growth.ts):
 * once the engine worker sends its first count batch, the main thread's new
 * space no longer grows, and the worker does not start at its smallest
 * young generation (where the hold would freeze it). V8 flags are
 * process-wide and a worker's isolate resets one of them, so this runs from
 * dist/ in a fresh process, with a real Worker and the real count host.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const COUNT_HOST = new URL('../../dist/tokens/count-host.js', import.meta.url).href;

interface Young {
  /** The main thread's new space (MB, both semi-spaces) after the worker's first batch. */
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
    import { MessageChannel, Worker } from 'node:worker_threads';
    const { serveCounts } = await import(${JSON.stringify(COUNT_HOST)});
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    // The eval'd worker below is a module too (it inherits --input-type=module).
    // Allocation with survivors, as counting results or drawing frames make it.
    const churn = (ms) => {
      const ring = new Array(4000);
      let i = 0;
      for (const end = Date.now() + ms; Date.now() < end; ) for (let k = 0; k < 1000; k++) ring[i++ % ring.length] = { a: 'x' + i, b: [i, i + 1] };
    };
    const { port1, port2 } = new MessageChannel();
    const stop = serveCounts(port1);
    const worker = new Worker(\`
      import { getHeapSpaceStatistics } from 'node:v8';
      import { workerData, parentPort } from 'node:worker_threads';
      const start = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
      workerData.port.on('message', () => { parentPort.postMessage(start); workerData.port.close(); });
      workerData.port.postMessage([{ type: 'warm', id: 1, model: 'gpt-4o-mini' }]);
    \`, { eval: true, workerData: { port: port2 }, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    const workerStart = await new Promise((resolve) => worker.once('message', resolve));
    const mainHeld = young();
    churn(400);
    const mainAfter = young();
    stop();
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
  it("holds the main thread's new space once the worker sends, and starts the worker at its cap", { timeout: 30_000 }, () => {
    const y = measure();
    // Without the hold, the same allocation grows a new space well past its start (to 32 MB in V8 11.3).
    expect(y.unheld).toBeGreaterThan(8);
    expect(y.mainAfter).toBe(y.mainHeld);
    expect(y.mainAfter).toBeLessThanOrEqual(4);
    // Semi-spaces of 2 MB (both counted), not the 1 MB V8 starts an isolate with: the worker is not frozen at its smallest.
    expect(y.workerStart).toBeGreaterThanOrEqual(4);
  });
});

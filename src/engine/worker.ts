/**
 * The engine's worker thread entry. The main thread owns the terminal; this
 * thread owns the measuring, so drawing can never delay a timestamp. (probe,
 * which draws nothing while it measures, runs the same engine on its own
 * thread instead: in-process.ts.)
 */
import { setFlagsFromString } from 'node:v8';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { useCountPort } from '../tokens/counter.js';
import { serveEngine } from './serve.js';
import type { FromWorker, ToWorker } from './messages.js';

if (!parentPort) throw new Error('engine/worker.js must run in a worker thread');
// Every function compiled from here on gets V8's baseline code (Sparkplug) on its first call, rather than
// running in the interpreter until it has been called often enough. A send and its answer run a few hundred
// functions, at 20/s or a probe every few seconds not often enough for V8 to compile them by itself for many
// seconds: at 20/s send lateness at the median was 0.55–0.60 ms interpreted, 0.28 baseline (bench/engine.mjs
// firstRequestRuns, BENCHMARKS.md "Issue 14's seventh round"). Baseline code is compiled in one pass, with no
// optimizing, and V8 still optimizes the hot functions later. A process-wide flag: the main thread's functions
// compiled after this get baseline code too.
setFlagsFromString('--always-sparkplug');
const port = parentPort;
// Counts go to the count host on the parent thread (engine.ts passes the port in workerData).
const countPort: unknown = (workerData as { countPort?: unknown } | null)?.countPort;
if (countPort instanceof MessagePort) useCountPort(countPort);
const engine = serveEngine((msg: FromWorker) => port.postMessage(msg));

process.on('uncaughtException', engine.fail);
process.on('unhandledRejection', engine.fail);

port.on('message', (msg: ToWorker) => engine.receive(msg));

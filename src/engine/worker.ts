/**
 * The engine's worker thread entry. The main thread owns the terminal; this
 * thread owns the measuring, so drawing can never delay a timestamp. (probe,
 * which draws nothing while it measures, runs the same engine on its own
 * thread instead: in-process.ts.)
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { useCountPort } from '../tokens/counter.js';
import { serveEngine } from './serve.js';
import type { FromWorker, ToWorker } from './messages.js';

if (!parentPort) throw new Error('engine/worker.js must run in a worker thread');
const port = parentPort;
// Counts go to the count host on the parent thread (engine.ts passes the port in workerData).
const countPort: unknown = (workerData as { countPort?: unknown } | null)?.countPort;
if (countPort instanceof MessagePort) useCountPort(countPort);
const engine = serveEngine((msg: FromWorker) => port.postMessage(msg));

process.on('uncaughtException', engine.fail);
process.on('unhandledRejection', engine.fail);

port.on('message', (msg: ToWorker) => engine.receive(msg));

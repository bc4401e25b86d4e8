/**
 * The engine's worker thread entry. The main thread owns the terminal; this
 * thread owns the measuring, so drawing can never delay a timestamp.
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { useCountPort } from '../tokens/counter.js'; // counting (r16)
import { registerSecret, redact } from '../core/redact.js';
import { EXIT, RelaymonError } from '../core/errors.js';
import { EngineRunner } from './runner.js';
import type { FromWorker, ToWorker } from './messages.js';

if (!parentPort) throw new Error('engine/worker.js must run in a worker thread');
const port = parentPort;
// counting (r16): counts go to the count host on the parent thread (engine.ts passes the port in workerData).
const countPort: unknown = (workerData as { countPort?: unknown } | null)?.countPort;
if (countPort instanceof MessagePort) useCountPort(countPort);
const post = (msg: FromWorker): void => port.postMessage(msg);
let runner: EngineRunner | null = null;

function fail(err: unknown): void {
  const exitCode = err instanceof RelaymonError ? err.exitCode : EXIT.failed;
  const message = err instanceof Error ? (err instanceof RelaymonError ? err.message : `engine crashed: ${err.message}`) : `engine crashed: ${String(err)}`;
  post({ type: 'error', message: redact(message), exitCode });
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'start':
      for (const s of msg.config.secrets) registerSecret(s);
      runner = new EngineRunner(msg.config, post);
      runner.start().catch(fail);
      break;
    case 'stop':
      runner?.stop(msg.reason);
      break;
    case 'pause':
      runner?.pause();
      break;
    case 'resume':
      runner?.resume();
      break;
    case 'reset':
      runner?.reset();
      break;
  }
});

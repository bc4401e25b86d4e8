/**
 * The counting worker's entry. Jobs are counted one at a time, in the order
 * they arrive, each within its own time budget (count-job.ts), so a huge or
 * pathological answer delays the counts queued behind it by at most that
 * budget, and never the thread that sends and stamps time.
 */
import { parentPort } from 'node:worker_threads';
import { warmTokenizerFor } from '../honesty/tokens.js';
import { runCountJob, type ToCounter } from './count-job.js';

if (!parentPort) throw new Error('tokens/count-worker.js must run in a worker thread');
const port = parentPort;

// o200k_base counts every estimate as well as OpenAI's current models: load it before the first job arrives.
warmTokenizerFor('gpt-4o');

port.on('message', (msg: ToCounter) => {
  if (msg.type === 'warm') {
    warmTokenizerFor(msg.model);
    return;
  }
  // A crash in one count must not take the others down: the job is answered as expired and estimated by the caller.
  try {
    port.postMessage(runCountJob(msg.job));
  } catch {
    port.postMessage({ id: msg.job.id, expired: true });
  }
});

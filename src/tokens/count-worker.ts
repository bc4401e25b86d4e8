/**
 * The counting worker's entry. Jobs are counted one at a time, in the order
 * they arrive, each within its own time budget (count-job.ts), so a huge or
 * pathological answer delays the counts queued behind it by at most that
 * budget, and never the thread that sends and stamps time.
 */
import { parentPort } from 'node:worker_threads';
import { warmTokenizerFor } from './local-count.js';
import { runCountJob, type FromCounter, type ToCounter } from './count-job.js';

if (!parentPort) throw new Error('tokens/count-worker.js must run in a worker thread');
const port = parentPort;
const post = (msg: FromCounter): void => port.postMessage(msg);

port.on('message', (msg: ToCounter) => {
  if (msg.type === 'warm') {
    warmTokenizerFor(msg.model);
    post({ id: msg.id, warmed: true });
    return;
  }
  // A crash in one count must not take the others down: the job is answered as expired and estimated by the caller.
  try {
    // The model's tables load before the job's time budget starts: the budget is for counting.
    warmTokenizerFor(msg.job.model);
    post(runCountJob(msg.job));
  } catch {
    post({ id: msg.job.id, expired: true });
  }
});

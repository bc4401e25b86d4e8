/**
 * The count host: relaymon's own token counts, made on the engine's parent
 * thread (the main thread) for the thread that sends and stamps time (the
 * engine worker), over a MessagePort (engine/engine.ts creates the channel).
 * It replaces a counting worker of its own, whose V8 isolate cost ~11 MB and
 * its own heap in every run, and whose one postMessage per result was about a
 * quarter of the sending thread's busy CPU (bench/client-loop.mjs under
 * --cpu-prof, bench/cpuprofile-summary.mjs).
 *
 * - Jobs and answers travel in batches (count-job.ts CountBatch): one message
 *   per turn of the sender's loop, and one per slice of the host's counting.
 * - The main thread has no timing to disturb, but it draws watch's dashboard:
 *   jobs are counted in slices of COUNT_SLICE_MS with the loop turning between
 *   them (sliced.ts), so a 10 MB answer does not freeze the drawing.
 * - Tables load on the first job or warm request, and are let go after
 *   `idleMs` with nothing to count (COUNT_IDLE_MS, as the worker was).
 * - A prompt counted once is not counted again: probes send the same prompt
 *   over and over. Cached by a hash of the model and body, bounded (LRU).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import type { CountBatch, CountJob, CountReply, FromCounter, ToCounter } from './count-job.js';
import { releaseEncodings } from './encodings.js';
import { warmTokenizerFor, type PromptCount } from './local-count.js';
import { runCountJobSliced, Slicer } from './sliced.js';

/**
 * Tables with nothing to count for this long are let go. Long enough that a
 * run's steady stream of results, or a watch's probes every few seconds, keep
 * them, so they are not reloaded between results, which would then wait.
 */
export const COUNT_IDLE_MS = 30_000;
/** Counting runs at most about this long before the loop turns (watch draws at 10 fps: 100 ms a frame). */
export const COUNT_SLICE_MS = 4;
/** Distinct prompts whose counts are kept. */
export const PROMPT_CACHE_SIZE = 256;

export interface CountHostOptions {
  idleMs?: number;
  sliceMs?: number;
}

interface HostEvents {
  /** The tables were loaded (first job or warm request, or the first after a release). */
  loaded: [];
  /** The tables were let go. */
  released: [];
}

interface Queued {
  port: MessagePort;
  msg: ToCounter;
}

export class CountHost extends EventEmitter<HostEvents> {
  /** Let the tables go after this long with nothing to count. */
  idleMs: number;
  private readonly slicer: Slicer;
  private readonly ports = new Set<MessagePort>();
  private queue: (Queued | null)[] = [];
  private head = 0;
  private busy = false;
  private readonly outbox = new Map<MessagePort, FromCounter[]>();
  private readonly prompts = new Map<string, PromptCount>();
  private idleTimer: NodeJS.Timeout | null = null;
  private holding = false;
  /** For tests: tables loads, batches received, prompts answered from the cache. */
  readonly stats = { loads: 0, batchesIn: 0, batchesOut: 0, jobs: 0, promptHits: 0 };

  constructor(opts: CountHostOptions = {}) {
    super();
    this.idleMs = opts.idleMs ?? COUNT_IDLE_MS;
    this.slicer = new Slicer(opts.sliceMs ?? COUNT_SLICE_MS);
  }

  /** The tables are loaded. */
  get holdingTables(): boolean {
    return this.holding;
  }

  /** Answers the jobs that come through `port`; returns the function that stops (and closes the port). */
  serve(port: MessagePort): () => void {
    this.ports.add(port);
    port.on('message', (batch: CountBatch<ToCounter>) => this.receive(port, batch));
    port.once('close', () => this.ports.delete(port));
    // The sending side keeps the process alive while it waits for answers; this side never does.
    port.unref();
    return () => {
      this.ports.delete(port);
      port.close();
    };
  }

  /** Lets the tables go now (their memory is freed at the next GC); they load again on the next job. */
  release(): void {
    this.clearIdle();
    if (!this.holding) return;
    this.holding = false;
    releaseEncodings();
    for (const port of this.ports) this.answer(port, { notice: 'released' });
    this.flush();
    this.emit('released');
  }

  private receive(port: MessagePort, batch: CountBatch<ToCounter>): void {
    this.stats.batchesIn++;
    for (const msg of batch) this.queue.push({ port, msg });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.clearIdle();
    this.slicer.reset();
    try {
      while (this.head < this.queue.length) {
        const q = this.queue[this.head]!;
        this.queue[this.head++] = null;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        if (!this.ports.has(q.port)) continue; // its sender is gone
        const reply = await this.handle(q.msg, () => !this.ports.has(q.port));
        if (reply) this.answer(q.port, reply);
        if (this.slicer.due) {
          this.flush();
          await this.slicer.yieldTurn();
        }
      }
    } finally {
      this.queue = [];
      this.head = 0;
      this.busy = false;
      this.flush();
      this.armIdle();
    }
  }

  private async handle(msg: ToCounter, abandoned: () => boolean): Promise<FromCounter | null> {
    if (msg.type === 'release') {
      this.release();
      return null;
    }
    if (msg.type === 'warm') {
      this.load(msg.model);
      return { id: msg.id, warmed: true };
    }
    // A crash in one count must not take the others down: the job is answered as expired and estimated by the caller.
    try {
      // The model's tables load before the job's time budget starts: the budget is for counting.
      this.load(msg.job.model);
      return await this.count(msg.job, abandoned);
    } catch {
      return { id: msg.job.id, expired: true };
    }
  }

  private async count(job: CountJob, abandoned: () => boolean): Promise<CountReply> {
    this.stats.jobs++;
    const key = job.body === null ? null : promptKey(job.model, job.body);
    const cached = key === null ? undefined : this.prompts.get(key);
    if (key !== null && cached) {
      this.prompts.delete(key); // most recently used goes last
      this.prompts.set(key, cached);
      this.stats.promptHits++;
    }
    const reply = await runCountJobSliced(cached ? { ...job, body: null } : job, this.slicer, abandoned);
    if (reply.expired) return reply;
    if (cached) return { ...reply, prompt: cached };
    // A count cut short by time is not the prompt's count: it is not kept.
    if (key !== null && reply.prompt && reply.prompt.limit !== 'time') {
      this.prompts.set(key, reply.prompt);
      if (this.prompts.size > PROMPT_CACHE_SIZE) this.prompts.delete(this.prompts.keys().next().value!);
    }
    return reply;
  }

  /** Loading is synchronous (tokens/encodings.ts): it cannot be sliced. */
  private load(model: string): void {
    warmTokenizerFor(model);
    if (this.holding) return;
    this.holding = true;
    this.stats.loads++;
    this.emit('loaded');
  }

  private answer(port: MessagePort, reply: FromCounter): void {
    let out = this.outbox.get(port);
    if (!out) {
      out = [];
      this.outbox.set(port, out);
    }
    out.push(reply);
  }

  private flush(): void {
    for (const [port, answers] of this.outbox) {
      if (answers.length === 0 || !this.ports.has(port)) continue;
      this.stats.batchesOut++;
      port.postMessage(answers satisfies CountBatch<FromCounter>);
    }
    this.outbox.clear();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdle(): void {
    this.clearIdle();
    if (!this.holding) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.busy) this.release();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

/** The model and a hash of the body as sent: the same prompt to the same model is the same count. */
function promptKey(model: string, body: Record<string, unknown>): string {
  return `${model}\0${createHash('sha1').update(JSON.stringify(body)).digest('base64')}`;
}

let threadHost: CountHost | null = null;

/** This thread's count host (one per thread: the tables are the thread's). */
export function countHost(): CountHost {
  threadHost ??= new CountHost();
  return threadHost;
}

/**
 * Serves count jobs arriving on `port` with this thread's host; returns the
 * function that stops. Called by the engine before it makes the worker that
 * holds the other end.
 */
export function serveCounts(port: MessagePort): () => void {
  return countHost().serve(port);
}

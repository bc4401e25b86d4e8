/**
 * A count job run in slices that give the event loop back. The count host
 * (tokens/count-host.ts) counts on the engine's parent thread, which draws
 * watch's dashboard: a 10 MB answer (half a megabyte of head, tens to hundreds
 * of ms of counting) must not freeze the drawing for all that time. The long
 * texts of a job are counted first, a slice at a time (bounded.ts
 * countBoundedSteps), with a yield whenever the thread has counted for
 * `sliceMs`; then the job is composed synchronously by count-job.ts as before,
 * with those texts' counts handed in (bounded.ts withPrecounted), so the
 * answer is the one the unsliced job would give. The job's time budget is
 * counting time: time spent on other work between slices is not charged.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { countBoundedSteps, DEFAULT_BOUNDS, withPrecounted, type PrecountedText } from './bounded.js';
import { runCountJob, type CountJob, type CountReply } from './count-job.js';
import { tokenizerFor } from './local-count.js';

/** Shorter texts are counted in one go: a few ms at most. */
export const PRECOUNT_MIN_CHARS = DEFAULT_BOUNDS.sliceChars * 2;

/** The thread's time slice: counting stops to let the loop turn once it has run this long. */
export class Slicer {
  private start = performance.now();
  constructor(readonly sliceMs: number) {}

  /** The slice is used up. */
  get due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  /** Lets the loop turn (timers, I/O, drawing), then starts a new slice. */
  async yieldTurn(): Promise<void> {
    await nextTurn();
    this.start = performance.now();
  }

  /** A new slice starts now (after the thread was idle). */
  reset(): void {
    this.start = performance.now();
  }
}

interface LongText {
  text: string;
  totalLength: number;
}

/** Keys under which a request body holds text that local-count.ts counts (any protocol's shape). */
const TEXT_KEYS = new Set(['content', 'text', 'system', 'instructions', 'input', 'messages', 'role', 'name']);

/** The long strings of a body at the keys local-count.ts counts (a miss only means a text is counted in one go). */
function longBodyTexts(v: unknown, out: LongText[], depth = 0): void {
  if (depth > 8) return;
  if (typeof v === 'string') {
    if (v.length >= PRECOUNT_MIN_CHARS) out.push({ text: v, totalLength: v.length });
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) longBodyTexts(x, out, depth + 1);
    return;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) if (TEXT_KEYS.has(k)) longBodyTexts(x, out, depth + 1);
  }
}

function longTexts(job: CountJob): LongText[] {
  const out: LongText[] = [];
  if (job.body !== null) longBodyTexts(job.body, out);
  if (job.output !== null) {
    for (const t of [job.output.content, job.output.tool, job.output.reasoning]) {
      if (t.head.length >= PRECOUNT_MIN_CHARS) out.push({ text: t.head, totalLength: t.length });
    }
  }
  return out;
}

/** runCountJob's answer, counted in slices of `slicer`'s length with the loop turning between them; stops early once nobody waits (`abandoned`). */
export async function runCountJobSliced(job: CountJob, slicer: Slicer, abandoned: () => boolean = () => false): Promise<CountReply> {
  const left = job.expiresAt - Date.now();
  if (left <= 0) return { id: job.id, expired: true };
  const long = longTexts(job);
  // Most jobs (a probe's answer) are short: counted in one go, with nothing allocated for slicing.
  if (long.length === 0) return runCountJob(job);
  const budget = Math.min(job.budgetMs, left);
  const name = tokenizerFor(job.model).encoding;
  const memo = new Map<string, PrecountedText>();
  let spent = 0;
  for (const { text, totalLength } of long) {
    if (memo.has(text)) continue;
    const steps = countBoundedSteps(name, text, {}, totalLength);
    let from = performance.now();
    let r = steps.next(false);
    while (!r.done) {
      const now = performance.now();
      spent += now - from;
      from = now;
      if (spent < budget && slicer.due) {
        await slicer.yieldTurn();
        from = performance.now();
      }
      r = steps.next(spent >= budget || abandoned());
    }
    if (abandoned()) return { id: job.id, expired: true };
    spent += performance.now() - from;
    memo.set(text, { name, totalLength, count: r.value });
  }
  if (slicer.due) await slicer.yieldTurn();
  // What is left of the budget goes to the short texts, counted in one go; the job's expiry is unchanged.
  const rest: CountJob = { ...job, budgetMs: Math.max(0, budget - spent) };
  return withPrecounted(memo, () => runCountJob(rest));
}

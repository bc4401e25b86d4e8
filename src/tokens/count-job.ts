/**
 * One count job: relaymon's own token counts for one result (the prompt it
 * sent, the text it received), run under a deadline. Pure apart from the
 * clock, so it is tested in-process; the count host (count-host.ts) runs it,
 * in slices (sliced.ts), off the thread that sends.
 */
import { performance } from 'node:perf_hooks';
import { countRequestPrompt, outputCount, type LocalOutput, type PromptCount } from './local-count.js';
import { DEFAULT_BOUNDS } from './bounded.js';

/** A text as it travels to the count host: its first maxChars characters and the whole length. */
export interface TextHead {
  head: string;
  length: number;
}

export interface CountJob {
  id: number;
  model: string;
  /** The request body as sent, when its prompt is to be counted. */
  body: Record<string, unknown> | null;
  output: { content: TextHead; tool: TextHead; reasoning: TextHead } | null;
  /** Counting time allowed once the job starts; the rest is extrapolated (`time`). */
  budgetMs: number;
  /** Date.now() instant after which nobody waits for the answer any more: skip the job. */
  expiresAt: number;
}

export type CountReply = { id: number; expired: false; prompt: PromptCount | null; output: LocalOutput | null } | { id: number; expired: true };

/**
 * What the sending thread asks of the count host. `release`: let the tables go
 * now if nothing else is being counted (TokenCounter.release()).
 */
export type ToCounter = { type: 'warm'; id: number; model: string } | { type: 'count'; job: CountJob } | { type: 'release' };
/**
 * A count, the answer to a `warm` (its encoding is loaded), or a notice that
 * the host loaded its tables or let them go (idle, or asked to).
 */
export type FromCounter = CountReply | { id: number; warmed: true } | { notice: 'loaded' | 'released' };
/** Messages travel in batches: one postMessage per event-loop turn, or per slice of the host's counting. */
export type CountBatch<T> = readonly T[];

/** Only the head of a text is sent (a copy across threads costs time on the sending thread). */
export function textHead(text: string): TextHead {
  return { head: text.length > DEFAULT_BOUNDS.maxChars ? text.slice(0, DEFAULT_BOUNDS.maxChars) : text, length: text.length };
}

export function runCountJob(job: CountJob, nowMs = Date.now()): CountReply {
  const left = job.expiresAt - nowMs;
  if (left <= 0) return { id: job.id, expired: true };
  const deadline = performance.now() + Math.min(job.budgetMs, left);
  const prompt = job.body === null ? null : countRequestPrompt(job.model, job.body, { deadline });
  const output =
    job.output === null
      ? null
      : outputCount(job.model, { contentText: job.output.content.head, toolText: job.output.tool.head, reasoningText: job.output.reasoning.head }, {
          deadline,
          lengths: { content: job.output.content.length, tool: job.output.tool.length, reasoning: job.output.reasoning.length },
        });
  return { id: job.id, expired: false, prompt, output };
}

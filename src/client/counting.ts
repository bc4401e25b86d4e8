/**
 * relaymon's own token counts for each result, made by the count host on the
 * engine's parent thread (tokens/counter.ts, tokens/count-host.ts) rather than
 * on the thread that sends and stamps time,
 * and results published in the order their responses ended: a result waits
 * for its count and for the results that ended before it, so the aggregator,
 * the request log and fingerprint tracking see completion order, as they did
 * when counting was synchronous. Every wait is bounded (the counter's
 * timeout, or the run's abort signal); a count that did not come back in time
 * is estimated from the text's length and marked `time`.
 */
import type { RequestResult } from '../core/result.js';
import type { PriceTable } from '../pricing/table.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { LocalOutput, PromptCount } from '../tokens/local-count.js';
import { estimateFromLength } from '../tokens/bounded.js';
import { textHead } from '../tokens/count-job.js';
import { tokenCounter } from '../tokens/counter.js';
import { buildResult, type LocalCounts, type Outcome, type ResponseFacts } from './result-builder.js';

/** Probes send one spec object over and over: its prompt is counted once, and its body not sent again (the host also caches prompts by hash). */
const promptCache = new WeakMap<RequestSpec, PromptCount>();

/**
 * Local counts are needed to reconcile a successful answer, and to fill in
 * usage the relay did not report (a failed request that reported none has no
 * usage to fill in: result-builder.ts resolveUsage).
 */
function needsCount(facts: ResponseFacts, ok: boolean): boolean {
  const { acc } = facts;
  const u = acc.usage;
  // A stream that broke off part-way is billed for what it delivered, so that is counted too (result-builder.ts
  // resolveUsage): counted here, never by the tokenizer on the sending thread.
  const delivered = acc.contentText.length > 0 || acc.otherText.length > 0;
  return ok || delivered || (acc.usageSeen && (u.inputTokens === null || u.outputTokens === null));
}

/**
 * Counts of short answers, by model and text. A count is a pure function of
 * the two (tokens/local-count.ts outputCount), and a run sees the same short
 * answer again and again ("OK", a probe's fixed reply, a mock's): with its
 * prompt cached too, such a result needs no count job at all. A job and its
 * answer were about a sixth of the sending thread's busy time per
 * non-streaming request (bench/client-loop.mjs profile). Only counts made in
 * full are kept (never one cut short by its deadline), of answers no longer
 * than OUTPUT_CACHE_MAX_CHARS; the oldest entry leaves when it is full.
 */
const outputCache = new Map<string, LocalOutput>();
export const OUTPUT_CACHE_MAX_CHARS = 256;
export const OUTPUT_CACHE_ENTRIES = 256;

function outputKey(model: string, acc: ResponseFacts['acc']): string | null {
  const { contentText, toolText, reasoningText } = acc;
  if (contentText.length + toolText.length + reasoningText.length > OUTPUT_CACHE_MAX_CHARS) return null;
  // Lengths first: no text can run into the next one's place.
  return `${model}\n${contentText.length},${toolText.length},${reasoningText.length}\n${contentText}${toolText}${reasoningText}`;
}

/**
 * The last answer found in the cache: a run mostly sees the same answer as the one before, and comparing its
 * three texts is cheaper than building the key (a string of the model and the texts) and hashing it.
 * Entries are never wrong, only dropped, so one that left outputCache is still the count of its texts.
 */
let lastHit: { model: string; content: string; tool: string; reasoning: string; output: LocalOutput } | null = null;

function cachedOutput(model: string, acc: ResponseFacts['acc']): LocalOutput | undefined {
  const last = lastHit;
  if (last !== null && last.content === acc.contentText && last.model === model && last.tool === acc.toolText && last.reasoning === acc.reasoningText) {
    return last.output;
  }
  const key = outputKey(model, acc);
  const output = key === null ? undefined : outputCache.get(key);
  if (output) lastHit = { model, content: acc.contentText, tool: acc.toolText, reasoning: acc.reasoningText, output };
  return output;
}

function keepOutput(key: string | null, output: LocalOutput | null): void {
  if (key === null || output === null || output.limit !== null) return;
  if (outputCache.size >= OUTPUT_CACHE_ENTRIES) outputCache.delete(outputCache.keys().next().value as string);
  outputCache.set(key, output);
}

/**
 * The counts of a result when they are known without a count job: null when it
 * needs none, both cached (a spec sent before, an answer counted before);
 * undefined when a job must count them.
 */
function knownCounts(facts: ResponseFacts, ok: boolean): LocalCounts | null | undefined {
  if (!needsCount(facts, ok)) return null;
  const prompt = promptCache.get(facts.spec);
  if (!prompt) return undefined;
  const output = cachedOutput(facts.spec.model, facts.acc);
  return output ? { prompt, output } : undefined;
}

export async function localCounts(facts: ResponseFacts, ok: boolean, signal?: AbortSignal): Promise<LocalCounts | null> {
  const known = knownCounts(facts, ok);
  if (known !== undefined) return known;
  const { spec, acc } = facts;
  const cached = promptCache.get(spec);
  const key = outputKey(spec.model, acc);
  const cachedOutput = key === null ? undefined : outputCache.get(key);
  const answer = await tokenCounter().count(
    {
      model: spec.model,
      body: cached ? null : facts.sentBody,
      output: cachedOutput ? null : { content: textHead(acc.contentText), tool: textHead(acc.toolText), reasoning: textHead(acc.reasoningText) },
    },
    signal ? { signal } : {},
  );
  if (answer === null) return { prompt: cached ?? estimatedPrompt(facts.sentBody), output: cachedOutput ?? estimatedOutput(facts) };
  const prompt = cached ?? answer.prompt ?? estimatedPrompt(facts.sentBody);
  if (!cached && answer.prompt && answer.prompt.limit !== 'time') promptCache.set(spec, answer.prompt);
  if (!cachedOutput) keepOutput(key, answer.output);
  return { prompt, output: cachedOutput ?? answer.output ?? estimatedOutput(facts) };
}

/** Not counted in time: a length estimate, never compared with the relay's input count (`complete: false`). */
function estimatedPrompt(body: Record<string, unknown>): PromptCount {
  // Whichever protocol's prompt fields the body has (Responses: instructions and input).
  const text = JSON.stringify([body['system'] ?? null, body['messages'] ?? null, body['instructions'] ?? null, body['input'] ?? null]);
  return { tokens: estimateFromLength(text), complete: false, kind: 'estimate', limit: 'time' };
}

function estimatedOutput(facts: ResponseFacts): LocalOutput {
  const { acc } = facts;
  return {
    visible: estimateFromLength(acc.contentText) + estimateFromLength(acc.toolText),
    reasoningText: estimateFromLength(acc.reasoningText),
    kind: 'estimate',
    limit: 'time',
    textExact: false,
  };
}

/** One per client: results leave in the order their responses ended. */
export class ResultPublisher {
  private tail: Promise<unknown> = Promise.resolve();
  /** Results published and not yet built: a later one waits for them. */
  private waiting = 0;

  publish(facts: ResponseFacts, outcome: Outcome, prices: PriceTable, signal?: AbortSignal): Promise<RequestResult> {
    const ok = outcome.kind === 'ok';
    // Nothing ahead of it and its counts known: built now (completion order already), without
    // the chain's promises and microtask hops.
    const known = knownCounts(facts, ok);
    if (known !== undefined && this.waiting === 0) {
      try {
        return Promise.resolve(buildResult(facts, outcome, prices, known));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    this.waiting++;
    const counts = known !== undefined ? known : localCounts(facts, ok, signal);
    const result = this.tail.then(() => counts).then((c) => buildResult(facts, outcome, prices, c));
    this.tail = result.then(
      () => void this.waiting--,
      () => void this.waiting--,
    );
    return result;
  }
}

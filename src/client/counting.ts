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

export async function localCounts(facts: ResponseFacts, ok: boolean, signal?: AbortSignal): Promise<LocalCounts | null> {
  if (!needsCount(facts, ok)) return null;
  const { spec, acc } = facts;
  const cached = promptCache.get(spec);
  const answer = await tokenCounter().count(
    {
      model: spec.model,
      body: cached ? null : facts.sentBody,
      output: { content: textHead(acc.contentText), tool: textHead(acc.toolText), reasoning: textHead(acc.reasoningText) },
    },
    signal ? { signal } : {},
  );
  if (answer === null) return { prompt: cached ?? estimatedPrompt(facts.sentBody), output: estimatedOutput(facts) };
  const prompt = cached ?? answer.prompt ?? estimatedPrompt(facts.sentBody);
  if (!cached && answer.prompt && answer.prompt.limit !== 'time') promptCache.set(spec, answer.prompt);
  return { prompt, output: answer.output ?? estimatedOutput(facts) };
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

  publish(facts: ResponseFacts, outcome: Outcome, prices: PriceTable, signal?: AbortSignal): Promise<RequestResult> {
    const counts = localCounts(facts, outcome.kind === 'ok', signal);
    const result = this.tail.then(() => counts).then((c) => buildResult(facts, outcome, prices, c));
    this.tail = result.catch(() => undefined);
    return result;
  }
}

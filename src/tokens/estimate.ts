/**
 * Quick local token estimates for the spend guard (traffic/budget.ts), which
 * must price a request's worst case before sending it, on the thread that
 * sends. o200k_base is the encoding of the GPT-4o, GPT-4.1, GPT-5 and
 * o-series models; for other families it is an approximation. Bounded
 * tighter than the count host's counts (tokens/bounded.ts): past
 * QUICK_MAX_CHARS characters of one text the rest is extrapolated, so a huge
 * prompt costs this thread a few milliseconds, not seconds.
 */
import { countBounded } from './bounded.js';

/**
 * Chat-template overhead, as OpenAI's token-counting guide counts it for the
 * GPT-4o family: every message costs 3 tokens of framing plus its role, and
 * the reply is primed with 3 more (`<|start|>assistant<|message|>`).
 */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_REPLY_PRIMING = 3;

/** Characters of one text counted on the sending thread; the rest is extrapolated. */
export const QUICK_MAX_CHARS = 65_536;

export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  return countBounded('o200k_base', text, { maxChars: QUICK_MAX_CHARS }).tokens;
}

/**
 * Prompt tokens for a chat request: the text of every message (a string, or
 * the `{type: 'text', text}` parts of an array, OpenAI's and Anthropic's
 * shape alike) plus the template overhead. Images, audio and tool blocks are
 * not counted: their token cost depends on the provider, not on the text.
 */
export function estimateInputTokens(messages: readonly { role: string; content: unknown }[], system?: string): number {
  let total = TOKENS_REPLY_PRIMING;
  if (system !== undefined && system.length > 0) total += messageTokens('system', system);
  for (const m of messages) total += messageTokens(m.role, m.content);
  return total;
}

/** Completion tokens for generated text (content and reasoning alike). */
export function estimateOutputTokens(text: string): number {
  return countTextTokens(text);
}

function messageTokens(role: string, content: unknown): number {
  let n = TOKENS_PER_MESSAGE + countTextTokens(role);
  for (const text of textParts(content)) n += countTextTokens(text);
  return n;
}

function textParts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') out.push(part);
    else if (typeof part === 'object' && part !== null && 'type' in part && part.type === 'text' && 'text' in part) {
      if (typeof part.text === 'string') out.push(part.text);
    }
  }
  return out;
}

/**
 * Local token estimates, used only when a relay does not report usage (the
 * result is then marked `estimated`). o200k_base is the encoding of the GPT-4o,
 * GPT-4.1, GPT-5 and o-series models; for other families it is an
 * approximation (a later refinement may pick the encoding per model family).
 */
import { createRequire } from 'node:module';

type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

/**
 * Loading the o200k tables costs about half a second, and most relays report
 * usage, so the encoder is loaded on first use rather than at start-up.
 */
let encoding: Encoding | null = null;
function encode(text: string, options: { disallowedSpecial: Set<string> }): number[] {
  encoding ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as Encoding;
  return encoding.encode(text, options);
}

/**
 * Chat-template overhead, as OpenAI's token-counting guide counts it for the
 * GPT-4o family: every message costs 3 tokens of framing plus its role, and
 * the reply is primed with 3 more (`<|start|>assistant<|message|>`).
 */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_REPLY_PRIMING = 3;

/**
 * User text may contain strings such as "<|endoftext|>"; they reach the model
 * as plain text, so they are counted as text rather than rejected.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  return encode(text, AS_PLAIN_TEXT).length;
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

/**
 * Local token counts for billing reconciliation: the tokenizer of the model's
 * family and the chat template's overhead, as OpenAI's token-counting guide
 * counts them (what `gpt-tokenizer`'s encodeChat produces for the same chat).
 *
 * OpenAI's models have public tokenizers, so their text-only prompts and
 * answers can be counted exactly. Every other family (Claude, Gemini, Llama,
 * Qwen, DeepSeek, ...) is counted with o200k_base and labelled an estimate:
 * their tokenizers or templates are not public or not installed, and a count
 * that is off by a fifth must not be presented as proof of anything.
 */
import type { LocalCountKind } from '../core/result.js';
import { stripVendorPrefix } from '../pricing/aliases.js';
import { countWith, warmEncoding, type EncodingName } from '../tokens/encodings.js';

export interface ModelTokenizer {
  encoding: EncodingName;
  /** The family's own tokenizer and template are public: counts can be exact. */
  exact: boolean;
  /** Template framing per message. */
  perMessage: number;
  /** Extra framing for a message carrying a `name`, on top of the name's own tokens. */
  perName: number;
}

/** `<|start|>assistant<|message|>`: every reply is primed with 3 tokens. */
export const REPLY_PRIMING = 3;

/** GPT-4o, GPT-4.1, GPT-4.5, GPT-5, the o-series and their relatives: o200k_base. */
const O200K_FAMILY = /^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[134](?:-|$)|codex-mini|computer-use|gpt-realtime|gpt-audio)/;
/** GPT-4 (the original and Turbo) and GPT-3.5 Turbo (Azure spells it gpt-35): cl100k_base. */
const CL100K_FAMILY = /^(?:gpt-4|gpt-3\.5|gpt-35)(?:-|$)/;

const OPENAI_O200K: ModelTokenizer = { encoding: 'o200k_base', exact: true, perMessage: 3, perName: 1 };
const OPENAI_CL100K: ModelTokenizer = { encoding: 'cl100k_base', exact: true, perMessage: 3, perName: 1 };
/** The first gpt-3.5-turbo snapshot framed messages differently (OpenAI's guide). */
const GPT35_0301: ModelTokenizer = { encoding: 'cl100k_base', exact: true, perMessage: 4, perName: -1 };
const ESTIMATE: ModelTokenizer = { encoding: 'o200k_base', exact: false, perMessage: 3, perName: 1 };

/** The tokenizer relaymon counts a model's tokens with; vendor prefixes (`openai/gpt-4o`) are ignored. */
export function tokenizerFor(model: string): ModelTokenizer {
  const m = stripVendorPrefix(model);
  if (O200K_FAMILY.test(m)) return OPENAI_O200K;
  if (CL100K_FAMILY.test(m)) return /^gpt-3\.5-turbo-0301/.test(m) ? GPT35_0301 : OPENAI_CL100K;
  return ESTIMATE;
}

/** Loads the model's encoding now, so that the first count does not stall a measurement. */
export function warmTokenizerFor(model: string): void {
  warmEncoding(tokenizerFor(model).encoding);
}

export function countText(model: string, text: string): number {
  return countWith(tokenizerFor(model).encoding, text);
}

export interface PromptCount {
  tokens: number;
  /** False when part of the prompt could not be counted (images, audio, tool calls, tool definitions). */
  complete: boolean;
  kind: LocalCountKind;
}

/** Request-body fields that are billed as prompt tokens in a form that is not public. */
const UNCOUNTABLE_FIELDS = ['tools', 'functions'] as const;

/**
 * Prompt tokens of a request body in either protocol's shape: OpenAI
 * `messages` (with system and developer messages among them) or Anthropic
 * `system` + `messages`. A system prompt given at the top level is framed as
 * one system message.
 */
export function countRequestPrompt(model: string, body: Record<string, unknown>): PromptCount {
  const tok = tokenizerFor(model);
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  let complete = true;
  let tokens = REPLY_PRIMING;
  const system = body['system'];
  if (system !== undefined && system !== null && system !== '') {
    const c = messageTokens(tok, { role: 'system', content: system });
    tokens += c.tokens;
    complete &&= c.complete;
  }
  for (const m of messages) {
    const c = messageTokens(tok, m);
    tokens += c.tokens;
    complete &&= c.complete;
  }
  for (const field of UNCOUNTABLE_FIELDS) {
    const v = body[field];
    if (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null) complete = false;
  }
  const format = body['response_format'];
  // A JSON schema is rendered into the prompt in a way OpenAI does not publish.
  if (isRecord(format) && format['type'] === 'json_schema') complete = false;
  return { tokens, complete, kind: tok.exact && complete ? 'exact' : 'estimate' };
}

/** Prompt tokens of a plain list of chat messages (a probe's). */
export function countChatPrompt(model: string, messages: readonly { role: string; content: unknown }[]): PromptCount {
  return countRequestPrompt(model, { messages: messages as unknown[] });
}

function messageTokens(tok: ModelTokenizer, m: unknown): { tokens: number; complete: boolean } {
  if (!isRecord(m)) return { tokens: 0, complete: false };
  let tokens = tok.perMessage;
  let complete = true;
  if (typeof m['role'] === 'string') tokens += countWith(tok.encoding, m['role']);
  const content = m['content'];
  if (typeof content === 'string') tokens += countWith(tok.encoding, content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') tokens += countWith(tok.encoding, part);
      else if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string') tokens += countWith(tok.encoding, part['text']);
      else complete = false; // image, audio, document, tool_use, tool_result: priced by rules we cannot see
    }
  } else if (content !== undefined && content !== null) complete = false;
  if (typeof m['name'] === 'string') tokens += tok.perName + countWith(tok.encoding, m['name']);
  if (m['tool_calls'] !== undefined || m['function_call'] !== undefined) complete = false;
  return { tokens, complete };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

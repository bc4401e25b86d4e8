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
import type { LocalCountKind, LocalCountLimit } from '../core/result.js';
import { stripVendorPrefix } from '../pricing/aliases.js';
import { warmEncoding, type EncodingName } from './encodings.js';
import { countBounded, worseLimit, type BoundedCount } from './bounded.js';

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

/** Loads the model's encoding now (the count host does, before its first count). */
export function warmTokenizerFor(model: string): void {
  warmEncoding(tokenizerFor(model).encoding);
}

/** Bounds shared by every text of one count: its deadline (performance.now() instant). */
export interface CountOptions {
  deadline?: number;
}

/** Tokens of `text`, bounded (tokens/bounded.ts): `limit` says which bound cut the count short, if any. */
export function countTextBounded(model: string, text: string, opts: CountOptions = {}, totalLength = text.length): BoundedCount {
  return countBounded(tokenizerFor(model).encoding, text, opts.deadline === undefined ? {} : { deadline: opts.deadline }, totalLength);
}

export function countText(model: string, text: string): number {
  return countTextBounded(model, text).tokens;
}

export interface PromptCount {
  tokens: number;
  /** False when part of the prompt could not be counted (images, audio, tool calls, tool definitions). */
  complete: boolean;
  kind: LocalCountKind;
  /** Which bound cut the count short (tokens/bounded.ts); null when it was counted in full. */
  limit: LocalCountLimit | null;
}

/** Request-body fields that are billed as prompt tokens in a form that is not public. */
const UNCOUNTABLE_FIELDS = ['tools', 'functions'] as const;

/**
 * Prompt tokens of a request body in any protocol's shape: OpenAI
 * `messages` (with system and developer messages among them), Anthropic
 * `system` + `messages`, or the Responses API's `instructions` + `input`. A
 * system prompt given at the top level is framed as one system message.
 */
export function countRequestPrompt(model: string, body: Record<string, unknown>, opts: CountOptions = {}): PromptCount {
  const tok = tokenizerFor(model);
  const counter = new Tally(tok.encoding, opts);
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  let complete = true;
  let tokens = REPLY_PRIMING;
  const system = body['system'];
  if (system !== undefined && system !== null && system !== '') {
    const c = messageTokens(tok, counter, { role: 'system', content: system });
    tokens += c.tokens;
    complete &&= c.complete;
  }
  for (const m of messages) {
    const c = messageTokens(tok, counter, m);
    tokens += c.tokens;
    complete &&= c.complete;
  }
  const responses = responsesInput(body);
  for (const m of responses ?? []) {
    const c = messageTokens(tok, counter, m);
    tokens += c.tokens;
    complete &&= c.complete;
  }
  for (const field of UNCOUNTABLE_FIELDS) {
    const v = body[field];
    if (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null) complete = false;
  }
  const format = body['response_format'];
  // A JSON schema is rendered into the prompt in a way OpenAI does not publish (Responses: text.format).
  if (isRecord(format) && format['type'] === 'json_schema') complete = false;
  const text = body['text'];
  if (isRecord(text) && isRecord(text['format']) && text['format']['type'] === 'json_schema') complete = false;
  const limit = counter.limit;
  // The Responses API's framing of instructions and input items is not published: counted like chat, as an estimate.
  const exact = tok.exact && complete && limit === null && responses === null;
  return { tokens, complete, kind: exact ? 'exact' : 'estimate', limit };
}

/** Responses input parts that are text, under their own type names. */
const RESPONSES_TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);

/**
 * A Responses API body (`instructions`, `input`) as chat messages: the
 * instructions a system message, a string input one user message, and each
 * message item of a list with its text parts; any other item (function calls
 * and their output, reasoning, images) is a part that cannot be counted.
 * Null for a body of another protocol.
 */
function responsesInput(body: Record<string, unknown>): unknown[] | null {
  const input = body['input'];
  const instructions = body['instructions'];
  if (input === undefined && instructions === undefined) return null;
  const out: unknown[] = [];
  if (typeof instructions === 'string' && instructions !== '') out.push({ role: 'system', content: instructions });
  else if (instructions !== undefined && instructions !== null && instructions !== '') out.push(null);
  if (typeof input === 'string') out.push({ role: 'user', content: input });
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (!isRecord(item) || typeof item['role'] !== 'string' || (item['type'] !== undefined && item['type'] !== 'message')) {
        out.push(null); // not a message: counted as nothing, and the count is incomplete
        continue;
      }
      const c = item['content'];
      const content = Array.isArray(c)
        ? c.map((p) => (isRecord(p) && typeof p['type'] === 'string' && RESPONSES_TEXT_PARTS.has(p['type']) && typeof p['text'] === 'string' ? { type: 'text', text: p['text'] } : p))
        : c;
      out.push({ role: item['role'], content });
    }
  } else if (input !== undefined && input !== null) out.push(null);
  return out;
}

/** Prompt tokens of a plain list of chat messages (a probe's). */
export function countChatPrompt(model: string, messages: readonly { role: string; content: unknown }[], opts: CountOptions = {}): PromptCount {
  return countRequestPrompt(model, { messages: messages as unknown[] }, opts);
}

/** Counts the texts of one prompt under one deadline, remembering the worst bound hit. */
class Tally {
  limit: LocalCountLimit | null = null;
  constructor(
    private readonly encoding: EncodingName,
    private readonly opts: CountOptions,
  ) {}
  count(text: string): number {
    const c = countBounded(this.encoding, text, this.opts.deadline === undefined ? {} : { deadline: this.opts.deadline });
    this.limit = worseLimit(this.limit, c.limit);
    return c.tokens;
  }
}

function messageTokens(tok: ModelTokenizer, counter: Tally, m: unknown): { tokens: number; complete: boolean } {
  if (!isRecord(m)) return { tokens: 0, complete: false };
  let tokens = tok.perMessage;
  let complete = true;
  if (typeof m['role'] === 'string') tokens += counter.count(m['role']);
  const content = m['content'];
  if (typeof content === 'string') tokens += counter.count(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') tokens += counter.count(part);
      else if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string') tokens += counter.count(part['text']);
      else complete = false; // image, audio, document, tool_use, tool_result: priced by rules we cannot see
    }
  } else if (content !== undefined && content !== null) complete = false;
  if (typeof m['name'] === 'string') tokens += tok.perName + counter.count(m['name']);
  if (m['tool_calls'] !== undefined || m['function_call'] !== undefined) complete = false;
  return { tokens, complete };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LocalOutput {
  /** Content and tool-argument tokens. */
  visible: number;
  reasoningText: number;
  kind: LocalCountKind;
  /** Which bound cut the count short (tokens/bounded.ts); null when it was counted in full. */
  limit: LocalCountLimit | null;
  /**
   * The streamed text was counted in full with the model family's own
   * tokenizer. Tool calls still make `kind` an estimate (their framing is not
   * public), but their arguments are text that tokenizer counts exactly, so
   * rates may divide by this count (client/result-builder.ts rateTokens).
   */
  textExact: boolean;
}

/** The texts of an answer that relaymon counts (client/accumulate.ts gathers them). */
export interface OutputTexts {
  contentText: string;
  toolText: string;
  reasoningText: string;
}

/**
 * Tokens of the streamed text; tool calls make it an estimate (their framing
 * is not public), and so does a bound that cut the count short. Runs in the
 * count host (tokens/count-host.ts), not on the thread that sends.
 */
export function outputCount(
  model: string,
  acc: OutputTexts,
  opts: CountOptions & { lengths?: { content: number; tool: number; reasoning: number } } = {},
): LocalOutput {
  const tok = tokenizerFor(model);
  const bounds = { deadline: opts.deadline };
  const len = opts.lengths ?? { content: acc.contentText.length, tool: acc.toolText.length, reasoning: acc.reasoningText.length };
  const content = countTextBounded(model, acc.contentText, bounds, len.content);
  const tool = countTextBounded(model, acc.toolText, bounds, len.tool);
  const reasoning = countTextBounded(model, acc.reasoningText, bounds, len.reasoning);
  const limit = worseLimit(worseLimit(content.limit, tool.limit), reasoning.limit);
  return {
    visible: content.tokens + tool.tokens,
    reasoningText: reasoning.tokens,
    kind: tok.exact && len.tool === 0 && limit === null ? 'exact' : 'estimate',
    limit,
    textExact: tok.exact && limit === null,
  };
}

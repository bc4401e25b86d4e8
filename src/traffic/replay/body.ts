import type { Protocol } from '../../core/result.js';
import type { ChatMessage, RequestSpec } from '../../protocol/adapter.js';
import { DEFAULT_REPLAY_MAX_TOKENS } from './replay-file.js';

/**
 * A request body read from a replay file: validated just enough to be sent,
 * and told apart as Chat Completions, Messages or Responses by fields only
 * one protocol has.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

const ANTHROPIC_ONLY_KEYS = ['system', 'stop_sequences', 'top_k', 'thinking', 'anthropic_version', 'mcp_servers'];
const OPENAI_ONLY_KEYS = [
  'max_completion_tokens',
  'stream_options',
  'response_format',
  'n',
  'frequency_penalty',
  'presence_penalty',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'seed',
  'stop',
  'user',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'reasoning_effort',
  'modalities',
  'audio',
  'prediction',
];
/** Messages puts the system prompt at the top level; only Chat Completions has these roles in the list. */
const OPENAI_ONLY_ROLES = new Set(['system', 'developer', 'tool', 'function']);
const ANTHROPIC_ONLY_BLOCKS = new Set([
  'image',
  'document',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'search_result',
  'server_tool_use',
]);
const OPENAI_ONLY_BLOCKS = new Set(['image_url', 'input_audio', 'file', 'refusal']);

/** Fields only the Responses API has; `input` without `messages` is its body. */
const RESPONSES_ONLY_KEYS = ['input', 'max_output_tokens', 'instructions', 'previous_response_id'];

/** A Responses API body: `input` (Chat Completions and Messages have `messages`), or one of its own fields. */
export function isResponsesBody(body: JsonObject): boolean {
  return body['messages'] === undefined && RESPONSES_ONLY_KEYS.some((k) => body[k] !== undefined);
}

/**
 * Which protocol a body's shape demands, or null when it would be valid as
 * either (or shows signs of both). Messages requires max_tokens, so a body
 * without it can only be Chat Completions. A Responses body has no messages.
 */
export function protocolHint(body: JsonObject): Protocol | null {
  if (isResponsesBody(body)) return 'openai-responses';
  let anthropic = ANTHROPIC_ONLY_KEYS.some((k) => body[k] !== undefined);
  let openai = OPENAI_ONLY_KEYS.some((k) => body[k] !== undefined) || body['max_tokens'] === undefined;
  for (const m of Array.isArray(body['messages']) ? body['messages'] : []) {
    if (!isObject(m)) continue;
    if (typeof m['role'] === 'string' && OPENAI_ONLY_ROLES.has(m['role'])) openai = true;
    if (m['tool_calls'] !== undefined || m['tool_call_id'] !== undefined) openai = true;
    for (const block of Array.isArray(m['content']) ? m['content'] : []) {
      const type = isObject(block) ? block['type'] : undefined;
      if (typeof type !== 'string') continue;
      if (ANTHROPIC_ONLY_BLOCKS.has(type)) anthropic = true;
      if (OPENAI_ONLY_BLOCKS.has(type)) openai = true;
    }
  }
  for (const tool of Array.isArray(body['tools']) ? body['tools'] : []) {
    if (!isObject(tool)) continue;
    if (tool['input_schema'] !== undefined) anthropic = true;
    if (tool['function'] !== undefined) openai = true;
  }
  if (anthropic === openai) return null;
  return anthropic ? 'anthropic' : 'openai';
}

/**
 * No decisive field, but the look of a Messages body: max_tokens (which
 * Messages requires) and content given as blocks. Only names the file's
 * format; such a body still fits both protocols.
 */
export function leansAnthropic(body: JsonObject): boolean {
  if (body['max_tokens'] === undefined || !Array.isArray(body['messages'])) return false;
  return body['messages'].some((m) => isObject(m) && Array.isArray(m['content']));
}

export type BodyRead = { ok: true; spec: RequestSpec } | { ok: false; reason: string };

/**
 * `at` prefixes field names in reasons ("body." for a batch line), so that
 * the reason says where in the line the problem is.
 */
export function readBody(body: JsonObject, at = '', protocol: Protocol | null = null): BodyRead {
  const model = body['model'];
  if (model === undefined) return { ok: false, reason: `missing field "${at}model"` };
  if (typeof model !== 'string' || model.trim() === '') {
    return { ok: false, reason: `field "${at}model": expected a non-empty string` };
  }
  if (protocol === 'openai-responses' || (protocol === null && isResponsesBody(body))) return readResponsesBody(body, model, at);
  const messages = body['messages'];
  if (messages === undefined) return { ok: false, reason: `missing field "${at}messages"` };
  if (!Array.isArray(messages)) return { ok: false, reason: `field "${at}messages": expected a list, got ${describeJson(messages)}` };
  if (messages.length === 0) return { ok: false, reason: `field "${at}messages" is an empty list` };
  const badIndex = messages.findIndex((m) => !isObject(m) || typeof m['role'] !== 'string');
  if (badIndex >= 0) return { ok: false, reason: `field "${at}messages[${badIndex}]": expected an object with a "role"` };
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') {
    return { ok: false, reason: `field "${at}stream": expected true or false` };
  }
  let maxTokens = DEFAULT_REPLAY_MAX_TOKENS;
  for (const key of ['max_tokens', 'max_completion_tokens']) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      return { ok: false, reason: `field "${at}${key}": expected a whole number above 0` };
    }
    maxTokens = v;
    break;
  }
  return {
    ok: true,
    spec: { model, messages: textView(body, messages.filter(isObject)), maxTokens, stream: stream ?? true, body },
  };
}

/** A Responses API body: `input` a non-empty string or list, `max_output_tokens` its token limit. */
function readResponsesBody(body: JsonObject, model: string, at: string): BodyRead {
  const input = body['input'];
  if (input === undefined) return { ok: false, reason: `missing field "${at}input"` };
  if (typeof input === 'string') {
    if (input.trim() === '') return { ok: false, reason: `field "${at}input" is empty` };
  } else if (Array.isArray(input)) {
    if (input.length === 0) return { ok: false, reason: `field "${at}input" is an empty list` };
    const badIndex = input.findIndex((m) => !isObject(m));
    if (badIndex >= 0) return { ok: false, reason: `field "${at}input[${badIndex}]": expected an object` };
  } else {
    return { ok: false, reason: `field "${at}input": expected a string or a list, got ${describeJson(input)}` };
  }
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') return { ok: false, reason: `field "${at}stream": expected true or false` };
  let maxTokens = DEFAULT_REPLAY_MAX_TOKENS;
  const limit = body['max_output_tokens'];
  if (limit !== undefined && limit !== null) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0) {
      return { ok: false, reason: `field "${at}max_output_tokens": expected a whole number above 0` };
    }
    maxTokens = limit;
  }
  return { ok: true, spec: { model, messages: responsesTextView(body, input), maxTokens, stream: stream ?? true, body } };
}

/** Plain-text messages for display: instructions as system, then the input's messages. */
function responsesTextView(body: JsonObject, input: string | unknown[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const instructions = body['instructions'];
  if (typeof instructions === 'string' && instructions !== '') out.push({ role: 'system', content: instructions });
  if (typeof input === 'string') return [...out, { role: 'user', content: input }];
  for (const m of input) {
    if (isObject(m) && isChatRole(m['role'])) out.push({ role: m['role'], content: blockText(m['content']) });
  }
  return out;
}

const CHAT_ROLES: readonly string[] = ['system', 'user', 'assistant', 'developer', 'tool'] satisfies ChatMessage['role'][];

function isChatRole(role: unknown): role is ChatMessage['role'] {
  return typeof role === 'string' && CHAT_ROLES.includes(role);
}

/** Plain-text messages for display; the body, not this, is what is sent. */
function textView(body: JsonObject, messages: readonly JsonObject[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const system = blockText(body['system']);
  if (system !== '') out.push({ role: 'system', content: system });
  for (const m of messages) {
    const role = m['role'];
    if (isChatRole(role)) out.push({ role, content: blockText(m['content']) });
  }
  return out;
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => (isObject(b) && typeof b['text'] === 'string' ? b['text'] : ''))
    .filter((t) => t !== '')
    .join('\n');
}

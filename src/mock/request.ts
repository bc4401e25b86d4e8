/**
 * What the mock reads from a request body, per protocol: the model, the
 * limit, the tool to call or schema to answer in, reasoning, the cacheable
 * prefix. A body the real API would refuse gets a message for a 400 instead.
 */
import { createHash } from 'node:crypto';
import { promptTokens, type MockProtocol } from './wire.js';

export interface ToolAnswer {
  name: string;
  schema: unknown;
  /** Anthropic's forced tool: the structured-output path there (--invalid-json-output, not --mangle-tool-calls). */
  structured: boolean;
}

export interface ParsedRequest {
  model: string;
  stream: boolean;
  /** Chat Completions sends usage in a stream only when asked; the other two always do. */
  includeUsage: boolean;
  maxTokens: number | null;
  tool: ToolAnswer | null;
  /** Schema of a structured answer sent as text (Chat Completions, Responses). */
  json: unknown;
  /** Reasoning asked for; budget is Anthropic's budget_tokens. */
  reasoning: { budget: number | null } | null;
  /** The prompt before its last message, when long enough to be cached. */
  prefix: { key: string; tokens: number } | null;
  /** Anthropic caches only what cache_control marks. */
  cacheControl: boolean;
  promptTokens: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Below this a prompt prefix is not cached (OpenAI's and Anthropic's minimum for most models). */
export const MIN_CACHED_TOKENS = 1024;

/** Characters in every string of a value: the prefix size estimate (≈ 4 characters a token). */
function chars(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + chars(x), 0);
  if (isRecord(v)) return Object.values(v).reduce((n: number, x) => n + chars(x), 0);
  return 0;
}

function hasCacheControl(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasCacheControl);
  if (!isRecord(v)) return false;
  return 'cache_control' in v || Object.values(v).some(hasCacheControl);
}

/** A cacheable prefix: ≥ 1,024 tokens by the chars/4 estimate (the mock has no provider's tokenizer for every model). */
function prefixOf(model: string, parts: unknown[]): ParsedRequest['prefix'] {
  const tokens = Math.floor(chars(parts) / 4);
  if (tokens < MIN_CACHED_TOKENS) return null;
  const key = createHash('sha256').update(model).update('\n').update(JSON.stringify(parts)).digest('hex');
  return { key, tokens };
}

interface Choice {
  mode: 'none' | 'auto' | 'required' | 'named';
  name?: string;
}

function toolChoice(protocol: MockProtocol, v: unknown): Choice | string {
  if (v === undefined || v === null) return { mode: 'auto' };
  if (v === 'none' || v === 'auto' || v === 'required') return { mode: v };
  if (!isRecord(v)) return 'tool_choice is not valid';
  if (protocol === 'anthropic') {
    if (v['type'] === 'any') return { mode: 'required' };
    if (v['type'] === 'auto' || v['type'] === 'none') return { mode: v['type'] };
    if (v['type'] === 'tool' && typeof v['name'] === 'string') return { mode: 'named', name: v['name'] };
    return 'tool_choice.type must be one of auto, any, tool, none';
  }
  const fn = protocol === 'openai' ? v['function'] : v;
  if (v['type'] === 'function' && isRecord(fn) && typeof fn['name'] === 'string') return { mode: 'named', name: fn['name'] };
  return 'tool_choice must be none, auto, required or a named function';
}

/** Name and schema of each offered tool, or a message for a malformed list. */
function toolsOf(protocol: MockProtocol, v: unknown): Array<{ name: string; schema: unknown }> | string {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return "'tools' must be an array";
  const out: Array<{ name: string; schema: unknown }> = [];
  for (const t of v) {
    if (!isRecord(t)) return "'tools' entries must be objects";
    const fn = protocol === 'openai' ? t['function'] : t;
    if (protocol !== 'anthropic' && t['type'] !== 'function') continue; // built-in tools: nothing the mock can call
    if (!isRecord(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') return 'every tool needs a name';
    out.push({ name: fn['name'], schema: protocol === 'anthropic' ? fn['input_schema'] : fn['parameters'] });
  }
  return out;
}

function lastIsUser(protocol: MockProtocol, turns: unknown[]): boolean {
  const last = turns.at(-1);
  if (!isRecord(last) || last['role'] !== 'user') return false;
  const c = last['content'];
  // An Anthropic turn carrying tool results asks for an answer, not another call.
  return !(protocol === 'anthropic' && Array.isArray(c) && c.some((p) => isRecord(p) && p['type'] === 'tool_result'));
}

function schemaOfFormat(f: unknown, nested: boolean): unknown {
  if (!isRecord(f)) return null;
  if (f['type'] === 'json_object') return { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
  if (f['type'] !== 'json_schema') return null;
  const holder = nested ? f['json_schema'] : f;
  return isRecord(holder) && holder['schema'] !== undefined ? holder['schema'] : { type: 'object' };
}

function positiveLimit(body: Record<string, unknown>, keys: readonly string[]): number | null | string {
  for (const key of keys) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return `'${key}' must be a positive integer`;
    return v;
  }
  return null;
}

const LIMIT_KEYS: Record<MockProtocol, readonly string[]> = {
  openai: ['max_completion_tokens', 'max_tokens'],
  anthropic: ['max_tokens'],
  'openai-responses': ['max_output_tokens'],
};

/** Responses input as chat messages, so the prompt is counted like the other protocols'. */
function responsesMessages(body: Record<string, unknown>): unknown[] {
  const input = body['input'];
  const messages: unknown[] = [];
  if (typeof body['instructions'] === 'string') messages.push({ role: 'system', content: body['instructions'] });
  if (typeof input === 'string') messages.push({ role: 'user', content: input });
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (!isRecord(item) || typeof item['role'] !== 'string') continue;
      const c = item['content'];
      const content = Array.isArray(c) ? c.map((p) => (isRecord(p) && typeof p['text'] === 'string' ? { type: 'text', text: p['text'] } : p)) : c;
      messages.push({ role: item['role'], content });
    }
  }
  return messages;
}

/** The request as the mock answers it, or why it is refused (HTTP 400). */
export function parseRequest(protocol: MockProtocol, body: unknown): ParsedRequest | string {
  if (!isRecord(body)) return 'The request body is not valid JSON.';
  const model = body['model'];
  if (typeof model !== 'string' || model.length === 0) return 'you must provide a model parameter';
  let turns: unknown[];
  if (protocol === 'openai-responses') {
    const input = body['input'];
    if (typeof input !== 'string' && !Array.isArray(input)) return "'input' must be a string or an array of input items";
    turns = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  } else {
    if (!Array.isArray(body['messages'])) return "'messages' is a required property";
    turns = body['messages'];
  }
  const maxTokens = positiveLimit(body, LIMIT_KEYS[protocol]);
  if (typeof maxTokens === 'string') return maxTokens;
  const tools = toolsOf(protocol, body['tools']);
  if (typeof tools === 'string') return tools;
  const choice = toolChoice(protocol, body['tool_choice']);
  if (typeof choice === 'string') return choice;

  let tool: ToolAnswer | null = null;
  if (tools.length > 0 && choice.mode !== 'none') {
    if (choice.mode === 'named') {
      const named = tools.find((t) => t.name === choice.name);
      if (!named) return `tool_choice names "${choice.name}", which is not among the tools`;
      tool = { ...named, structured: protocol === 'anthropic' };
    } else if (choice.mode === 'required' || lastIsUser(protocol, turns)) {
      tool = { ...tools[0]!, structured: false };
    }
  }
  const json =
    protocol === 'openai'
      ? schemaOfFormat(body['response_format'], true)
      : protocol === 'openai-responses' && isRecord(body['text'])
        ? schemaOfFormat(body['text']['format'], false)
        : null;

  let reasoning: ParsedRequest['reasoning'] = null;
  if (protocol === 'openai' && typeof body['reasoning_effort'] === 'string' && body['reasoning_effort'] !== 'none') reasoning = { budget: null };
  const r = body['reasoning'];
  if (protocol === 'openai-responses' && isRecord(r) && r['effort'] !== 'none') reasoning = { budget: null };
  const t = body['thinking'];
  if (protocol === 'anthropic' && isRecord(t) && t['type'] === 'enabled') {
    reasoning = { budget: typeof t['budget_tokens'] === 'number' ? t['budget_tokens'] : null };
  }

  let prefixParts: unknown[];
  let counted: Record<string, unknown> = body;
  if (protocol === 'openai') prefixParts = turns.slice(0, -1);
  else if (protocol === 'anthropic') prefixParts = [body['system'] ?? null, ...turns.slice(0, -1)];
  else {
    prefixParts = [body['instructions'] ?? null, ...turns.slice(0, -1)];
    counted = { model, messages: responsesMessages(body) };
  }
  return {
    model,
    stream: body['stream'] === true,
    includeUsage: protocol !== 'openai' || (isRecord(body['stream_options']) && body['stream_options']['include_usage'] === true),
    maxTokens,
    tool,
    json,
    reasoning,
    prefix: prefixOf(model, prefixParts),
    cacheControl: protocol === 'anthropic' && hasCacheControl([body['system'], body['messages'], body['tools']]),
    promptTokens: promptTokens(counted),
  };
}

import type { ProtocolAdapter, RequestSpec, SseEvent, StreamDecoder, WireEvent } from './adapter.js';
import { authHeader, overrideBody } from './auth.js';
import { openaiFinish } from './finish.js';
import { openaiRequestExtras, reasoningLimit } from './request-extras.js';
import { usageEvent, count, errorEventPayload, inBandError, isRecord, parseDataIds, parseObject, str, text, type Json, wholeBodyEnd } from './util.js';

type MetaEvent = Extract<WireEvent, { kind: 'meta' }>;

/**
 * OpenAI Chat Completions, as sent by OpenAI itself and by the relays that
 * imitate it (OpenRouter, LiteLLM, one-api/new-api, vLLM, DeepSeek...).
 */
export const openaiAdapter: ProtocolAdapter = {
  protocol: 'openai',
  chatPath: '/chat/completions',
  modelsPath: '/models',

  buildBody(spec: RequestSpec): Record<string, unknown> {
    if (spec.body) {
      const out = overrideBody(spec.body, spec.model, spec.stream, spec.maxTokens, ['max_tokens', 'max_completion_tokens']);
      if (spec.stream) {
        const own = isRecord(out['stream_options']) ? out['stream_options'] : {};
        out['stream_options'] = { ...own, include_usage: true };
      } else {
        // stream_options without stream is a 400 at OpenAI.
        delete out['stream_options'];
      }
      return out;
    }
    const body: Record<string, unknown> = {
      model: spec.model,
      messages: spec.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    // Reasoning models refuse max_tokens and count their reasoning in max_completion_tokens,
    // so the limit leaves room for the reasoning budget on top of the answer.
    if (spec.reasoning) body['max_completion_tokens'] = reasoningLimit(spec);
    else body['max_tokens'] = spec.maxTokens;
    body['stream'] = spec.stream;
    if (spec.stream) body['stream_options'] = { include_usage: true };
    return { ...body, ...openaiRequestExtras(spec) };
  },

  headers(apiKey: string | null, apiKeyHeader: string): Record<string, string> {
    return { 'content-type': 'application/json', ...authHeader(apiKey, apiKeyHeader) };
  },

  newStreamDecoder(): StreamDecoder {
    return new OpenAiStreamDecoder();
  },

  decodeBody(json: unknown): WireEvent[] {
    if (!isRecord(json)) return [{ kind: 'invalid', message: 'response body is not a JSON object' }];
    if (json['error'] !== undefined && json['error'] !== null) return [inBandError(json['error'])];
    const choices = json['choices'];
    if (!Array.isArray(choices)) return [{ kind: 'invalid', message: 'response body has no choices array' }];
    const out: WireEvent[] = [];
    const meta = metaOf(json);
    if (meta) out.push(meta);
    let content = '';
    let reasoning = '';
    let tool = '';
    const extra: WireEvent[] = [];
    for (const choice of choices) {
      if (!isRecord(choice) || !isRecord(choice['message'])) continue;
      const parts = deltaParts(choice['message']);
      content += parts.content;
      reasoning += parts.reasoning;
      tool += parts.tool;
      extra.push(...toolCallEvents(choice['message']));
    }
    const finish = finishOf(choices);
    if (finish) extra.push(finish);
    return wholeBodyEnd(out, { content, reasoning, tool }, usageOf(json['usage']), extra);
  },

  parseModelList: parseDataIds,
};

class OpenAiStreamDecoder implements StreamDecoder {
  /** Meta already emitted, so that an id repeated on every chunk is reported once. */
  private readonly seen = new Map<string, string>();

  onEvent(ev: SseEvent): WireEvent[] {
    if (ev.event === 'error') return [inBandError(errorEventPayload(ev.data))];
    const data = ev.data.trim();
    if (data === '[DONE]') return [{ kind: 'done' }];
    const parsed = parseObject(data);
    if (!parsed.ok) return [{ kind: 'invalid', message: parsed.message }];
    const chunk = parsed.value;
    const out: WireEvent[] = [];
    const meta = this.newMeta(chunk);
    if (meta) out.push(meta);
    if (chunk['error'] !== undefined && chunk['error'] !== null) {
      out.push(inBandError(chunk['error']));
      return out;
    }
    const choices = chunk['choices'];
    if (choices !== undefined && choices !== null && !Array.isArray(choices)) {
      out.push({ kind: 'invalid', message: 'stream chunk has a "choices" member that is not an array' });
      return out;
    }
    for (const choice of choices ?? []) {
      if (!isRecord(choice) || !isRecord(choice['delta'])) continue;
      const parts = deltaParts(choice['delta']);
      if (parts.reasoning) out.push({ kind: 'token', channel: 'reasoning', text: parts.reasoning });
      if (parts.content) out.push({ kind: 'token', channel: 'content', text: parts.content });
      if (parts.tool) out.push({ kind: 'token', channel: 'tool', text: parts.tool });
      out.push(...toolCallEvents(choice['delta']));
    }
    const finish = finishOf(choices ?? []);
    if (finish) out.push(finish);
    const usage = usageOf(chunk['usage']);
    if (usage) out.push(usage);
    return out;
  }

  /** Runs on every chunk: builds an event only when a field is new (most chunks repeat the first one's). */
  private newMeta(chunk: Json): WireEvent | null {
    let fresh: MetaEvent | null = null;
    const id = text(chunk['id']);
    if (id !== undefined && this.seen.get('id') !== id) {
      this.seen.set('id', id);
      (fresh ??= { kind: 'meta' }).id = id;
    }
    const model = text(chunk['model']);
    if (model !== undefined && this.seen.get('model') !== model) {
      this.seen.set('model', model);
      (fresh ??= { kind: 'meta' }).model = model;
    }
    const systemFingerprint = text(chunk['system_fingerprint']);
    if (systemFingerprint !== undefined && this.seen.get('systemFingerprint') !== systemFingerprint) {
      this.seen.set('systemFingerprint', systemFingerprint);
      (fresh ??= { kind: 'meta' }).systemFingerprint = systemFingerprint;
    }
    return fresh;
  }
}

function metaOf(obj: Json): MetaEvent | null {
  const id = text(obj['id']);
  const model = text(obj['model']);
  const systemFingerprint = text(obj['system_fingerprint']);
  if (id === undefined && model === undefined && systemFingerprint === undefined) return null;
  // Set one by one, not spread: three spreads of fresh objects per answer (pure.mjs profile).
  const meta: MetaEvent = { kind: 'meta' };
  if (id !== undefined) meta.id = id;
  if (model !== undefined) meta.model = model;
  if (systemFingerprint !== undefined) meta.systemFingerprint = systemFingerprint;
  return meta;
}

/** The token-bearing text of a stream delta or a whole message. */
function deltaParts(d: Json): { content: string; reasoning: string; tool: string } {
  // Relays name reasoning differently (DeepSeek/vLLM reasoning_content, OpenRouter
  // reasoning); some send both with the same text, so take one, not the sum.
  const reasoning = text(d['reasoning_content']) ?? text(d['reasoning']) ?? '';
  let tool = '';
  if (Array.isArray(d['tool_calls'])) {
    for (const call of d['tool_calls']) {
      if (isRecord(call) && isRecord(call['function'])) tool += str(call['function']['arguments']) ?? '';
    }
  }
  if (isRecord(d['function_call'])) tool += str(d['function_call']['arguments']) ?? '';
  return { content: contentText(d['content']), reasoning, tool };
}

/**
 * The tool-call fragments of a delta (or whole message), one event per entry
 * of tool_calls: `index` as the relay numbered it (its position when it left
 * it out), id and name when this fragment carries them. The deprecated
 * function_call is call 0. Fragments that carry nothing are not events.
 */
function toolCallEvents(d: Json): WireEvent[] {
  const out: WireEvent[] = [];
  const calls = Array.isArray(d['tool_calls']) ? d['tool_calls'] : [];
  calls.forEach((call, position) => {
    if (!isRecord(call)) return;
    const fn = isRecord(call['function']) ? call['function'] : {};
    const ev = toolCall(count(call['index']) ?? position, text(call['id']), text(fn['name']), str(fn['arguments']) ?? '');
    if (ev) out.push(ev);
  });
  if (isRecord(d['function_call'])) {
    const fn = d['function_call'];
    const ev = toolCall(0, undefined, text(fn['name']), str(fn['arguments']) ?? '');
    if (ev) out.push(ev);
  }
  return out;
}

function toolCall(index: number, id: string | undefined, name: string | undefined, args: string): WireEvent | null {
  if (id === undefined && name === undefined && args === '') return null;
  return { kind: 'tool_call', index, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), args };
}

/** The first choice's finish_reason (a relay answers one choice; n>1 is not what relaymon asks for). */
function finishOf(choices: readonly unknown[]): WireEvent | null {
  for (const choice of choices) {
    const reason = isRecord(choice) ? text(choice['finish_reason']) : undefined;
    if (reason !== undefined) return { kind: 'finish', reason: openaiFinish(reason) };
  }
  return null;
}

/** `content` is a string, or (some providers) an array of `{type:'text', text}` parts. */
function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  let s = '';
  for (const part of c) {
    if (isRecord(part) && part['type'] === 'text') s += str(part['text']) ?? '';
  }
  return s;
}

function usageOf(u: unknown): WireEvent | null {
  if (!isRecord(u)) return null;
  const inputTokens = count(u['prompt_tokens']);
  const outputTokens = count(u['completion_tokens']);
  const cachedInputTokens = isRecord(u['prompt_tokens_details']) ? count(u['prompt_tokens_details']['cached_tokens']) : undefined;
  const reasoningTokens = isRecord(u['completion_tokens_details'])
    ? count(u['completion_tokens_details']['reasoning_tokens'])
    : undefined;
  return usageEvent({ inputTokens, outputTokens, cachedInputTokens, reasoningTokens, costUsd: count(u['cost']) });
}

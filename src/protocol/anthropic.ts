import type { ProtocolAdapter, RequestSpec, SseEvent, StreamDecoder, WireEvent } from './adapter.js';
import { authHeader, overrideBody } from './auth.js';
import { anthropicFinish } from './finish.js';
import { anthropicCachedPrompt, anthropicRequestExtras, reasoningLimit } from './request-extras.js';
import { usageEvent, count, errorEventPayload, inBandError, isRecord, parseDataIds, parseObject, str, text, type Json, wholeBodyEnd } from './util.js';

export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic Messages API. */
export const anthropicAdapter: ProtocolAdapter = {
  protocol: 'anthropic',
  chatPath: '/messages',
  modelsPath: '/models',

  buildBody(spec: RequestSpec): Record<string, unknown> {
    if (spec.body) return overrideBody(spec.body, spec.model, spec.stream, spec.maxTokens, ['max_tokens']);
    // Anthropic has no system role in messages: system (and developer) text goes top-level.
    const system = spec.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content);
    const messages = spec.messages
      .filter((m) => m.role !== 'system' && m.role !== 'developer')
      .map((m) => ({ role: m.role, content: m.content }));
    const body: Record<string, unknown> = { model: spec.model };
    if (spec.cachePrefix) {
      const cached = anthropicCachedPrompt(system, messages);
      if (cached.system !== undefined) body['system'] = cached.system;
      body['messages'] = cached.messages;
    } else {
      if (system.length > 0) body['system'] = system.join('\n\n');
      body['messages'] = messages;
    }
    // max_tokens must exceed thinking.budget_tokens (a 400 otherwise): the budget comes on top of the answer's limit.
    body['max_tokens'] = reasoningLimit(spec);
    body['stream'] = spec.stream;
    return { ...body, ...anthropicRequestExtras(spec) };
  },

  headers(apiKey: string | null, apiKeyHeader: string): Record<string, string> {
    return {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...authHeader(apiKey, apiKeyHeader),
    };
  },

  newStreamDecoder(): StreamDecoder {
    return { onEvent: decodeAnthropicEvent };
  },

  decodeBody(json: unknown): WireEvent[] {
    if (!isRecord(json)) return [{ kind: 'invalid', message: 'response body is not a JSON object' }];
    if (json['type'] === 'error' || (json['error'] !== undefined && json['error'] !== null)) {
      return [inBandError(json['error'] ?? json)];
    }
    if (!Array.isArray(json['content'])) return [{ kind: 'invalid', message: 'response body has no content array' }];
    const out: WireEvent[] = [];
    const meta = metaOf(json);
    if (meta) out.push(meta);
    let content = '';
    let reasoning = '';
    let tool = '';
    const extra: WireEvent[] = [];
    json['content'].forEach((block: unknown, index: number) => {
      if (!isRecord(block)) return;
      if (block['type'] === 'text') content += str(block['text']) ?? '';
      else if (block['type'] === 'thinking') reasoning += str(block['thinking']) ?? '';
      else if (block['type'] === 'tool_use' || block['type'] === 'server_tool_use') {
        const args = block['input'] !== undefined ? JSON.stringify(block['input']) : '';
        tool += args;
        extra.push(toolCall(index, block, args));
      }
    });
    const stop = text(json['stop_reason']);
    if (stop !== undefined) extra.push({ kind: 'finish', reason: anthropicFinish(stop) });
    return wholeBodyEnd(out, { content, reasoning, tool }, usageOf(json['usage']), extra);
  },

  parseModelList: parseDataIds,
};

/**
 * Stateless: every Anthropic event carries all it means. The type comes from
 * the JSON `type` (it decides the payload's shape) and falls back to the SSE
 * `event:` name for relays that leave `type` out.
 */
function decodeAnthropicEvent(ev: SseEvent): WireEvent[] {
  if (ev.event === 'error') return [inBandError(errorEventPayload(ev.data))];
  const raw = ev.data.trim();
  // Relays that translate from OpenAI sometimes append an OpenAI terminator.
  if (raw === '[DONE]') return [{ kind: 'done' }];
  const parsed = parseObject(raw);
  if (!parsed.ok) return [{ kind: 'invalid', message: parsed.message }];
  const data = parsed.value;
  const type = str(data['type']) ?? ev.event;
  switch (type) {
    case 'message_start': {
      const out: WireEvent[] = [];
      const message = isRecord(data['message']) ? data['message'] : {};
      const meta = metaOf(message);
      if (meta) out.push(meta);
      // message_start's output_tokens is a placeholder (1, or 0) sent before any token: the real count comes
      // with message_delta, so a stream that breaks before it has no reported output and is counted locally.
      const usage = usageOf(message['usage'], false);
      if (usage) out.push(usage);
      return out;
    }
    case 'content_block_start':
      return isRecord(data['content_block']) ? blockStartTokens(data['content_block'], count(data['index'])) : [];
    case 'content_block_delta':
      return isRecord(data['delta']) ? deltaTokens(data['delta'], count(data['index'])) : [];
    case 'message_delta': {
      const out: WireEvent[] = [];
      const stop = isRecord(data['delta']) ? text(data['delta']['stop_reason']) : undefined;
      if (stop !== undefined) out.push({ kind: 'finish', reason: anthropicFinish(stop) });
      const usage = usageOf(data['usage']);
      if (usage) out.push(usage);
      return out;
    }
    case 'message_stop':
      return [{ kind: 'done' }];
    case 'error':
      return [inBandError(data['error'] ?? data)];
    default:
      // ping, content_block_stop, and whatever Anthropic adds next.
      return [];
  }
}

/** `index` is the content block's (absent: 0, the one block a relay that leaves it out can mean). */
function deltaTokens(delta: Json, index: number | undefined): WireEvent[] {
  let t: string | undefined;
  let channel: 'content' | 'reasoning' | 'tool';
  switch (delta['type']) {
    case 'text_delta':
      t = text(delta['text']);
      channel = 'content';
      break;
    case 'thinking_delta':
      t = text(delta['thinking']);
      channel = 'reasoning';
      break;
    case 'input_json_delta':
      t = text(delta['partial_json']);
      channel = 'tool';
      break;
    default:
      // signature_delta, citations_delta: no tokens of their own.
      return [];
  }
  if (t === undefined) return [];
  const out: WireEvent[] = [{ kind: 'token', channel, text: t }];
  if (channel === 'tool') out.push({ kind: 'tool_call', index: index ?? 0, args: t });
  return out;
}

/**
 * Anthropic opens blocks empty, but a relay that puts text in the start event
 * still sent tokens. A tool_use block's start names the call (id, name); its
 * arguments follow as input_json_delta, unless a relay put them in `input`.
 */
function blockStartTokens(block: Json, index: number | undefined): WireEvent[] {
  if (block['type'] === 'tool_use' || block['type'] === 'server_tool_use') {
    const input = block['input'];
    const args = isRecord(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
    const call = toolCall(index ?? 0, block, args);
    return args === '' ? [call] : [{ kind: 'token', channel: 'tool', text: args }, call];
  }
  if (block['type'] === 'text') {
    const t = text(block['text']);
    return t === undefined ? [] : [{ kind: 'token', channel: 'content', text: t }];
  }
  if (block['type'] === 'thinking') {
    const t = text(block['thinking']);
    return t === undefined ? [] : [{ kind: 'token', channel: 'reasoning', text: t }];
  }
  return [];
}

function toolCall(index: number, block: Json, args: string): WireEvent {
  const id = text(block['id']);
  const name = text(block['name']);
  return { kind: 'tool_call', index, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), args };
}

function metaOf(message: Json): WireEvent | null {
  const id = text(message['id']);
  const model = text(message['model']);
  if (id === undefined && model === undefined) return null;
  const meta: Extract<WireEvent, { kind: 'meta' }> = { kind: 'meta' };
  if (id !== undefined) meta.id = id;
  if (model !== undefined) meta.model = model;
  return meta;
}

/**
 * Anthropic counts cached prompt tokens outside input_tokens; our inputTokens
 * is every prompt token, so the cache reads and writes are added back in.
 * Every value is a running total (message_delta's output_tokens is
 * cumulative), so each one is emitted for assignment, never summed across events.
 */
function usageOf(u: unknown, withOutput = true): WireEvent | null {
  if (!isRecord(u)) return null;
  const input = count(u['input_tokens']);
  const cacheRead = count(u['cache_read_input_tokens']);
  const cacheWrite = count(u['cache_creation_input_tokens']);
  const outputTokens = withOutput ? count(u['output_tokens']) : undefined;
  const inputTokens = input === undefined ? undefined : input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  // Cache writes are priced at the cache-write rate (pricing/table.ts cost), not the plain input rate.
  return usageEvent({ inputTokens, outputTokens, cachedInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite });
}

import type { SseEvent, StreamDecoder, WireEvent } from './adapter.js';
import { responsesFinish } from './finish.js';
import { usageEvent, count, errorEventPayload, inBandError, isRecord, parseObject, str, text, type Json } from './util.js';

type MetaEvent = Extract<WireEvent, { kind: 'meta' }>;

/**
 * The Responses API's typed stream. Each event's `type` (the SSE `event:`
 * name for relays that leave it out of the data) decides its payload:
 *
 * - response.created / response.in_progress: the response's id and model (and a running usage, if any);
 * - response.output_item.added: a new output item; a function_call names the call;
 * - response.output_text.delta, response.refusal.delta: visible content;
 * - response.reasoning_summary_text.delta, response.reasoning_text.delta: reasoning;
 * - response.function_call_arguments.delta: a tool call's arguments;
 * - response.completed / response.incomplete: the final response with its
 *   usage, and the end of the stream;
 * - response.failed, `error`: an error inside the 200 stream.
 *
 * The `….done` events repeat text that already came as deltas and are not
 * tokens again.
 */
export class ResponsesStreamDecoder implements StreamDecoder {
  private readonly seen = new Map<string, string>();
  private calledTool = false;

  onEvent(ev: SseEvent): WireEvent[] {
    const raw = ev.data.trim();
    // A relay translating from Chat Completions may add its terminator; the Responses terminator is response.completed.
    if (raw === '[DONE]') return [];
    if (ev.event === 'error' && !raw.startsWith('{')) return [inBandError(errorEventPayload(raw))];
    const parsed = parseObject(raw);
    if (!parsed.ok) return [{ kind: 'invalid', message: parsed.message }];
    const data = parsed.value;
    const type = str(data['type']) ?? ev.event;
    switch (type) {
      case 'response.created':
      case 'response.in_progress': {
        // OpenAI sends usage: null here; a relay that fills in a running count is read, so a count that
        // later goes down is seen (honesty/conformance.ts), while only the final event's usage counts as final.
        const out = this.meta(data['response']);
        const usage = isRecord(data['response']) ? responsesUsage(data['response']['usage']) : null;
        if (usage) out.push(usage);
        return out;
      }
      case 'response.output_item.added':
        return isRecord(data['item']) ? this.itemAdded(data['item'], count(data['output_index']) ?? 0) : [];
      case 'response.content_part.added': {
        // OpenAI opens parts empty; a relay that puts text here still sent tokens.
        const part = isRecord(data['part']) ? data['part'] : {};
        const t = part['type'] === 'output_text' ? text(part['text']) : undefined;
        return t === undefined ? [] : [{ kind: 'token', channel: 'content', text: t }];
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return token('content', data['delta']);
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return token('reasoning', data['delta']);
      case 'response.function_call_arguments.delta': {
        const args = text(data['delta']);
        if (args === undefined) return [];
        const id = text(data['item_id']);
        return [
          { kind: 'token', channel: 'tool', text: args },
          { kind: 'tool_call', index: count(data['output_index']) ?? 0, ...(id !== undefined ? { id } : {}), args },
        ];
      }
      case 'response.completed':
      case 'response.incomplete':
        return [...this.end(data['response'], type === 'response.completed' ? 'completed' : 'incomplete'), { kind: 'done' }];
      case 'response.failed': {
        const response = isRecord(data['response']) ? data['response'] : {};
        const out = this.meta(response);
        const usage = responsesUsage(response['usage']);
        if (usage) out.push(usage);
        out.push(inBandError(response['error'] ?? { message: 'the response failed (response.failed)' }));
        return out;
      }
      case 'error':
        return [inBandError(isRecord(data['error']) ? data['error'] : data)];
      default:
        // response.output_item.done, ….done, content_part.done, and whatever OpenAI adds next.
        return [];
    }
  }

  private meta(response: unknown): WireEvent[] {
    if (!isRecord(response)) return [];
    const meta = responsesMeta(response);
    if (!meta) return [];
    const fresh: MetaEvent = { kind: 'meta' };
    let any = false;
    for (const key of ['id', 'model'] as const) {
      const v = meta[key];
      if (v === undefined || this.seen.get(key) === v) continue;
      this.seen.set(key, v);
      fresh[key] = v;
      any = true;
    }
    return any ? [fresh] : [];
  }

  private itemAdded(item: Json, index: number): WireEvent[] {
    if (item['type'] !== 'function_call') return [];
    this.calledTool = true;
    const id = text(item['id']);
    const name = text(item['name']);
    // OpenAI adds the item with arguments ''; a relay that sends them whole here still sent them.
    const args = str(item['arguments']) ?? '';
    const call: WireEvent = { kind: 'tool_call', index, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), args };
    return args === '' ? [call] : [{ kind: 'token', channel: 'tool', text: args }, call];
  }

  private end(response: unknown, fallbackStatus: string): WireEvent[] {
    const r = isRecord(response) ? response : {};
    const out = this.meta(r);
    const output = Array.isArray(r['output']) ? r['output'] : [];
    const calledTool = this.calledTool || output.some((i) => isRecord(i) && i['type'] === 'function_call');
    const details = isRecord(r['incomplete_details']) ? text(r['incomplete_details']['reason']) : undefined;
    out.push({ kind: 'finish', reason: responsesFinish(str(r['status']) ?? fallbackStatus, details, calledTool) });
    const usage = responsesUsage(r['usage']);
    if (usage) out.push(usage);
    return out;
  }
}

function token(channel: 'content' | 'reasoning', delta: unknown): WireEvent[] {
  const t = text(delta);
  return t === undefined ? [] : [{ kind: 'token', channel, text: t }];
}

export function responsesMeta(response: Json): MetaEvent | null {
  const id = text(response['id']);
  const model = text(response['model']);
  if (id === undefined && model === undefined) return null;
  return { kind: 'meta', ...(id !== undefined ? { id } : {}), ...(model !== undefined ? { model } : {}) };
}

/** input_tokens (cached ones included, as ours), input_tokens_details.cached_tokens, output_tokens (reasoning included), output_tokens_details.reasoning_tokens. */
export function responsesUsage(u: unknown): WireEvent | null {
  if (!isRecord(u)) return null;
  const inputTokens = count(u['input_tokens']);
  const outputTokens = count(u['output_tokens']);
  const cachedInputTokens = isRecord(u['input_tokens_details']) ? count(u['input_tokens_details']['cached_tokens']) : undefined;
  const reasoningTokens = isRecord(u['output_tokens_details']) ? count(u['output_tokens_details']['reasoning_tokens']) : undefined;
  return usageEvent({ inputTokens, outputTokens, cachedInputTokens, reasoningTokens, costUsd: count(u['cost']) });
}

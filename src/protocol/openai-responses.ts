import type { ProtocolAdapter, RequestSpec, StreamDecoder, WireEvent } from './adapter.js';
import { authHeader, overrideBody } from './auth.js';
import { ResponsesStreamDecoder, responsesMeta, responsesUsage } from './openai-responses-stream.js';
import { responsesFinish } from './finish.js';
import { reasoningLimit, responsesRequestExtras } from './request-extras.js';
import { inBandError, isRecord, parseDataIds, str, text, type Json, wholeBodyEnd } from './util.js';

/**
 * OpenAI's Responses API (POST /responses), spoken by OpenAI and by the
 * relays that front it (OpenRouter, LiteLLM, Azure). Streams are typed
 * events (`event: response.output_text.delta` …) that end with
 * response.completed or response.incomplete; there is no `[DONE]`.
 */
export const openaiResponsesAdapter: ProtocolAdapter = {
  protocol: 'openai-responses',
  chatPath: '/responses',
  modelsPath: '/models',

  buildBody(spec: RequestSpec): Record<string, unknown> {
    if (spec.body) return overrideBody(spec.body, spec.model, spec.stream, spec.maxTokens, ['max_output_tokens']);
    // System and developer text is the Responses API's `instructions`; the conversation is `input`.
    const instructions = spec.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content);
    const input = spec.messages
      .filter((m) => m.role !== 'system' && m.role !== 'developer')
      .map((m) => ({ role: m.role, content: m.content }));
    const body: Record<string, unknown> = { model: spec.model };
    if (instructions.length > 0) body['instructions'] = instructions.join('\n\n');
    body['input'] = input;
    // max_output_tokens counts reasoning tokens too: the reasoning budget comes on top of the answer's limit.
    body['max_output_tokens'] = reasoningLimit(spec);
    body['stream'] = spec.stream;
    return { ...body, ...responsesRequestExtras(spec) };
  },

  headers(apiKey: string | null, apiKeyHeader: string): Record<string, string> {
    return { 'content-type': 'application/json', ...authHeader(apiKey, apiKeyHeader) };
  },

  newStreamDecoder(): StreamDecoder {
    return new ResponsesStreamDecoder();
  },

  decodeBody(json: unknown): WireEvent[] {
    if (!isRecord(json)) return [{ kind: 'invalid', message: 'response body is not a JSON object' }];
    if (json['error'] !== undefined && json['error'] !== null) return [inBandError(json['error'])];
    if (json['status'] === 'failed') return [inBandError({ message: 'the response failed (status "failed")' })];
    const output = json['output'];
    if (!Array.isArray(output)) return [{ kind: 'invalid', message: 'response body has no output array' }];
    const out: WireEvent[] = [];
    const meta = responsesMeta(json);
    if (meta) out.push(meta);
    const parts = { content: '', reasoning: '', tool: '' };
    const extra: WireEvent[] = [];
    output.forEach((item: unknown, index: number) => {
      if (!isRecord(item)) return;
      if (item['type'] === 'message') parts.content += itemText(item['content'], ['output_text', 'refusal']);
      else if (item['type'] === 'reasoning') {
        parts.reasoning += itemText(item['summary'], ['summary_text']) + itemText(item['content'], ['reasoning_text']);
      } else if (item['type'] === 'function_call') {
        const args = str(item['arguments']) ?? '';
        parts.tool += args;
        const id = text(item['id']) ?? text(item['call_id']);
        const name = text(item['name']);
        extra.push({ kind: 'tool_call', index, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), args });
      }
    });
    const status = str(json['status']);
    if (status !== undefined) {
      const calledTool = extra.some((e) => e.kind === 'tool_call');
      extra.push({ kind: 'finish', reason: responsesFinish(status, incompleteReason(json), calledTool) });
    }
    return wholeBodyEnd(out, parts, responsesUsage(json['usage']), extra);
  },

  parseModelList: parseDataIds,
};

function incompleteReason(response: Json): string | undefined {
  const details = response['incomplete_details'];
  return isRecord(details) ? text(details['reason']) : undefined;
}

/** The text of an item's parts of the given types (output_text and refusal in a message; summary_text in reasoning). */
function itemText(parts: unknown, types: readonly string[]): string {
  if (!Array.isArray(parts)) return '';
  let s = '';
  for (const p of parts) {
    if (isRecord(p) && typeof p['type'] === 'string' && types.includes(p['type'])) s += str(p['text']) ?? str(p['refusal']) ?? '';
  }
  return s;
}

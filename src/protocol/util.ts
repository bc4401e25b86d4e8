import { redact } from '../core/redact.js';
import type { ErrorType } from '../core/result.js';
import type { WireEvent } from './adapter.js';
import { errorTypeFromCodes } from './error-types.js';

/** Small, shared helpers for reading untrusted JSON from relays. */

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-empty string, or undefined. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A finite, non-negative number, or undefined: relays send null, strings and negatives. */
export function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * One line, at most `max` characters, secrets removed. Relay messages sometimes
 * echo the key they rejected, so redaction happens here as well as at output.
 */
export function oneLine(s: string, max: number): string {
  const flat = redact(s).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export const STREAM_ERROR_MAX = 300;

function isOverloaded(err: Json | string): boolean {
  if (typeof err === 'string') return /overloaded/i.test(err);
  const type = str(err['type']) ?? '';
  const code = err['code'];
  if (type === 'overloaded_error' || code === 'overloaded_error' || code === 529) return true;
  return /overloaded/i.test(str(err['message']) ?? '');
}

/**
 * An error reported inside a 200 response (`{"error": {...}}`, Anthropic's
 * `{"type":"error","error":{...}}`, an SSE `event: error`). `payload` is the
 * `error` member, or the raw data text when it was not JSON.
 */
export function inBandError(payload: unknown): WireEvent {
  let errorType: ErrorType = 'stream_error';
  let message = '';
  if (typeof payload === 'string') {
    message = payload;
    if (isOverloaded(payload)) errorType = 'overloaded';
  } else if (isRecord(payload)) {
    message = text(payload['message']) ?? text(payload['type']) ?? stringCode(payload['code']) ?? '';
    // The object's own type says what went wrong (a 200 carrying insufficient_quota is a spent quota, not a broken stream).
    const codes = [str(payload['type']), stringCode(payload['code']), str(payload['status'])].filter(Boolean).join(' ');
    errorType = errorTypeFromCodes(codes) ?? (isOverloaded(payload) ? 'overloaded' : 'stream_error');
  }
  message = oneLine(message, STREAM_ERROR_MAX);
  return { kind: 'error', errorType, message: message || 'error reported in the response' };
}

function stringCode(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Parse SSE data as a JSON object, or explain why it is not one. */
export function parseObject(data: string): { ok: true; value: Json } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, message: `invalid JSON in stream: ${oneLine(data, 80) || '(empty data)'}` };
  }
  if (!isRecord(value)) {
    return { ok: false, message: `stream data is not a JSON object: ${oneLine(data, 80)}` };
  }
  return { ok: true, value };
}

/** The error member of an SSE `event: error`, whose data may or may not be JSON. */
export function errorEventPayload(data: string): unknown {
  try {
    const v: unknown = JSON.parse(data);
    if (isRecord(v)) return v['error'] ?? v;
    return data;
  } catch {
    return data;
  }
}

/** `{data: [{id}]}`, the shape both OpenAI and Anthropic use for GET /models. */
export function parseDataIds(json: unknown): string[] {
  if (!isRecord(json) || !Array.isArray(json['data'])) throw new Error('unexpected /models response: no "data" array');
  const ids: string[] = [];
  for (const m of json['data']) {
    const id = isRecord(m) ? text(m['id']) : undefined;
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/**
 * The end of a whole (non-streamed) body, the same for every protocol: one
 * token event per non-empty channel (reasoning first, as a model produces
 * it), then `extra` (tool calls, the finish reason), then the usage, then the
 * terminator.
 */
export function wholeBodyEnd(
  out: WireEvent[],
  parts: { content: string; reasoning: string; tool: string },
  usage: WireEvent | null,
  extra: readonly WireEvent[] = [],
): WireEvent[] {
  if (parts.reasoning) out.push({ kind: 'token', channel: 'reasoning', text: parts.reasoning });
  if (parts.content) out.push({ kind: 'token', channel: 'content', text: parts.content });
  if (parts.tool) out.push({ kind: 'token', channel: 'tool', text: parts.tool });
  out.push(...extra);
  if (usage) out.push(usage);
  out.push({ kind: 'done' });
  return out;
}

type UsageEvent = Extract<WireEvent, { kind: 'usage' }>;

/**
 * A usage event of the counts a response gave, each protocol having read its
 * own field names; null when it gave none, so an empty usage object is no usage.
 */
export function usageEvent(counts: { [K in Exclude<keyof UsageEvent, 'kind'>]?: number | undefined }): UsageEvent | null {
  // Field by field rather than over Object.entries: this runs on every answer, and the entries' arrays were
  // most of its cost (pure.mjs profile). The fields go in the order every protocol gives them.
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens, reasoningTokens, costUsd } = counts;
  if (
    inputTokens === undefined &&
    outputTokens === undefined &&
    cachedInputTokens === undefined &&
    cacheWriteInputTokens === undefined &&
    reasoningTokens === undefined &&
    costUsd === undefined
  ) {
    return null;
  }
  const ev: UsageEvent = { kind: 'usage' };
  if (inputTokens !== undefined) ev.inputTokens = inputTokens;
  if (outputTokens !== undefined) ev.outputTokens = outputTokens;
  if (cachedInputTokens !== undefined) ev.cachedInputTokens = cachedInputTokens;
  if (cacheWriteInputTokens !== undefined) ev.cacheWriteInputTokens = cacheWriteInputTokens;
  if (reasoningTokens !== undefined) ev.reasoningTokens = reasoningTokens;
  if (costUsd !== undefined) ev.costUsd = costUsd;
  return ev;
}

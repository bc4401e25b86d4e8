import type { ErrorType, Protocol } from '../core/result.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'developer' | 'tool';
  content: string;
}

/** What to send. Built from a probe (messages) or a replayed line (body). */
export interface RequestSpec {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  stream: boolean;
  /**
   * A whole request body from a replay file. When present it is sent as is,
   * except that `model`, `stream`, the token limit and (OpenAI, streaming)
   * `stream_options.include_usage` are set by relaymon.
   */
  body?: Record<string, unknown>;
}

/**
 * What a response (a stream, or a whole JSON body) means, normalised across
 * protocols. Decoders emit these; the client timestamps and folds them.
 */
export type WireEvent =
  /** A token-bearing delta. Empty strings are never emitted: an empty delta is not a token. */
  | { kind: 'token'; channel: 'content' | 'reasoning' | 'tool'; text: string }
  | { kind: 'meta'; id?: string; model?: string; systemFingerprint?: string }
  /**
   * Usage as the relay reported it. Assign semantics: each present field
   * replaces the previous value (Anthropic's output_tokens is cumulative).
   * inputTokens counts every prompt token including cached ones;
   * cachedInputTokens is the cached part of it; reasoningTokens is the part of
   * outputTokens spent on reasoning.
   */
  | {
      kind: 'usage';
      inputTokens?: number;
      outputTokens?: number;
      cachedInputTokens?: number;
      /** Prompt tokens written to the cache (Anthropic cache_creation_input_tokens), part of inputTokens. */
      cacheWriteInputTokens?: number;
      reasoningTokens?: number;
      costUsd?: number;
    }
  /** An error reported inside a 200 stream or body. */
  | { kind: 'error'; errorType: ErrorType; message: string }
  /** The protocol's terminator: `data: [DONE]` (OpenAI) or `message_stop` (Anthropic). */
  | { kind: 'done' }
  /** Data that is not what the protocol allows (invalid JSON, wrong shape): bad_response. */
  | { kind: 'invalid'; message: string };

/** One framed SSE event. */
export interface SseEvent {
  event?: string;
  data: string;
  /** Closed by the end of the body rather than by a blank line (sse.ts): possibly a fragment. */
  unterminated?: true;
}

export interface StreamDecoder {
  onEvent(ev: SseEvent): WireEvent[];
}

export interface ProtocolAdapter {
  readonly protocol: Protocol;
  /** Appended to the target's baseUrl: "/chat/completions" or "/messages". */
  readonly chatPath: string;
  /** "/models" */
  readonly modelsPath: string;
  buildBody(spec: RequestSpec): Record<string, unknown>;
  /**
   * Headers for this protocol: content-type, anthropic-version, and the key in
   * `apiKeyHeader` ("authorization" → "Bearer <key>", anything else → the raw key).
   */
  headers(apiKey: string | null, apiKeyHeader: string): Record<string, string>;
  newStreamDecoder(): StreamDecoder;
  /** A whole non-streaming JSON body (already parsed) → events; content arrives as one token event per channel. */
  decodeBody(json: unknown): WireEvent[];
  /** The body of GET /models → model ids. Throws UsageError-free plain Error on a wrong shape. */
  parseModelList(json: unknown): string[];
}

export interface ClassifiedError {
  errorType: ErrorType;
  message: string;
  retryAfterMs: number | null;
}

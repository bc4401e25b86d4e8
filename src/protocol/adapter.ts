import type { ErrorType, FinishReason, ProbeKind, Protocol } from '../core/result.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'developer' | 'tool';
  content: string;
}

/** A function the model may call; `parameters` is a JSON schema (an object schema). */
export interface ToolDef {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
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
  /** Functions offered to the model (probe kind `tools`); each protocol spells them its own way. */
  tools?: ToolDef[];
  /** Make the model call a tool: `required` (any of them) or one by name. */
  toolChoice?: 'auto' | 'required' | { name: string };
  /**
   * Structured output (probe kind `json`): OpenAI response_format json_schema,
   * Responses text.format; Anthropic has no such field, so its adapter offers
   * the schema as one tool and forces the call.
   */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  /** Ask for reasoning (probe kind `reasoning`): reasoning_effort / reasoning.effort+summary / thinking.budget_tokens. */
  reasoning?: { effort: 'low' | 'medium' | 'high'; budgetTokens: number };
  /** Mark the first (system) message as a cacheable prefix (Anthropic cache_control; OpenAI caches prefixes itself). */
  cachePrefix?: boolean;
  /** What a probe of a non-text kind checks in the answer (traffic/probes.ts builds it, client/checks.ts reads it). Adapters ignore it. */
  expect?: ProbeExpectation;
}

/** The probe kind a request was built for, and for a `cache` pair which request of the pair it is. */
export interface ProbeExpectation {
  kind: ProbeKind;
  /** `cache`: `first` carries `then`, the second request, which the engine sends when the first has ended. */
  pair?: 'first' | 'second';
  then?: RequestSpec;
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
  /**
   * A fragment of a tool call as it streamed: `index` is the call's position
   * as the protocol numbers it (OpenAI tool_calls[].index, Anthropic content
   * block index, Responses output_index); `id` and `name` when this fragment
   * carries them (usually the first). Emitted beside the `tool` token event
   * that times the same bytes, so assembly never touches timing.
   */
  | { kind: 'tool_call'; index: number; id?: string; name?: string; args: string }
  /** Why the answer ended (finish_reason, stop_reason, Responses status), normalised. */
  | { kind: 'finish'; reason: FinishReason }
  /** The protocol's terminator: `data: [DONE]` (OpenAI), `message_stop` (Anthropic), `response.completed`/`response.incomplete` (Responses). */
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
  /** Appended to the target's baseUrl: "/chat/completions", "/messages" or "/responses". */
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

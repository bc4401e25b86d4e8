/**
 * Wire text for both protocols. Token strings and chunk framing are built once
 * (per server or per request), so writing a token is a string concat and a
 * socket write — the mock has to keep up with benchmarks at ~1000 req/s.
 */

import { countRequestPrompt } from '../tokens/local-count.js';

export type MockProtocol = 'openai' | 'anthropic';

/** Common English words, each one token in OpenAI's o200k encoding, so a local estimate agrees with the reported usage. */
const WORDS = [
  ' The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.', ' It', ' was', ' a',
  ' bright', ' cold', ' day', ' in', ' April', ',', ' and', ' the', ' clocks', ' were', ' striking', ' thirteen',
  '.', ' All', ' this', ' happened', ',', ' more', ' or', ' less', '.',
];

/** The words cycle; only the very first one drops its leading space, so no response starts with a blank. */
function word(i: number): string {
  return i === 0 ? 'The' : WORDS[i % WORDS.length]!;
}

/** Token i of every response, already escaped for a JSON string. */
export const TOKEN_JSON: readonly string[] = WORDS.map((w) => JSON.stringify(w).slice(1, -1));

export function tokenJson(i: number): string {
  return i === 0 ? 'The' : TOKEN_JSON[i % TOKEN_JSON.length]!;
}

/** The plain text of the first n tokens, for non-streaming bodies. */
export function responseText(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += word(i);
  return s;
}

export const SYSTEM_FINGERPRINT = 'fp_mock';

/**
 * The system_fingerprint of response number `n` (0-based): always fp_mock,
 * or with `every` > 0 a new one every `every` responses (fp_mock_0, fp_mock_1, ...),
 * as when the backend behind a relay is redeployed or traffic is spread.
 */
export function fingerprintFor(n: number, every: number): string {
  return every > 0 ? `${SYSTEM_FINGERPRINT}_${Math.floor(n / every)}` : SYSTEM_FINGERPRINT;
}

/**
 * Prompt tokens as an honest relay would bill them: relaymon's own count
 * (the model family's tokenizer and chat template), so that an honest mock
 * reconciles and --inflate-usage is the only gap.
 */
export function promptTokens(body: Record<string, unknown>): number {
  const model = typeof body['model'] === 'string' ? body['model'] : '';
  return countRequestPrompt(model, body).tokens;
}

/** The token limit the request asks for, or null. */
export function requestedMaxTokens(body: Record<string, unknown>): number | null {
  for (const key of ['max_completion_tokens', 'max_tokens']) {
    const v = body[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  }
  return null;
}

export interface ResponseIdentity {
  id: string;
  model: string;
  created: number;
  promptTokens: number;
  /** OpenAI's system_fingerprint (Anthropic has none). */
  fingerprint: string;
}

function openaiUsage(promptTokens: number, completionTokens: number): string {
  return JSON.stringify({
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  });
}

/** Builds the SSE text of one OpenAI streamed response. */
export class OpenAIStreamWriter {
  private readonly head: string;
  private readonly tokenTail: string;
  private readonly usageTail: string;
  constructor(
    private readonly r: ResponseIdentity,
    private readonly includeUsage: boolean,
  ) {
    this.head =
      `data: {"id":${JSON.stringify(r.id)},"object":"chat.completion.chunk","created":${r.created},` +
      `"model":${JSON.stringify(r.model)},"system_fingerprint":${JSON.stringify(r.fingerprint)},"choices":[`;
    this.usageTail = includeUsage ? ',"usage":null' : '';
    this.tokenTail = `"},"logprobs":null,"finish_reason":null}]${this.usageTail}}\n\n`;
  }
  /** The role-only first delta OpenAI sends as the stream opens: not a token. */
  open(): string {
    return `${this.head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${this.usageTail}}\n\n`;
  }
  token(i: number): string {
    return `${this.head}{"index":0,"delta":{"content":"${tokenJson(i)}` + this.tokenTail;
  }
  /** completionTokens null: a relay that drops the usage chunk although it was asked for. */
  finish(reason: 'stop' | 'length', completionTokens: number | null): string {
    let s = `${this.head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]${this.usageTail}}\n\n`;
    if (this.includeUsage && completionTokens !== null) s += `${this.head}],"usage":${openaiUsage(this.r.promptTokens, completionTokens)}}\n\n`;
    return s + 'data: [DONE]\n\n';
  }
  /** An error inside a 200 stream, the way OpenRouter and OpenAI-compatible relays send it. */
  streamError(): string {
    return 'data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":"overloaded"}}\n\n';
  }
}

/** completionTokens null: a relay that drops the usage object. */
export function openaiBody(r: ResponseIdentity, n: number, reason: 'stop' | 'length', completionTokens: number | null): string {
  return (
    `{"id":${JSON.stringify(r.id)},"object":"chat.completion","created":${r.created},"model":${JSON.stringify(r.model)},` +
    `"system_fingerprint":${JSON.stringify(r.fingerprint)},"choices":[{"index":0,"message":{"role":"assistant",` +
    `"content":${JSON.stringify(responseText(n))},"refusal":null,"annotations":[]},"logprobs":null,` +
    `"finish_reason":"${reason}"}]${completionTokens === null ? '' : `,"usage":${openaiUsage(r.promptTokens, completionTokens)}`},"service_tier":"default"}`
  );
}

function sse(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/** Builds the SSE text of one Anthropic streamed response. */
export class AnthropicStreamWriter {
  constructor(private readonly r: ResponseIdentity) {}
  /** message_start, content_block_start and one ping: Anthropic sends these before any text. */
  open(): string {
    const message =
      `{"id":${JSON.stringify(this.r.id)},"type":"message","role":"assistant","model":${JSON.stringify(this.r.model)},` +
      `"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${this.r.promptTokens},` +
      `"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}`;
    return (
      sse('message_start', `{"type":"message_start","message":${message}}`) +
      sse('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}') +
      sse('ping', '{"type":"ping"}')
    );
  }
  token(i: number): string {
    return (
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"' +
      tokenJson(i) +
      '"}}\n\n'
    );
  }
  /** outputTokens null: a relay that drops the final usage from message_delta. */
  finish(reason: 'end_turn' | 'max_tokens', outputTokens: number | null): string {
    const usage = outputTokens === null ? '' : `,"usage":{"output_tokens":${outputTokens}}`;
    return (
      sse('content_block_stop', '{"type":"content_block_stop","index":0}') +
      sse('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${reason}","stop_sequence":null}${usage}}`) +
      sse('message_stop', '{"type":"message_stop"}')
    );
  }
  streamError(): string {
    return sse('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
  }
}

export function anthropicBody(
  r: ResponseIdentity,
  n: number,
  reason: 'end_turn' | 'max_tokens',
  outputTokens: number | null,
): string {
  const usage =
    outputTokens === null
      ? ''
      : `,"usage":{"input_tokens":${r.promptTokens},"cache_creation_input_tokens":0,` +
        `"cache_read_input_tokens":0,"output_tokens":${outputTokens}}`;
  return (
    `{"id":${JSON.stringify(r.id)},"type":"message","role":"assistant","model":${JSON.stringify(r.model)},` +
    `"content":[{"type":"text","text":${JSON.stringify(responseText(n))}}],"stop_reason":"${reason}",` +
    `"stop_sequence":null${usage}}`
  );
}

export const MOCK_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5'];

export const MODELS_BODY = JSON.stringify({
  object: 'list',
  data: MOCK_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'relaymon-mock' })),
});

/** What a misconfigured proxy or CDN returns with status 200: a page, not JSON. */
export const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n' +
  '<hr><center>nginx</center>\n</body></html>\n';

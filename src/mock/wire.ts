/**
 * Wire text of OpenAI Chat Completions, plus what every protocol shares
 * (prompt counting, the token limit, the model list, the HTML page).
 * Anthropic is in wire-anthropic.ts, the Responses API in wire-responses.ts.
 */

import { countRequestPrompt } from '../tokens/local-count.js';
import { outputText, pieceJson, pieceKind, reasoningText, textAnswer, tokensOf, type Answer } from './answer.js';
import { HONEST_WIRE, type ResponseIdentity, type WireKnobs } from './wire-text.js';

export { AnthropicStreamWriter, anthropicBody } from './wire-anthropic.js';
export { fingerprintFor, responseText, SYSTEM_FINGERPRINT, TOKEN_JSON, tokenJson, type ResponseIdentity } from './wire-text.js';

export type MockProtocol = 'openai' | 'anthropic' | 'openai-responses';

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
  for (const key of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const v = body[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  }
  return null;
}

function openaiUsage(promptTokens: number, completionTokens: number, cached: number, reasoning: number): string {
  return JSON.stringify({
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  });
}

/** The tool call's id, derived from the answer's. */
export function callId(r: ResponseIdentity): string {
  return `call_${r.id.replace(/^[a-z]+[-_]/, '')}`;
}

/** Builds the SSE text of one OpenAI streamed response. */
export class OpenAIStreamWriter {
  private readonly head: string;
  private readonly tokenTail: string;
  private readonly usageTail: string;
  /** The last piece, when --misorder-events holds it back until after the finish chunk. */
  private held = '';
  constructor(
    private readonly r: ResponseIdentity,
    private readonly includeUsage: boolean,
    private readonly a: Answer = textAnswer(Infinity),
    private readonly k: WireKnobs = HONEST_WIRE,
  ) {
    this.head =
      `data: {"id":${JSON.stringify(r.id)},"object":"chat.completion.chunk","created":${r.created},` +
      `"model":${JSON.stringify(r.model)},"system_fingerprint":${JSON.stringify(r.fingerprint)},"choices":[`;
    this.usageTail = includeUsage ? ',"usage":null' : '';
    this.tokenTail = `"},"logprobs":null,"finish_reason":null}]${this.usageTail}}\n\n`;
  }
  /** The role-only first delta OpenAI sends as the stream opens: not a token. */
  open(): string {
    const early = this.k.earlyOutputTokens;
    const usage = this.includeUsage && early !== null ? `,"usage":${this.usage(early, 0)}` : this.usageTail;
    return `${this.head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${usage}}\n\n`;
  }
  token(i: number): string {
    const kind = pieceKind(this.a, i);
    let s: string;
    if (kind === 'reasoning') {
      if (this.k.dropReasoning) return '';
      s = `${this.head}{"index":0,"delta":{"reasoning_content":"${pieceJson(this.a, i)}` + this.tokenTail;
    } else if (kind === 'text') {
      s = `${this.head}{"index":0,"delta":{"content":"${pieceJson(this.a, i)}` + this.tokenTail;
    } else {
      s = this.toolChunk(i - this.a.reasoning, pieceJson(this.a, i));
    }
    if (this.k.misorder && i === this.a.pieces - 1) {
      this.held = s;
      return '';
    }
    return s;
  }
  private toolChunk(j: number, args: string): string {
    const id = JSON.stringify(this.k.mangle === 'id' ? `${callId(this.r)}_${j}` : callId(this.r));
    const index = this.k.mangle === 'index' && j > 0 ? 1 : 0;
    const name = this.a.output.kind === 'tool' ? this.a.output.name : '';
    const call =
      j === 0
        ? `{"index":${index},"id":${id},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":"${args}"}}`
        : `{"index":${index}${this.k.mangle === 'id' ? `,"id":${id}` : ''},"function":{"arguments":"${args}"}}`;
    return `${this.head}{"index":0,"delta":{"tool_calls":[${call}]},"logprobs":null,"finish_reason":null}]${this.usageTail}}\n\n`;
  }
  private usage(completionTokens: number, sent: number): string {
    const reasoning = this.k.dropReasoning ? 0 : tokensOf(this.a, Math.min(sent, this.a.pieces)).reasoning;
    return openaiUsage(this.r.promptTokens, completionTokens, this.r.cachedTokens ?? 0, reasoning);
  }
  /** completionTokens null: a relay that drops the usage chunk although it was asked for. */
  finish(reason: 'stop' | 'length' | 'tool_calls', completionTokens: number | null, sent = this.a.pieces): string {
    let s = `${this.head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]${this.usageTail}}\n\n` + this.held;
    if (this.includeUsage && completionTokens !== null) s += `${this.head}],"usage":${this.usage(completionTokens, sent)}}\n\n`;
    return this.k.omitTerminator ? s : s + 'data: [DONE]\n\n';
  }
  /** An error inside a 200 stream, the way OpenRouter and OpenAI-compatible relays send it. */
  streamError(): string {
    return 'data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":"overloaded"}}\n\n';
  }
}

/** completionTokens null: a relay that drops the usage object. */
export function openaiBody(
  r: ResponseIdentity,
  n: number,
  reason: 'stop' | 'length' | 'tool_calls',
  completionTokens: number | null,
  a: Answer = textAnswer(n),
  k: WireKnobs = HONEST_WIRE,
): string {
  const sent = Math.min(n, a.pieces);
  const text = outputText(a, sent);
  const tool = a.output.kind === 'tool';
  const message: Record<string, unknown> = { role: 'assistant', content: tool ? null : text, refusal: null, annotations: [] };
  if (a.reasoning > 0 && !k.dropReasoning) message['reasoning_content'] = reasoningText(a, sent);
  if (a.output.kind === 'tool') {
    message['tool_calls'] = [{ id: callId(r), type: 'function', function: { name: a.output.name, arguments: text } }];
  }
  const reasoning = k.dropReasoning ? 0 : tokensOf(a, sent).reasoning;
  return (
    `{"id":${JSON.stringify(r.id)},"object":"chat.completion","created":${r.created},"model":${JSON.stringify(r.model)},` +
    `"system_fingerprint":${JSON.stringify(r.fingerprint)},"choices":[{"index":0,"message":${JSON.stringify(message)},"logprobs":null,` +
    `"finish_reason":"${reason}"}]${completionTokens === null ? '' : `,"usage":${openaiUsage(r.promptTokens, completionTokens, r.cachedTokens ?? 0, reasoning)}`},"service_tier":"default"}`
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

/** An nginx-style error page for `status` (--html-errors). */
export function htmlErrorPage(status: number, text: string): string {
  return HTML_PAGE.replaceAll('502 Bad Gateway', `${status} ${text}`);
}

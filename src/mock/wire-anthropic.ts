/** Wire text of Anthropic Messages: thinking, text and tool_use blocks. */
import { outputText, pieceJson, pieceKind, reasoningText, textAnswer, type Answer } from './answer.js';
import { HONEST_WIRE, sse, type ResponseIdentity, type WireKnobs } from './wire-text.js';

export type AnthropicStop = 'end_turn' | 'max_tokens' | 'tool_use';

/** Anthropic bills cache reads and writes apart from input_tokens. */
function usageFields(r: ResponseIdentity): string {
  const read = r.cachedTokens ?? 0;
  const write = r.cacheWriteTokens ?? 0;
  return `"input_tokens":${r.promptTokens - read - write},"cache_creation_input_tokens":${write},"cache_read_input_tokens":${read}`;
}

function toolId(r: ResponseIdentity): string {
  return `toolu_${r.id.replace(/^msg_/, '')}`;
}

/** A fixed stand-in for the signature Anthropic puts on every thinking block. */
const SIGNATURE = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxmockSignature';

/** Builds the SSE text of one Anthropic streamed response. */
export class AnthropicStreamWriter {
  /** A thinking block opens first when there is reasoning to show. */
  private readonly thinking: boolean;
  private readonly outIndex: number;
  private outputOpen = false;
  private held = '';
  constructor(
    private readonly r: ResponseIdentity,
    private readonly a: Answer = textAnswer(Infinity),
    private readonly k: WireKnobs = HONEST_WIRE,
  ) {
    this.thinking = a.reasoning > 0 && !k.dropReasoning;
    this.outIndex = this.thinking ? 1 : 0;
  }
  private outputStart(): string {
    this.outputOpen = true;
    const o = this.a.output;
    const block =
      o.kind === 'tool'
        ? `{"type":"tool_use","id":${JSON.stringify(this.k.mangle === 'id' ? '' : toolId(this.r))},"name":${JSON.stringify(o.name)},"input":{}}`
        : '{"type":"text","text":""}';
    return sse('content_block_start', `{"type":"content_block_start","index":${this.outIndex},"content_block":${block}}`);
  }
  private thinkingStop(): string {
    return (
      sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${SIGNATURE}"}}`) +
      sse('content_block_stop', '{"type":"content_block_stop","index":0}')
    );
  }
  /** message_start, the first content_block_start and one ping: Anthropic sends these before any text. */
  open(): string {
    const output = this.k.earlyOutputTokens ?? 1;
    const message =
      `{"id":${JSON.stringify(this.r.id)},"type":"message","role":"assistant","model":${JSON.stringify(this.r.model)},` +
      `"content":[],"stop_reason":null,"stop_sequence":null,"usage":{${usageFields(this.r)},"output_tokens":${output}}}`;
    const first = this.thinking
      ? sse('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}')
      : this.outputStart();
    return sse('message_start', `{"type":"message_start","message":${message}}`) + first + sse('ping', '{"type":"ping"}');
  }
  token(i: number): string {
    const kind = pieceKind(this.a, i);
    const p = pieceJson(this.a, i);
    if (kind === 'reasoning') {
      if (!this.thinking) return '';
      return sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"${p}"}}`);
    }
    const opening = this.outputOpen ? '' : this.thinkingStop() + this.outputStart();
    const j = i - this.a.reasoning;
    const index = this.k.mangle === 'index' && j > 0 ? this.outIndex + 1 : this.outIndex;
    const delta =
      kind === 'tool'
        ? `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":"${p}"}}`
        : `{"type":"content_block_delta","index":${this.outIndex},"delta":{"type":"text_delta","text":"${p}"}}`;
    if (this.k.misorder && i === this.a.pieces - 1) {
      this.held = sse('content_block_delta', delta);
      return opening;
    }
    return opening + sse('content_block_delta', delta);
  }
  /** outputTokens null: a relay that drops the final usage from message_delta. */
  finish(reason: AnthropicStop, outputTokens: number | null): string {
    const close = this.outputOpen || !this.thinking ? sse('content_block_stop', `{"type":"content_block_stop","index":${this.outIndex}}`) : this.thinkingStop();
    const usage = outputTokens === null ? '' : `,"usage":{"output_tokens":${outputTokens}}`;
    const s =
      close +
      this.held +
      sse('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${reason}","stop_sequence":null}${usage}}`);
    return this.k.omitTerminator ? s : s + sse('message_stop', '{"type":"message_stop"}');
  }
  streamError(): string {
    return sse('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
  }
}

function toolInput(text: string, capped: boolean): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A cut call has no input to show; a relay that mangled it sends what it has.
    return capped ? {} : text;
  }
}

export function anthropicBody(
  r: ResponseIdentity,
  n: number,
  reason: AnthropicStop,
  outputTokens: number | null,
  a: Answer = textAnswer(n),
  k: WireKnobs = HONEST_WIRE,
): string {
  const sent = Math.min(n, a.pieces);
  const content: unknown[] = [];
  if (a.reasoning > 0 && !k.dropReasoning) content.push({ type: 'thinking', thinking: reasoningText(a, sent), signature: SIGNATURE });
  const text = outputText(a, sent);
  if (a.output.kind === 'tool') {
    const id = k.mangle === 'id' ? '' : toolId(r);
    content.push({ type: 'tool_use', id, name: a.output.name, input: toolInput(text, a.capped) });
  } else if (sent > a.reasoning || a.reasoning === 0) content.push({ type: 'text', text });
  const usage = outputTokens === null ? '' : `,"usage":{${usageFields(r)},"output_tokens":${outputTokens}}`;
  return (
    `{"id":${JSON.stringify(r.id)},"type":"message","role":"assistant","model":${JSON.stringify(r.model)},` +
    `"content":${JSON.stringify(content)},"stop_reason":"${reason}",` +
    `"stop_sequence":null${usage}}`
  );
}

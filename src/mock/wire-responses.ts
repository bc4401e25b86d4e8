/**
 * Wire text of OpenAI's Responses API: typed events with `event:` lines and
 * sequence numbers, output items (reasoning, message, function_call) opened,
 * streamed and closed in the order the API sends them, and no [DONE]: the
 * stream ends with response.completed or response.incomplete.
 */
import { outputText, pieceJson, pieceKind, reasoningText, tokensOf, type Answer } from './answer.js';
import { HONEST_WIRE, sse, type ResponseIdentity, type WireKnobs } from './wire-text.js';

export type ResponsesStatus = 'completed' | 'incomplete';

function usageObject(r: ResponseIdentity, outputTokens: number, reasoning: number): Record<string, unknown> {
  return {
    input_tokens: r.promptTokens,
    input_tokens_details: { cached_tokens: r.cachedTokens ?? 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: r.promptTokens + outputTokens,
  };
}

/** The ids of one answer's response and output items. */
class Ids {
  readonly response: string;
  readonly reasoning: string;
  readonly message: string;
  readonly call: string;
  readonly callId: string;
  constructor(r: ResponseIdentity) {
    const base = r.id.replace(/^resp_/, '');
    this.response = r.id;
    this.reasoning = `rs_${base}`;
    this.message = `msg_${base}`;
    this.call = `fc_${base}`;
    this.callId = `call_${base}`;
  }
}

/** The response's output items after `sent` pieces, as the final events and the body show them. */
function outputItems(a: Answer, k: WireKnobs, ids: Ids, sent: number, status: ResponsesStatus | 'in_progress'): unknown[] {
  const items: unknown[] = [];
  if (a.reasoning > 0 && !k.dropReasoning) {
    items.push({ id: ids.reasoning, type: 'reasoning', summary: [{ type: 'summary_text', text: reasoningText(a, sent) }] });
  }
  if (sent <= a.reasoning && a.reasoning > 0) return items;
  const text = outputText(a, sent);
  const itemStatus = status === 'completed' ? 'completed' : 'incomplete';
  if (a.output.kind === 'tool') {
    items.push({ id: ids.call, type: 'function_call', status: itemStatus, call_id: ids.callId, name: a.output.name, arguments: text });
  } else {
    items.push({
      id: ids.message,
      type: 'message',
      status: itemStatus,
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    });
  }
  return items;
}

function responseObject(
  r: ResponseIdentity,
  ids: Ids,
  status: string,
  output: unknown[],
  usage: Record<string, unknown> | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: ids.response,
    object: 'response',
    created_at: r.created,
    status,
    model: r.model,
    output,
    usage,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    error: null,
    ...extra,
  };
}

/** Builds the SSE text of one streamed Responses API answer. */
export class ResponsesStreamWriter {
  private seq = 0;
  private readonly ids: Ids;
  private readonly showReasoning: boolean;
  private readonly outIndex: number;
  private outputOpen = false;
  private held = '';
  constructor(
    private readonly r: ResponseIdentity,
    private readonly a: Answer,
    private readonly k: WireKnobs = HONEST_WIRE,
  ) {
    this.ids = new Ids(r);
    this.showReasoning = a.reasoning > 0 && !k.dropReasoning;
    this.outIndex = this.showReasoning ? 1 : 0;
  }
  private ev(type: string, fields: Record<string, unknown>): string {
    return sse(type, JSON.stringify({ type, sequence_number: this.seq++, ...fields }));
  }
  private outputStart(): string {
    this.outputOpen = true;
    const index = this.outIndex;
    if (this.a.output.kind === 'tool') {
      const item = { id: this.ids.call, type: 'function_call', status: 'in_progress', call_id: this.ids.callId, name: this.a.output.name, arguments: '' };
      return this.ev('response.output_item.added', { output_index: index, item });
    }
    const item = { id: this.ids.message, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    return (
      this.ev('response.output_item.added', { output_index: index, item }) +
      this.ev('response.content_part.added', {
        item_id: this.ids.message,
        output_index: index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      })
    );
  }
  private reasoningStop(sent: number): string {
    const text = reasoningText(this.a, sent);
    const part = { type: 'summary_text', text };
    const at = { item_id: this.ids.reasoning, output_index: 0, summary_index: 0 };
    return (
      this.ev('response.reasoning_summary_text.done', { ...at, text }) +
      this.ev('response.reasoning_summary_part.done', { ...at, part }) +
      this.ev('response.output_item.done', { output_index: 0, item: { id: this.ids.reasoning, type: 'reasoning', summary: [part] } })
    );
  }
  private outputStop(sent: number, status: ResponsesStatus): string {
    const item = outputItems(this.a, this.k, this.ids, sent, status).at(-1);
    const text = outputText(this.a, sent);
    const index = this.outIndex;
    if (this.a.output.kind === 'tool') {
      return (
        this.ev('response.function_call_arguments.done', { item_id: this.ids.call, output_index: index, arguments: text }) +
        this.ev('response.output_item.done', { output_index: index, item })
      );
    }
    const at = { item_id: this.ids.message, output_index: index, content_index: 0 };
    return (
      this.ev('response.output_text.done', { ...at, text }) +
      this.ev('response.content_part.done', { ...at, part: { type: 'output_text', text, annotations: [] } }) +
      this.ev('response.output_item.done', { output_index: index, item })
    );
  }
  /** response.created, response.in_progress and the first output item, before any delta. */
  open(): string {
    const early = this.k.earlyOutputTokens;
    const base = responseObject(this.r, this.ids, 'in_progress', [], null);
    const progress = early === null ? base : { ...base, usage: usageObject(this.r, early, 0) };
    let s = this.ev('response.created', { response: base }) + this.ev('response.in_progress', { response: progress });
    if (this.showReasoning) {
      s +=
        this.ev('response.output_item.added', { output_index: 0, item: { id: this.ids.reasoning, type: 'reasoning', summary: [] } }) +
        this.ev('response.reasoning_summary_part.added', {
          item_id: this.ids.reasoning,
          output_index: 0,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        });
    } else s += this.outputStart();
    return s;
  }
  /** A delta event written by hand: the piece is already JSON-escaped, and this runs once per token. */
  private delta(type: string, at: string, piece: string): string {
    return `event: ${type}\ndata: {"type":"${type}","sequence_number":${this.seq++},${at},"delta":"${piece}"}\n\n`;
  }
  token(i: number): string {
    const kind = pieceKind(this.a, i);
    const piece = pieceJson(this.a, i);
    if (kind === 'reasoning') {
      if (!this.showReasoning) return '';
      return this.delta('response.reasoning_summary_text.delta', `"item_id":"${this.ids.reasoning}","output_index":0,"summary_index":0`, piece);
    }
    const opening = this.outputOpen ? '' : this.reasoningStop(i) + this.outputStart();
    const j = i - this.a.reasoning;
    let event: string;
    if (kind === 'tool') {
      const itemId = this.k.mangle === 'id' ? `${this.ids.call}_${j}` : this.ids.call;
      const index = this.k.mangle === 'index' && j > 0 ? this.outIndex + 1 : this.outIndex;
      event = this.delta('response.function_call_arguments.delta', `"item_id":"${itemId}","output_index":${index}`, piece);
    } else {
      event = this.delta('response.output_text.delta', `"item_id":"${this.ids.message}","output_index":${this.outIndex},"content_index":0`, piece);
    }
    if (this.k.misorder && i === this.a.pieces - 1) {
      this.held = event;
      return opening;
    }
    return opening + event;
  }
  /** outputTokens null: a relay that drops the usage. */
  finish(status: ResponsesStatus, outputTokens: number | null, sent = this.a.pieces): string {
    let s = this.outputOpen || !this.showReasoning ? this.outputStop(sent, status) : this.reasoningStop(sent);
    s += this.held;
    if (this.k.omitTerminator) return s;
    const reasoning = this.k.dropReasoning ? 0 : tokensOf(this.a, sent).reasoning;
    const usage = outputTokens === null ? null : usageObject(this.r, outputTokens, reasoning);
    const response = responseObject(this.r, this.ids, status, outputItems(this.a, this.k, this.ids, sent, status), usage);
    return s + this.ev(`response.${status}`, { response });
  }
  /** The response failing inside a 200 stream. */
  streamError(): string {
    const response = responseObject(this.r, this.ids, 'failed', [], null, {
      error: { code: 'server_is_overloaded', message: 'Overloaded' },
    });
    return this.ev('response.failed', { response });
  }
}

export function responsesBody(
  r: ResponseIdentity,
  n: number,
  status: ResponsesStatus,
  outputTokens: number | null,
  a: Answer,
  k: WireKnobs = HONEST_WIRE,
): string {
  const ids = new Ids(r);
  const sent = Math.min(n, a.pieces);
  const reasoning = k.dropReasoning ? 0 : tokensOf(a, sent).reasoning;
  const usage = outputTokens === null ? null : usageObject(r, outputTokens, reasoning);
  return JSON.stringify(responseObject(r, ids, status, outputItems(a, k, ids, sent, status), usage));
}

/**
 * Stream conformance: whether a stream kept to its protocol. Fed every framed
 * SSE event with what the protocol decoder made of it; pure, no clock.
 *
 * Anthropic's order: message_start first; then content blocks one at a time,
 * each content_block_start(i), its deltas, content_block_stop(i), with i
 * rising; then message_delta (the final usage), then message_stop, then
 * nothing. ping and error may come anywhere. OpenAI's: nothing after
 * `data: [DONE]`. Responses': response.created first; an output item's
 * deltas only between its response.output_item.added and ….done; nothing
 * after response.completed, response.incomplete or response.failed (an
 * `error` may come anywhere before). A cumulative output count must never go down.
 *
 * The opening event must also have its shape: Anthropic's message_start a
 * `message` with role 'assistant' and `content: []` (relays get this wrong,
 * and SDKs that build the message from it break), Responses' response.created
 * a `response` object. A wrong shape is filed as out_of_order, "not what the
 * protocol allows in its sequence": the contract has no separate violation
 * kind for it (docs/contracts.md lists the kinds of `streamViolations`), and
 * adding one would be a contract change.
 */
import type { ErrorType, Protocol, StreamViolation } from '../core/result.js';
import type { SseEvent, WireEvent } from '../protocol/adapter.js';
import { isRecord, parseObject, type Json } from '../protocol/util.js';

const INDEX = /"index"\s*:\s*(\d+)/;
const TYPE = /"type"\s*:\s*"([a-z_]+)"/;
const RESPONSES_TYPE = /"type"\s*:\s*"([a-z_.]+)"/;
const OUTPUT_INDEX = /"output_index"\s*:\s*(\d+)/;
/** Responses events that carry a delta of one output item. */
const RESPONSES_DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.function_call_arguments.delta',
]);
const RESPONSES_ENDS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export interface StreamEnd {
  ok: boolean;
  /** The protocol's terminator arrived. */
  terminated: boolean;
  /** The stream carried an error event or undecodable data: it ended by saying so, not by hanging. */
  failedInBand: boolean;
  errorType: ErrorType | null;
}

/** Ends that relaymon caused itself say nothing about the relay's stream. */
const OUR_OWN_END: ReadonlySet<ErrorType> = new Set(['cancelled', 'response_too_large']);

export class StreamConformance {
  private outOfOrder = false;
  private usageDecreased = false;
  private inputSeen = false;
  private finalOutputSeen = false;
  private lastOutput: number | null = null;
  private done = false;
  // Anthropic's message state (Responses uses started/stopped too: response.created … its end).
  private started = false;
  private deltaSeen = false;
  private stopped = false;
  private openBlock: number | null = null;
  private lastBlock = -1;
  // Responses' state: output items by output_index, open until their ….done.
  private readonly openItems = new Set<number>();
  private readonly closedItems = new Set<number>();

  constructor(private readonly protocol: Protocol) {}

  event(ev: SseEvent, decoded: readonly WireEvent[]): void {
    let outputHere = false;
    for (const d of decoded) {
      if (d.kind !== 'usage') continue;
      if (d.inputTokens !== undefined) this.inputSeen = true;
      if (d.outputTokens !== undefined) {
        if (this.lastOutput !== null && d.outputTokens < this.lastOutput) this.usageDecreased = true;
        this.lastOutput = d.outputTokens;
        outputHere = true;
      }
    }
    if (this.protocol === 'anthropic') this.anthropic(ev, outputHere);
    else if (this.protocol === 'openai-responses') this.responses(ev, outputHere);
    else this.openai(ev, decoded, outputHere);
  }

  violations(end: StreamEnd): StreamViolation[] {
    const out: StreamViolation[] = [];
    if (end.ok && !(this.inputSeen && this.finalOutputSeen)) out.push('usage_missing');
    if (this.outOfOrder) out.push('out_of_order');
    if (!end.ok && !end.terminated && !end.failedInBand && !(end.errorType !== null && OUR_OWN_END.has(end.errorType))) {
      out.push('unterminated');
    }
    if (this.usageDecreased) out.push('usage_decreased');
    return out;
  }

  private openai(ev: SseEvent, decoded: readonly WireEvent[], outputHere: boolean): void {
    if (this.done && ev.data.trim() !== '') this.outOfOrder = true;
    if (outputHere) this.finalOutputSeen = true;
    for (const d of decoded) if (d.kind === 'done') this.done = true;
  }

  private anthropic(ev: SseEvent, outputHere: boolean): void {
    const data = ev.data.trim();
    // Relays translating from OpenAI append its terminator; the decoder accepts it, and so do we.
    if (data === '[DONE]') return;
    const type = ev.event ?? TYPE.exec(data)?.[1];
    if (type === 'ping' || type === 'error' || type === undefined) return;
    if (this.stopped) {
      this.outOfOrder = true;
      return;
    }
    if (type === 'message_start') {
      if (this.started || !messageStartShaped(data)) this.outOfOrder = true;
      this.started = true;
      return;
    }
    if (!this.started) this.outOfOrder = true;
    switch (type) {
      case 'content_block_start': {
        const i = indexOf(data, this.lastBlock + 1);
        if (this.deltaSeen || this.openBlock !== null || i <= this.lastBlock) this.outOfOrder = true;
        this.openBlock = i;
        this.lastBlock = Math.max(this.lastBlock, i);
        return;
      }
      case 'content_block_delta':
        if (this.openBlock === null || indexOf(data, this.openBlock) !== this.openBlock) this.outOfOrder = true;
        return;
      case 'content_block_stop':
        if (this.openBlock === null || indexOf(data, this.openBlock) !== this.openBlock) this.outOfOrder = true;
        this.openBlock = null;
        return;
      case 'message_delta':
        if (this.openBlock !== null) this.outOfOrder = true;
        this.deltaSeen = true;
        if (outputHere) this.finalOutputSeen = true;
        return;
      case 'message_stop':
        if (this.openBlock !== null) this.outOfOrder = true;
        this.stopped = true;
        return;
      default:
        // Event types Anthropic adds later are not ours to judge.
        return;
    }
  }

  private responses(ev: SseEvent, outputHere: boolean): void {
    const data = ev.data.trim();
    // A relay translating from Chat Completions may append [DONE]; the decoder ignores it, and so do we.
    if (data === '[DONE]' || data === '') return;
    const type = ev.event ?? RESPONSES_TYPE.exec(data)?.[1];
    if (this.stopped) {
      this.outOfOrder = true;
      return;
    }
    if (type === 'error' || type === undefined) return;
    if (type === 'response.created') {
      if (this.started || !isRecord(parse(data)?.['response'])) this.outOfOrder = true;
      this.started = true;
      return;
    }
    if (!this.started) this.outOfOrder = true;
    if (RESPONSES_ENDS.has(type)) {
      this.stopped = true;
      if (outputHere) this.finalOutputSeen = true;
      return;
    }
    const m = OUTPUT_INDEX.exec(data);
    if (m === null) return;
    const index = Number(m[1]);
    if (type === 'response.output_item.added') {
      if (this.openItems.has(index) || this.closedItems.has(index)) this.outOfOrder = true;
      this.openItems.add(index);
    } else if (type === 'response.output_item.done') {
      if (!this.openItems.has(index)) this.outOfOrder = true;
      this.openItems.delete(index);
      this.closedItems.add(index);
    } else if (RESPONSES_DELTAS.has(type) && !this.openItems.has(index)) {
      this.outOfOrder = true;
    }
  }
}

/** The event's JSON object; null when it is not one (then it has no opening shape either). */
function parse(data: string): Json | null {
  const r = parseObject(data);
  return r.ok ? r.value : null;
}

/** message_start carries a `message` with role 'assistant' and a `content` array (empty, from Anthropic). */
function messageStartShaped(data: string): boolean {
  const message = parse(data)?.['message'];
  return isRecord(message) && Array.isArray(message['content']) && message['role'] === 'assistant';
}

/** The block index of an event; a relay that leaves it out is taken to mean the block in hand. */
function indexOf(data: string, fallback: number): number {
  const m = INDEX.exec(data);
  return m ? Number(m[1]) : fallback;
}

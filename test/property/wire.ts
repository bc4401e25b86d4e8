/**
 * Generators for the property tests of the stream readers: well-formed
 * OpenAI chat, Anthropic messages and OpenAI Responses SSE streams (random tokens in any script,
 * LF/CRLF mixes, comments, multi-line data), the ways a relay or a network
 * mangles them, and the reader pipeline the client runs (framer → protocol
 * decoder → accumulator) with the outcome rule of src/client/execute.ts.
 */
import fc from 'fast-check';
import { createSseFramer, decodeFramed } from '../../src/protocol/sse.js';
import { adapterFor } from '../../src/protocol/index.js';
import { ResponseAccumulator } from '../../src/client/accumulate.js';
import type { ErrorType, Protocol } from '../../src/core/result.js';

export interface Answer {
  protocol: Protocol;
  reasoning: string[];
  content: string[];
  input: number;
  cached: number;
  output: number;
}

/** How the answer is put on the wire; none of these may change what it means. */
export interface Framing {
  /** Line ends, used in turn: true = CRLF, false = LF. */
  crlf: boolean[];
  /** Comment lines (`: text`) put before event i, by index modulo the number of events. */
  comments: { before: number; text: string }[];
  /** Spread each JSON payload over several `data:` lines (pretty-printed). */
  multiline: boolean;
}

export interface Wire {
  bytes: Uint8Array;
  /** Bytes up to the end of the terminator's data line, line end excluded: a body cut at or before this never finished. */
  terminatorLineEnd: number;
}

const token = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }));

export const answerArb = (protocol: Protocol): fc.Arbitrary<Answer> =>
  fc.record({
    protocol: fc.constant(protocol),
    reasoning: fc.array(token, { maxLength: 4 }),
    content: fc.array(token, { minLength: 1, maxLength: 12 }),
    input: fc.integer({ min: 1, max: 100_000 }),
    cached: fc.integer({ min: 0, max: 1000 }),
    output: fc.integer({ min: 1, max: 100_000 }),
  });

const commentText = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' '));

export const framingArb: fc.Arbitrary<Framing> = fc.record({
  crlf: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
  comments: fc.array(fc.record({ before: fc.nat(), text: commentText }), { maxLength: 5 }),
  multiline: fc.boolean(),
});

/** A position anywhere in a body, as a fraction of its length (fc.double clusters at 0 and 1; this spreads). */
export const fractionArb = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000);

/**
 * How the network cuts a body: piece sizes, used in turn until the body is
 * consumed, so cuts fall all along it (inside multi-byte characters, between
 * CR and LF) rather than near its ends. Small sizes are common, as in real
 * reads of a slow stream; a large one now and then leaves big pieces.
 */
export const cutsArb = fc.array(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4096 })), { minLength: 1, maxLength: 12 });

type SseEventLines = { event?: string; data: unknown };

function openaiEvents(a: Answer): SseEventLines[] {
  const base = { id: 'chatcmpl-prop', object: 'chat.completion.chunk', model: 'gpt-4o-mini-2024-07-18' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  return [
    { data: chunk({ role: 'assistant', content: '' }) },
    ...a.reasoning.map((r) => ({ data: chunk({ reasoning_content: r }) })),
    ...a.content.map((c) => ({ data: chunk({ content: c }) })),
    { data: chunk({}, 'stop') },
    {
      data: {
        ...base,
        choices: [],
        usage: { prompt_tokens: a.input, completion_tokens: a.output, total_tokens: a.input + a.output, prompt_tokens_details: { cached_tokens: a.cached } },
      },
    },
    { data: '[DONE]' },
  ];
}

function anthropicEvents(a: Answer): SseEventLines[] {
  const ev = (type: string, rest: Record<string, unknown>): SseEventLines => ({ event: type, data: { type, ...rest } });
  const out: SseEventLines[] = [
    ev('message_start', {
      message: { id: 'msg_prop', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: a.input, cache_read_input_tokens: a.cached, output_tokens: 1 } },
    }),
  ];
  let index = 0;
  if (a.reasoning.length > 0) {
    out.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } }));
    for (const r of a.reasoning) out.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: r } }));
    out.push(ev('content_block_stop', { index }));
    index++;
  }
  out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
  out.push(ev('ping', {}));
  for (const c of a.content) out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: c } }));
  out.push(ev('content_block_stop', { index }));
  out.push(ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: a.output } }));
  out.push(ev('message_stop', {}));
  return out;
}

function responsesEvents(a: Answer): SseEventLines[] {
  const ev = (type: string, rest: Record<string, unknown>): SseEventLines => ({ event: type, data: { type, ...rest } });
  const response = { id: 'resp_prop', object: 'response', model: 'gpt-4o-mini-2024-07-18' };
  const out: SseEventLines[] = [
    ev('response.created', { response: { ...response, status: 'in_progress', output: [] } }),
    ev('response.in_progress', { response: { ...response, status: 'in_progress', output: [] } }),
  ];
  let index = 0;
  if (a.reasoning.length > 0) {
    out.push(ev('response.output_item.added', { output_index: index, item: { id: 'rs_1', type: 'reasoning', summary: [] } }));
    for (const r of a.reasoning) out.push(ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: index, summary_index: 0, delta: r }));
    out.push(ev('response.output_item.done', { output_index: index, item: { id: 'rs_1', type: 'reasoning' } }));
    index++;
  }
  out.push(ev('response.output_item.added', { output_index: index, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } }));
  out.push(ev('response.content_part.added', { item_id: 'msg_1', output_index: index, content_index: 0, part: { type: 'output_text', text: '' } }));
  for (const c of a.content) out.push(ev('response.output_text.delta', { item_id: 'msg_1', output_index: index, content_index: 0, delta: c }));
  out.push(ev('response.output_text.done', { item_id: 'msg_1', output_index: index, content_index: 0, text: a.content.join('') }));
  out.push(ev('response.output_item.done', { output_index: index, item: { id: 'msg_1', type: 'message' } }));
  out.push(
    ev('response.completed', {
      response: {
        ...response,
        status: 'completed',
        output: [],
        usage: { input_tokens: a.input, input_tokens_details: { cached_tokens: a.cached }, output_tokens: a.output, total_tokens: a.input + a.output },
      },
    }),
  );
  return out;
}

/** The answer as SSE bytes, framed as `f` says. The last event is the protocol's terminator. */
export function wire(a: Answer, f: Framing): Wire {
  const events = a.protocol === 'openai' ? openaiEvents(a) : a.protocol === 'anthropic' ? anthropicEvents(a) : responsesEvents(a);
  let text = '';
  let eolIndex = 0;
  const eol = (): string => (f.crlf[eolIndex++ % f.crlf.length] ? '\r\n' : '\n');
  let terminatorChars = 0;
  events.forEach((e, i) => {
    for (const c of f.comments) if (c.before % events.length === i) text += `:${c.text}${eol()}`;
    if (e.event !== undefined) text += `event: ${e.event}${eol()}`;
    const payload = typeof e.data === 'string' ? e.data : JSON.stringify(e.data, null, f.multiline ? 1 : undefined);
    const lines = payload.split('\n');
    lines.forEach((line, j) => {
      text += `data: ${line}`;
      if (i === events.length - 1 && j === lines.length - 1) terminatorChars = text.length;
      text += eol();
    });
    text += eol();
  });
  const enc = new TextEncoder();
  return { bytes: enc.encode(text), terminatorLineEnd: enc.encode(text.slice(0, terminatorChars)).length };
}

/**
 * Where a body is cut short: anywhere; right after one of its line ends (a
 * connection that dies between lines, the case the framer's end() decides);
 * or within a few bytes of the end of the terminator line, where "truncated"
 * turns into "ok".
 */
export type Keep = { anywhere: number } | { afterLine: number } | { nearTerminator: number };
export const keepArb: fc.Arbitrary<Keep> = fc.oneof(
  fractionArb.map((anywhere) => ({ anywhere })),
  fractionArb.map((afterLine) => ({ afterLine })),
  fc.integer({ min: -3, max: 3 }).map((nearTerminator) => ({ nearTerminator })),
);

/** How many bytes of the body `k` keeps, at most up to `limit`. */
export function kept(w: Wire, k: Keep, limit = w.bytes.length): number {
  let n: number;
  if ('anywhere' in k) n = Math.floor(k.anywhere * (limit + 1));
  else if ('nearTerminator' in k) n = w.terminatorLineEnd + k.nearTerminator;
  else {
    const ends: number[] = [];
    for (let i = 0; i < limit; i++) if (w.bytes[i] === 0x0a) ends.push(i + 1);
    n = ends.length === 0 ? 0 : ends[Math.min(ends.length - 1, Math.floor(k.afterLine * ends.length))]!;
  }
  return Math.max(0, Math.min(limit, n));
}

/** What the answer must read as: the accumulator's view of it. */
export function expected(a: Answer): Pick<Read, 'content' | 'reasoning' | 'usage' | 'tokenEvents'> {
  return {
    content: a.content.join(''),
    reasoning: a.reasoning.join(''),
    usage: {
      // Anthropic counts cache reads outside input_tokens; relaymon's inputTokens is every prompt token.
      inputTokens: a.protocol === 'anthropic' ? a.input + a.cached : a.input,
      outputTokens: a.output,
      cachedInputTokens: a.cached,
      reasoningTokens: null,
      // The generated streams write no cache (no cache_creation_input_tokens).
      cacheWriteInputTokens: null,
      costUsd: null,
    },
    tokenEvents: a.reasoning.length + a.content.length,
  };
}

/** Cut `bytes` into pieces of the given sizes, used in turn. */
export function cut(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? bytes.length);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out.length > 0 ? out : [bytes];
}

export type Outcome = { kind: 'ok' } | { kind: 'error'; errorType: ErrorType };

export interface Read {
  outcome: Outcome;
  content: string;
  reasoning: string;
  usage: ResponseAccumulator['usage'];
  tokenEvents: number;
  /** SSE events framed; bounded by the line ends in the body. */
  events: number;
}

/**
 * Reads a streamed body the way the client does: each framed event decoded
 * and folded at once, then at the end the outcome rule of execute.ts
 * (streamOutcome): an error seen wins, no terminator is stream_truncated.
 */
export function readStream(protocol: Protocol, chunks: readonly Uint8Array[]): Read {
  const decoder = adapterFor(protocol).newStreamDecoder();
  const acc = new ResponseAccumulator();
  let events = 0;
  let at = 0;
  const framer = createSseFramer((ev) => {
    events++;
    acc.apply(decodeFramed(decoder, ev), at);
  });
  for (const c of chunks) {
    at++;
    framer.push(c);
  }
  framer.end();
  const outcome: Outcome = acc.error
    ? { kind: 'error', errorType: acc.error.errorType }
    : acc.done
      ? { kind: 'ok' }
      : { kind: 'error', errorType: 'stream_truncated' };
  return { outcome, content: acc.contentText, reasoning: acc.reasoningText, usage: { ...acc.usage }, tokenEvents: acc.chunks, events };
}

/** Line ends in a body: CRLF counts once. Framed events can never outnumber them (plus the one end() may close). */
export function lineEnds(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) n++;
    else if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) n++;
  }
  return n;
}

/** The ways a body goes bad on the way from a hostile relay. */
export type Damage =
  | { kind: 'garbage'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'hugeLine'; at: number; size: number; shape: 'comment' | 'data' | 'json-token' | 'unended' }
  | { kind: 'flip'; at: number; value: number };

export const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('garbage' as const), at: fractionArb, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fractionArb }),
  fc.record({
    kind: fc.constant('hugeLine' as const),
    at: fractionArb,
    size: fc.integer({ min: 64 * 1024, max: 1024 * 1024 }),
    shape: fc.constantFrom('comment' as const, 'data' as const, 'json-token' as const, 'unended' as const),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: fractionArb, value: fc.integer({ min: 0, max: 255 }) }),
);

export function damage(bytes: Uint8Array, d: Damage, protocol: Protocol): Uint8Array {
  const at = Math.floor(d.at * bytes.length);
  const join = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
  switch (d.kind) {
    case 'garbage':
      return join(bytes.subarray(0, at), d.bytes, bytes.subarray(at));
    case 'truncate':
      return bytes.subarray(0, at);
    case 'flip': {
      const out = Uint8Array.from(bytes);
      if (at < out.length) out[at] = d.value;
      return out;
    }
    case 'hugeLine': {
      const filler = 'x'.repeat(d.size);
      const token =
        protocol === 'openai'
          ? JSON.stringify({ choices: [{ index: 0, delta: { content: filler } }] })
          : protocol === 'anthropic'
            ? JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: filler } })
            : JSON.stringify({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: filler });
      const line = { comment: `:${filler}\n`, data: `data: ${filler}\n\n`, 'json-token': `\ndata: ${token}\n\n`, unended: `data: ${filler}` }[d.shape];
      const enc = new TextEncoder().encode(line);
      // An unended huge line is what a relay sends just before it dies: nothing after it.
      return d.shape === 'unended' ? join(bytes.subarray(0, at), enc) : join(bytes.subarray(0, at), enc, bytes.subarray(at));
    }
  }
}

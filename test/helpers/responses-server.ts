/**
 * A hand-written Responses API relay for timing tests: it streams a scripted
 * answer (reasoning summary deltas, then output_text deltas, then
 * response.completed) and keeps the ground truth, the performance.now()
 * instant just before each write, per request. Run in the test's own process,
 * so its instants and the client's share one clock.
 */
import type { ServerResponse } from 'node:http';
import { startHostile, type HostileServer } from './hostile.js';
import { SSE_HEADERS } from './sse.js';

export interface StreamScript {
  /** Wait before the first event (response.created and the first delta go together after it). */
  firstMs: number;
  reasoning: string[];
  content: string[];
  /** Wait between two deltas. */
  gapMs: number;
  /** End with response.failed (or an `event: error`) after the content instead of response.completed. */
  fail?: 'failed' | 'error';
}

export interface StreamTruth {
  /** Instants just before each write of a delta, by channel. */
  reasoningAt: number[];
  contentAt: number[];
  /** Instant just before the response was ended (response.completed written). */
  endAt: number;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function responsesEvent(type: string, rest: Record<string, unknown> = {}): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...rest })}\n\n`;
}

/** Streams `s` to `res` and returns when it was written, write by write. */
export async function streamResponses(res: ServerResponse, s: StreamScript, model = 'gpt-4o-mini-2024-07-18'): Promise<StreamTruth> {
  const truth: StreamTruth = { reasoningAt: [], contentAt: [], endAt: 0 };
  const response = { id: `resp_${Math.random().toString(36).slice(2)}`, object: 'response', model };
  res.writeHead(200, SSE_HEADERS);
  await wait(s.firstMs);
  let index = 0;
  let head = responsesEvent('response.created', { response: { ...response, status: 'in_progress', output: [] } });
  if (s.reasoning.length > 0) {
    head += responsesEvent('response.output_item.added', { output_index: index, item: { id: 'rs_1', type: 'reasoning', summary: [] } });
    for (const [i, delta] of s.reasoning.entries()) {
      if (i > 0) await wait(s.gapMs);
      truth.reasoningAt.push(performance.now());
      res.write(head + responsesEvent('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: index, summary_index: 0, delta }));
      head = '';
    }
    head += responsesEvent('response.output_item.done', { output_index: index, item: { id: 'rs_1', type: 'reasoning' } });
    index++;
    await wait(s.gapMs);
  }
  head += responsesEvent('response.output_item.added', { output_index: index, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } });
  head += responsesEvent('response.content_part.added', { item_id: 'msg_1', output_index: index, content_index: 0, part: { type: 'output_text', text: '' } });
  for (const [i, delta] of s.content.entries()) {
    if (i > 0) await wait(s.gapMs);
    truth.contentAt.push(performance.now());
    res.write(head + responsesEvent('response.output_text.delta', { item_id: 'msg_1', output_index: index, content_index: 0, delta }));
    head = '';
  }
  const usage = {
    input_tokens: 12,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: s.reasoning.length + s.content.length,
    output_tokens_details: { reasoning_tokens: s.reasoning.length },
    total_tokens: 12 + s.reasoning.length + s.content.length,
  };
  await wait(s.gapMs);
  truth.endAt = performance.now();
  if (s.fail === 'failed') {
    res.end(responsesEvent('response.failed', { response: { ...response, status: 'failed', error: { code: 'server_error', message: 'The model crashed mid-answer' } } }));
    return truth;
  }
  if (s.fail === 'error') {
    res.end(responsesEvent('error', { code: 'rate_limit_exceeded', message: 'Rate limit reached mid-stream', param: null }));
    return truth;
  }
  res.end(
    responsesEvent('response.output_text.done', { item_id: 'msg_1', output_index: index, content_index: 0, text: s.content.join('') }) +
      responsesEvent('response.output_item.done', { output_index: index, item: { id: 'msg_1', type: 'message' } }) +
      responsesEvent('response.completed', { response: { ...response, status: 'completed', output: [], usage } }),
  );
  return truth;
}

export interface TruthServer extends HostileServer {
  /** Ground truth by the request's first input text. */
  truth: Map<string, Promise<StreamTruth>>;
}

/** Every POST /responses is answered with `script(prompt)`; the truth is kept under the prompt. */
export async function startResponsesServer(script: (prompt: string) => StreamScript): Promise<TruthServer> {
  const truth = new Map<string, Promise<StreamTruth>>();
  const server = await startHostile((req, res, body) => {
    if (!(req.url ?? '').endsWith('/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const prompt = promptOf(body);
    if (typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === false) {
      const sc = script(prompt);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(wholeResponse(sc)));
      return;
    }
    const p = streamResponses(res, script(prompt));
    truth.set(prompt, p);
    return p.then(() => undefined);
  });
  return Object.assign(server, { truth });
}

/** The non-streamed answer to the same script. */
export function wholeResponse(s: StreamScript, model = 'gpt-4o-mini-2024-07-18'): Record<string, unknown> {
  return {
    id: 'resp_whole',
    object: 'response',
    model,
    status: 'completed',
    output: [
      ...(s.reasoning.length > 0 ? [{ id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: s.reasoning.join('') }] }] : []),
      { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: s.content.join(''), annotations: [] }] },
    ],
    usage: {
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: s.reasoning.length + s.content.length,
      output_tokens_details: { reasoning_tokens: s.reasoning.length },
      total_tokens: 12 + s.reasoning.length + s.content.length,
    },
    incomplete_details: null,
  };
}

function promptOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const input = (body as { input?: unknown }).input;
  if (typeof input === 'string') return input;
  if (Array.isArray(input)) {
    const first: unknown = input[0];
    if (typeof first === 'object' && first !== null && typeof (first as { content?: unknown }).content === 'string') return (first as { content: string }).content;
  }
  return '';
}

/**
 * Raw answers from the mock, read byte by byte: the SSE frames with their
 * arrival times, and a small hand-written reading of each protocol's events
 * (deliberately not relaymon's decoders, so the mock is checked against the
 * wire formats themselves).
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';

export type WireProtocol = 'openai' | 'anthropic' | 'openai-responses';
export const WIRE_PROTOCOLS: readonly WireProtocol[] = ['openai', 'anthropic', 'openai-responses'];

export interface RawFrame {
  /** ms after the request was sent, of the chunk that completed this frame */
  t: number;
  event: string | null;
  data: string;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  frames: RawFrame[];
  error: Error | null;
}

export async function rawCall(agent: Agent, url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const t0 = performance.now();
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const frames: RawFrame[] = [];
  let text = '';
  let pending = '';
  let error: Error | null = null;
  try {
    for await (const chunk of res.body) {
      const t = performance.now() - t0;
      const s = (chunk as Buffer).toString('utf8');
      text += s;
      pending += s;
      let cut: number;
      while ((cut = pending.indexOf('\n\n')) !== -1) {
        const lines = pending.slice(0, cut).split('\n');
        pending = pending.slice(cut + 2);
        const ev = lines.find((l) => l.startsWith('event: '));
        const data = lines.find((l) => l.startsWith('data: '));
        frames.push({ t, event: ev ? ev.slice(7) : null, data: data ? data.slice(6) : '' });
      }
    }
  } catch (err) {
    error = err as Error;
  }
  return { status: res.statusCode, headers: res.headers, text, frames, error };
}

/** The route of each protocol under the mock's /v1 base. */
export const PATHS: Record<WireProtocol, string> = {
  openai: '/chat/completions',
  anthropic: '/messages',
  'openai-responses': '/responses',
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export interface UsageSeen {
  input: number | null;
  cached: number | null;
  cacheWrite: number | null;
  output: number | null;
  reasoning: number | null;
}

/** What a stream said, read from its raw events. */
export interface StreamReading {
  content: string;
  reasoning: string;
  /** Arrival time of each content, reasoning or argument delta. */
  deltaTimes: number[];
  calls: Array<{ id: string | null; index: number | null; name: string | null; args: string }>;
  /** Every usage report in the order it came (Anthropic: message_start and message_delta). */
  usages: UsageSeen[];
  finish: string | null;
  terminated: boolean;
  /** An in-band error event or chunk. */
  errored: boolean;
  /** The event names (Anthropic, Responses) or a tag per chunk (Chat Completions) in order. */
  order: string[];
}

function emptyReading(): StreamReading {
  return { content: '', reasoning: '', deltaTimes: [], calls: [], usages: [], finish: null, terminated: false, errored: false, order: [] };
}

function openaiUsage(u: Obj): UsageSeen {
  return {
    input: num(u['prompt_tokens']),
    cached: num(obj(u['prompt_tokens_details'])['cached_tokens']),
    cacheWrite: null,
    output: num(u['completion_tokens']),
    reasoning: num(obj(u['completion_tokens_details'])['reasoning_tokens']),
  };
}

function readOpenAI(frames: RawFrame[]): StreamReading {
  const r = emptyReading();
  for (const f of frames) {
    if (f.data === '[DONE]') {
      r.terminated = true;
      r.order.push('done');
      continue;
    }
    const j = obj(JSON.parse(f.data));
    if (j['error'] !== undefined) {
      r.errored = true;
      r.order.push('error');
      continue;
    }
    const choice = obj(arr(j['choices'])[0]);
    const delta = obj(choice['delta']);
    if (j['usage'] !== null && j['usage'] !== undefined) r.usages.push(openaiUsage(obj(j['usage'])));
    if (typeof choice['finish_reason'] === 'string') {
      r.finish = choice['finish_reason'];
      r.order.push('finish');
    }
    if (typeof delta['content'] === 'string' && delta['content'] !== '') {
      r.content += delta['content'];
      r.deltaTimes.push(f.t);
      r.order.push('content');
    }
    if (typeof delta['reasoning_content'] === 'string') {
      r.reasoning += delta['reasoning_content'];
      r.deltaTimes.push(f.t);
      r.order.push('reasoning');
    }
    for (const c of arr(delta['tool_calls'])) {
      const call = obj(c);
      const fn = obj(call['function']);
      r.calls.push({
        id: typeof call['id'] === 'string' ? call['id'] : null,
        index: num(call['index']),
        name: typeof fn['name'] === 'string' ? fn['name'] : null,
        args: typeof fn['arguments'] === 'string' ? fn['arguments'] : '',
      });
      r.deltaTimes.push(f.t);
      r.order.push('tool');
    }
  }
  return r;
}

function readAnthropic(frames: RawFrame[]): StreamReading {
  const r = emptyReading();
  const blocks = new Map<number, Obj>();
  for (const f of frames) {
    const j = obj(JSON.parse(f.data));
    r.order.push(String(j['type']));
    switch (j['type']) {
      case 'message_start': {
        const u = obj(obj(j['message'])['usage']);
        r.usages.push({
          input: num(u['input_tokens']),
          cached: num(u['cache_read_input_tokens']),
          cacheWrite: num(u['cache_creation_input_tokens']),
          output: num(u['output_tokens']),
          reasoning: null,
        });
        break;
      }
      case 'content_block_start':
        blocks.set(num(j['index']) ?? -1, obj(j['content_block']));
        break;
      case 'content_block_delta': {
        const d = obj(j['delta']);
        const index = num(j['index']);
        r.deltaTimes.push(f.t);
        if (d['type'] === 'text_delta') r.content += String(d['text']);
        else if (d['type'] === 'thinking_delta') r.reasoning += String(d['thinking']);
        else if (d['type'] === 'input_json_delta') {
          const block = blocks.get(index ?? -1);
          r.calls.push({
            id: block && typeof block['id'] === 'string' ? block['id'] : null,
            index,
            name: block && typeof block['name'] === 'string' ? block['name'] : null,
            args: String(d['partial_json']),
          });
        } else r.deltaTimes.pop();
        break;
      }
      case 'message_delta': {
        r.finish = String(obj(j['delta'])['stop_reason']);
        const u = obj(j['usage']);
        if (j['usage'] !== undefined) r.usages.push({ input: null, cached: null, cacheWrite: null, output: num(u['output_tokens']), reasoning: null });
        break;
      }
      case 'message_stop':
        r.terminated = true;
        break;
      case 'error':
        r.errored = true;
        break;
    }
  }
  return r;
}

function responsesUsage(u: Obj): UsageSeen {
  return {
    input: num(u['input_tokens']),
    cached: num(obj(u['input_tokens_details'])['cached_tokens']),
    cacheWrite: null,
    output: num(u['output_tokens']),
    reasoning: num(obj(u['output_tokens_details'])['reasoning_tokens']),
  };
}

function readResponses(frames: RawFrame[]): StreamReading {
  const r = emptyReading();
  const items = new Map<number, Obj>();
  for (const f of frames) {
    const j = obj(JSON.parse(f.data));
    if (j['type'] !== f.event) throw new Error(`event line ${f.event} but type ${String(j['type'])}`);
    r.order.push(String(j['type']));
    const response = obj(j['response']);
    if (response['usage'] !== null && response['usage'] !== undefined) r.usages.push(responsesUsage(obj(response['usage'])));
    switch (j['type']) {
      case 'response.output_item.added':
        items.set(num(j['output_index']) ?? -1, obj(j['item']));
        break;
      case 'response.output_text.delta':
        r.content += String(j['delta']);
        r.deltaTimes.push(f.t);
        break;
      case 'response.reasoning_summary_text.delta':
        r.reasoning += String(j['delta']);
        r.deltaTimes.push(f.t);
        break;
      case 'response.function_call_arguments.delta': {
        const index = num(j['output_index']);
        const item = items.get(index ?? -1);
        r.calls.push({
          id: typeof j['item_id'] === 'string' ? j['item_id'] : null,
          index,
          name: item && typeof item['name'] === 'string' ? item['name'] : null,
          args: String(j['delta']),
        });
        r.deltaTimes.push(f.t);
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        r.terminated = true;
        r.finish = String(response['status']);
        break;
      case 'response.failed':
      case 'error':
        r.errored = true;
        break;
    }
  }
  return r;
}

export function readStream(protocol: WireProtocol, frames: RawFrame[]): StreamReading {
  return protocol === 'openai' ? readOpenAI(frames) : protocol === 'anthropic' ? readAnthropic(frames) : readResponses(frames);
}

/** The last usage report with every figure the protocol has, merged in order (Anthropic splits it). */
export function finalUsage(r: StreamReading): UsageSeen {
  const out: UsageSeen = { input: null, cached: null, cacheWrite: null, output: null, reasoning: null };
  for (const u of r.usages) {
    for (const k of Object.keys(out) as Array<keyof UsageSeen>) if (u[k] !== null) out[k] = u[k];
  }
  return out;
}

/** Arguments of the streamed call(s), joined in arrival order. */
export function joinedArgs(r: StreamReading): string {
  return r.calls.map((c) => c.args).join('');
}

import { createSseFramer, decodeFramed } from '../../../src/protocol/sse.js';
import { mulberry32 } from '../../../src/core/random.js';
import type { ProtocolAdapter, SseEvent, WireEvent } from '../../../src/protocol/adapter.js';

/** Deterministic PRNG so a failing random split can be reproduced from its seed. */
export const rng = mulberry32;

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Cut `bytes` at the given offsets. */
export function cutAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of sorted) {
    out.push(bytes.subarray(prev, o));
    prev = o;
  }
  out.push(bytes.subarray(prev));
  return out;
}

export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

export function randomCuts(bytes: Uint8Array, seed: number): Uint8Array[] {
  const r = rng(seed);
  const n = 1 + Math.floor(r() * Math.min(40, bytes.length));
  return cutAt(bytes, Array.from({ length: n }, () => Math.floor(r() * bytes.length)));
}

export interface Framed {
  events: SseEvent[];
  comments: string[];
}

export function frame(chunks: Uint8Array[], end = true): Framed {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const framer = createSseFramer(
    (ev) => events.push(ev),
    (c) => comments.push(c),
  );
  for (const c of chunks) framer.push(c);
  if (end) framer.end();
  return { events, comments };
}

/** Every way we cut bytes in these tests: whole, byte by byte, and a set of seeded random cuts. */
export function chunkings(text: string, seeds = 25): { name: string; chunks: Uint8Array[] }[] {
  const bytes = bytesOf(text);
  const out = [
    { name: 'whole', chunks: [bytes] },
    { name: 'byte-by-byte', chunks: byteByByte(bytes) },
  ];
  for (let s = 1; s <= seeds; s++) out.push({ name: `random seed ${s}`, chunks: randomCuts(bytes, s) });
  return out;
}

export function decode(adapter: ProtocolAdapter, chunks: Uint8Array[]): WireEvent[] {
  const decoder = adapter.newStreamDecoder();
  const out: WireEvent[] = [];
  const framer = createSseFramer((ev) => out.push(...decodeFramed(decoder, ev)));
  for (const c of chunks) framer.push(c);
  framer.end();
  return out;
}

export interface Folded {
  content: string;
  reasoning: string;
  tool: string;
  tokenEvents: number;
  id: string | null;
  model: string | null;
  systemFingerprint: string | null;
  usage: { inputTokens?: number; outputTokens?: number; cachedInputTokens?: number; reasoningTokens?: number; costUsd?: number };
  done: boolean;
  errors: { errorType: string; message: string }[];
  invalid: string[];
}

/** Folds events with the contract's semantics (usage fields assign; first error wins in the client). */
export function fold(events: WireEvent[]): Folded {
  const f: Folded = {
    content: '',
    reasoning: '',
    tool: '',
    tokenEvents: 0,
    id: null,
    model: null,
    systemFingerprint: null,
    usage: {},
    done: false,
    errors: [],
    invalid: [],
  };
  for (const ev of events) {
    switch (ev.kind) {
      case 'token':
        if (ev.text === '') throw new Error('empty token emitted');
        f.tokenEvents++;
        f[ev.channel] += ev.text;
        break;
      case 'meta':
        if (ev.id !== undefined) f.id = ev.id;
        if (ev.model !== undefined) f.model = ev.model;
        if (ev.systemFingerprint !== undefined) f.systemFingerprint = ev.systemFingerprint;
        break;
      case 'usage': {
        const { kind: _kind, ...rest } = ev;
        Object.assign(f.usage, rest);
        break;
      }
      case 'done':
        f.done = true;
        break;
      case 'error':
        f.errors.push({ errorType: ev.errorType, message: ev.message });
        break;
      case 'invalid':
        f.invalid.push(ev.message);
        break;
    }
  }
  return f;
}

/**
 * What every protocol's answer is made of: the words, their JSON-escaped
 * forms (built once, so writing a token is a string concat and a socket
 * write — the mock has to keep up with benchmarks at ~1000 req/s), the
 * identity of one answer and the misbehaviours a writer can apply.
 */

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

export interface ResponseIdentity {
  id: string;
  model: string;
  created: number;
  /** Every prompt token, cached ones included (Anthropic's input_tokens leaves cache reads and writes out). */
  promptTokens: number;
  /** OpenAI's system_fingerprint (Anthropic and the Responses API have none). */
  fingerprint: string;
  /** Prompt tokens read from the prompt cache. */
  cachedTokens?: number;
  /** Prompt tokens written to the cache (reported by Anthropic only). */
  cacheWriteTokens?: number;
}

/** Misbehaviours the stream writers apply (options.ts explains each knob). */
export interface WireKnobs {
  /** The last content delta comes after its block/item was closed (or, in Chat Completions, after the finish chunk). */
  misorder: boolean;
  omitTerminator: boolean;
  dropReasoning: boolean;
  /** id: the call's id changes per fragment; index: fragments after the first carry another index. */
  mangle: 'id' | 'index' | 'args' | null;
  /** Output tokens claimed early in the stream, above the final figure (--decreasing-usage); null = honest. */
  earlyOutputTokens: number | null;
}

export const HONEST_WIRE: Readonly<WireKnobs> = Object.freeze({
  misorder: false,
  omitTerminator: false,
  dropReasoning: false,
  mangle: null,
  earlyOutputTokens: null,
});

export function sse(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/**
 * What one answer says, as a list of pieces sent one per timed slot
 * (plan.ts): reasoning words first, then the output — plain words, a JSON
 * document, or one tool call's arguments. The wire writers turn piece i into
 * their protocol's event; usage is counted from the same pieces.
 */
import { responseText, tokenJson } from './wire-text.js';
import { fragment } from './tools.js';

/** Reasoning words, each one o200k token, so reported reasoning tokens match a local count. */
const THINK = [' Let', ' me', ' think', ' about', ' what', ' is', ' asked', ',', ' then', ' answer', ' carefully', '.'];
const THINK_JSON: readonly string[] = THINK.map((w) => JSON.stringify(w).slice(1, -1));

export function reasoningWord(i: number): string {
  return i === 0 ? 'Let' : THINK[i % THINK.length]!;
}
function reasoningJson(i: number): string {
  return i === 0 ? 'Let' : THINK_JSON[i % THINK_JSON.length]!;
}

export type Output =
  | { kind: 'text'; count: number }
  /** A structured answer sent as content text. */
  | { kind: 'json'; texts: string[]; tokens: number[] }
  | { kind: 'tool'; name: string; texts: string[]; tokens: number[] };

export interface Answer {
  /** Reasoning pieces, sent before any output. */
  reasoning: number;
  output: Output;
  /** Pieces in all (reasoning + output): the number of timed slots. */
  pieces: number;
  /** The limit cut the answer short (finish reason length / max_tokens / incomplete). */
  capped: boolean;
}

export function outputPieces(o: Output): number {
  return o.kind === 'text' ? o.count : o.texts.length;
}

export function makeAnswer(reasoning: number, output: Output): Answer {
  return { reasoning, output, pieces: reasoning + outputPieces(output), capped: false };
}

/** A plain answer of `n` words, what the mock sent before it knew tools and reasoning. */
export function textAnswer(n: number): Answer {
  return makeAnswer(0, { kind: 'text', count: n });
}

/** Text to send as a structured answer or as arguments, in fragments. */
export function jsonOutput(kind: 'json', value: string): Output;
export function jsonOutput(kind: 'tool', value: string, name: string): Output;
export function jsonOutput(kind: 'json' | 'tool', value: string, name = ''): Output {
  const f = fragment(value);
  return kind === 'json' ? { kind, texts: f.texts, tokens: f.tokens } : { kind, name, texts: f.texts, tokens: f.tokens };
}

function pieceTokens(a: Answer, i: number): number {
  if (i < a.reasoning || a.output.kind === 'text') return 1;
  return a.output.tokens[i - a.reasoning] ?? 0;
}

/** Output and reasoning tokens of the first `sent` pieces. */
export function tokensOf(a: Answer, sent: number): { output: number; reasoning: number } {
  let output = 0;
  for (let i = 0; i < sent; i++) output += pieceTokens(a, i);
  return { output, reasoning: Math.min(sent, a.reasoning) };
}

/** The answer cut to at most `limit` tokens, whole pieces only; marked capped when anything was cut. */
export function capAnswer(a: Answer, limit: number | null): Answer {
  if (limit === null) return a;
  let used = 0;
  let keep = 0;
  while (keep < a.pieces && used + pieceTokens(a, keep) <= limit) used += pieceTokens(a, keep++);
  if (keep === a.pieces) return a;
  const reasoning = Math.min(a.reasoning, keep);
  const outKeep = keep - reasoning;
  const o = a.output;
  const output: Output =
    o.kind === 'text' ? { kind: 'text', count: outKeep } : { ...o, texts: o.texts.slice(0, outKeep), tokens: o.tokens.slice(0, outKeep) };
  return { reasoning, output, pieces: keep, capped: true };
}

export type PieceKind = 'reasoning' | 'text' | 'tool';

export function pieceKind(a: Answer, i: number): PieceKind {
  if (i < a.reasoning) return 'reasoning';
  return a.output.kind === 'tool' ? 'tool' : 'text';
}

/** Piece i, escaped for a JSON string. */
export function pieceJson(a: Answer, i: number): string {
  if (i < a.reasoning) return reasoningJson(i);
  const j = i - a.reasoning;
  const o = a.output;
  return o.kind === 'text' ? tokenJson(j) : JSON.stringify(o.texts[j] ?? '').slice(1, -1);
}

/** Raw text of the reasoning pieces among the first `sent`. */
export function reasoningText(a: Answer, sent: number): string {
  let s = '';
  for (let i = 0; i < Math.min(sent, a.reasoning); i++) s += reasoningWord(i);
  return s;
}

/** Raw text of the output pieces among the first `sent` (content, JSON or arguments). */
export function outputText(a: Answer, sent: number): string {
  const n = Math.max(0, sent - a.reasoning);
  const o = a.output;
  return o.kind === 'text' ? responseText(n) : o.texts.slice(0, n).join('');
}

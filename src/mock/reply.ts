/**
 * From a parsed request and the knobs to what gets written: the answer's
 * pieces, the cache figures, and the stream or body writer of the request's
 * protocol with its finish reason.
 */
import { capAnswer, jsonOutput, makeAnswer, tokensOf, type Answer, type Output } from './answer.js';
import type { PrefixCache } from './cache.js';
import type { MockOptions } from './options.js';
import type { ParsedRequest } from './request.js';
import type { BodyWire, StreamWire } from './respond.js';
import { exampleFor } from './tools.js';
import { AnthropicStreamWriter, anthropicBody } from './wire-anthropic.js';
import { ResponsesStreamWriter, responsesBody } from './wire-responses.js';
import type { ResponseIdentity, WireKnobs } from './wire-text.js';
import { OpenAIStreamWriter, openaiBody, type MockProtocol } from './wire.js';

function objectSchema(s: unknown): unknown {
  return typeof s === 'object' && s !== null && !Array.isArray(s) ? s : { type: 'object', properties: {} };
}

/** What a relay that dropped response_format gets back: the JSON, chatted about. */
export function fenced(json: string): string {
  return '```json\n' + json + '\n```';
}

/** A relay that rewrote arguments sends single quotes: not JSON. */
export function spoiled(json: string): string {
  return json.replaceAll('"', "'");
}

/**
 * Reasoning first (--tokens words, no more than Anthropic's budget_tokens),
 * then a tool call, a structured answer or --tokens words; cut at the
 * request's limit unless --ignore-max-tokens.
 */
export function composeAnswer(o: MockOptions, p: ParsedRequest): Answer {
  const reasoning = p.reasoning ? Math.min(o.tokens, p.reasoning.budget ?? Infinity) : 0;
  let output: Output;
  if (p.tool) {
    let text = JSON.stringify(exampleFor(objectSchema(p.tool.schema)));
    if (p.tool.structured ? o.invalidJsonOutput : o.mangleToolCalls === 'args') text = p.tool.structured ? fenced(text) : spoiled(text);
    output = jsonOutput('tool', text, p.tool.name);
  } else if (p.json !== null) {
    const text = JSON.stringify(exampleFor(p.json));
    output = jsonOutput('json', o.invalidJsonOutput ? fenced(text) : text);
  } else output = { kind: 'text', count: o.tokens };
  const answer = makeAnswer(reasoning, output);
  return o.ignoreMaxTokens ? answer : capAnswer(answer, p.maxTokens);
}

/** OpenAI reports cached tokens in steps of 128; Anthropic exactly, split into reads and writes. */
export function cacheFigures(
  o: MockOptions,
  protocol: MockProtocol,
  p: ParsedRequest,
  cache: PrefixCache,
): { cachedTokens: number; cacheWriteTokens: number } {
  const none = { cachedTokens: 0, cacheWriteTokens: 0 };
  if (!p.prefix || (protocol === 'anthropic' && !p.cacheControl)) return none;
  const hit = cache.touch(p.prefix.key);
  if (o.noCacheReport) return none;
  const tokens = Math.min(p.prefix.tokens, p.promptTokens);
  if (protocol === 'anthropic') return hit ? { cachedTokens: tokens, cacheWriteTokens: 0 } : { cachedTokens: 0, cacheWriteTokens: tokens };
  return hit ? { cachedTokens: Math.floor(tokens / 128) * 128, cacheWriteTokens: 0 } : none;
}

export interface Writers {
  stream: StreamWire;
  body: BodyWire['body'];
}

/**
 * The writers of one answer. `reported` turns the tokens sent into the usage
 * figure the mock claims (inflated, or null when dropped).
 */
export function writersFor(
  o: MockOptions,
  protocol: MockProtocol,
  r: ResponseIdentity,
  p: ParsedRequest,
  a: Answer,
  reported: (tokens: number) => number | null,
): Writers {
  const claim = (sent: number): number | null => reported(tokensOf(a, sent).output);
  const full = tokensOf(a, a.pieces).output;
  const k: WireKnobs = {
    misorder: o.misorderEvents === true,
    omitTerminator: o.omitTerminator === true,
    dropReasoning: o.dropReasoning === true,
    mangle: o.mangleToolCalls ?? null,
    earlyOutputTokens: o.decreasingUsage ? Math.round(full * o.inflateUsage) + 10 : null,
  };
  const swallow = o.swallowStreamErrors === true;
  const tool = a.output.kind === 'tool';
  if (protocol === 'openai') {
    const reason = a.capped ? 'length' : tool ? 'tool_calls' : 'stop';
    const w = new OpenAIStreamWriter(r, p.includeUsage, a, k);
    return {
      stream: {
        open: () => w.open(),
        token: (i) => w.token(i),
        finish: (sent) => w.finish(reason, claim(sent), sent),
        streamError: (sent) => (swallow ? w.finish('stop', claim(sent), sent) : w.streamError()),
      },
      body: (sent) => openaiBody(r, sent, reason, claim(sent), a, k),
    };
  }
  if (protocol === 'anthropic') {
    const reason = a.capped ? 'max_tokens' : tool ? 'tool_use' : 'end_turn';
    const w = new AnthropicStreamWriter(r, a, k);
    return {
      stream: {
        open: () => w.open(),
        token: (i) => w.token(i),
        finish: (sent) => w.finish(reason, claim(sent)),
        streamError: (sent) => (swallow ? w.finish('end_turn', claim(sent)) : w.streamError()),
      },
      body: (sent) => anthropicBody(r, sent, reason, claim(sent), a, k),
    };
  }
  const status = a.capped ? 'incomplete' : 'completed';
  const w = new ResponsesStreamWriter(r, a, k);
  return {
    stream: {
      open: () => w.open(),
      token: (i) => w.token(i),
      finish: (sent) => w.finish(status, claim(sent), sent),
      streamError: (sent) => (swallow ? w.finish('completed', claim(sent), sent) : w.streamError()),
    },
    body: (sent) => responsesBody(r, sent, status, claim(sent), a, k),
  };
}

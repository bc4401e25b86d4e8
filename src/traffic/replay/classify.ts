import { PROTOCOLS, type Protocol } from '../../core/result.js';
import type { RequestSpec } from '../../protocol/adapter.js';
import { describeJson, isObject, protocolHint, readBody, type JsonObject } from './body.js';
import { readLineTime, type LineTime } from './timing.js';

/**
 * One line on its own: what kind it is and whether it can be sent. Whether
 * its kind is the file's is decided later, by the parser, over all lines.
 * Reasons name fields, never values: a line may hold prompts.
 */

export type LineKind = 'batch' | 'log' | 'body';

export interface Candidate {
  line: number;
  kind: LineKind;
  spec: RequestSpec;
  /** Batch: from url; log: its protocol field; body: what its shape demands (null: either). */
  protocol: Protocol | null;
  time: LineTime | null;
  customId?: string;
  target?: string;
}

export type Classified =
  | { line: number; kind: LineKind | null; reason: string }
  | { line: number; kind: LineKind; candidate: Candidate };

/** Null for a blank line, which is skipped silently. */
export function classifyLine(text: string, line: number): Classified | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text; say only that it is not JSON.
    return { line, kind: null, reason: 'invalid JSON' };
  }
  if (!isObject(value)) return { line, kind: null, reason: `not a JSON object (got ${describeJson(value)})` };
  const kind = lineKind(value);
  if (kind === null) {
    const reason = Object.keys(value).length === 0 ? 'empty object' : 'not a request: no "model", "messages" or "input" field';
    return { line, kind, reason };
  }
  const read = kind === 'batch' ? readBatch(value, line) : kind === 'log' ? readLog(value, line) : readPlain(value, line);
  return typeof read === 'string' ? { line, kind, reason: read } : { line, kind, candidate: read };
}

function lineKind(obj: JsonObject): LineKind | null {
  if ('custom_id' in obj || ('url' in obj && 'body' in obj)) return 'batch';
  if ('v' in obj && ('result' in obj || 'target' in obj)) return 'log';
  if ('model' in obj || 'messages' in obj || 'input' in obj) return 'body';
  return null;
}

const OPENAI_PATH_RE = /^(\/v\d+)?\/chat\/completions\/?$/;
const ANTHROPIC_PATH_RE = /^(\/v\d+)?\/messages\/?$/;
const RESPONSES_PATH_RE = /^(\/v\d+)?\/responses\/?$/;
const URL_EXPECTED = 'field "url": expected /v1/chat/completions, /v1/messages or /v1/responses';

export function protocolOfUrl(url: string): Protocol | null {
  let path = url.trim();
  if (/^https?:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      return null;
    }
  }
  path = path.replace(/[?#].*$/, '');
  if (OPENAI_PATH_RE.test(path)) return 'openai';
  if (ANTHROPIC_PATH_RE.test(path)) return 'anthropic';
  if (RESPONSES_PATH_RE.test(path)) return 'openai-responses';
  return null;
}

function readBatch(obj: JsonObject, line: number): Candidate | string {
  const customId = obj['custom_id'];
  if (customId !== undefined && typeof customId !== 'string') return 'field "custom_id": expected a string';
  const method = obj['method'];
  if (method !== undefined && (typeof method !== 'string' || method.toUpperCase() !== 'POST')) {
    return 'field "method": expected POST';
  }
  const url = obj['url'];
  if (url === undefined) return 'missing field "url"';
  const protocol = typeof url === 'string' ? protocolOfUrl(url) : null;
  if (protocol === null) return URL_EXPECTED;
  const body = requestBody(obj);
  if (typeof body === 'string') return body;
  const read = readBody(body, 'body.', protocol);
  if (!read.ok) return read.reason;
  const time = readLineTime(obj);
  if (!time.ok) return time.reason;
  const c: Candidate = { line, kind: 'batch', spec: read.spec, protocol, time: time.time };
  if (customId !== undefined) c.customId = customId;
  return c;
}

function readLog(obj: JsonObject, line: number): Candidate | string {
  if (obj['v'] !== 1) return 'field "v": unsupported request log version (this relaymon reads version 1)';
  const target = obj['target'];
  if (typeof target !== 'string' || target === '') return target === undefined ? 'missing field "target"' : 'field "target": expected a name';
  const protocol = PROTOCOLS.find((p) => p === obj['protocol']);
  if (protocol === undefined) return `field "protocol": expected ${PROTOCOLS.join(', ')}`;
  if (obj['body'] === undefined) return 'no field "body": the log was written with --no-log-bodies, so there is nothing to send';
  const body = requestBody(obj);
  if (typeof body === 'string') return body;
  const read = readBody(body, 'body.', protocol);
  if (!read.ok) return read.reason;
  const t = obj['t'];
  let time: LineTime | null = null;
  if (t !== undefined) {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return 'field "t": expected milliseconds since the run started';
    time = { base: 'offset', field: 't', ms: t };
  }
  return { line, kind: 'log', spec: read.spec, protocol, time, target };
}

function readPlain(obj: JsonObject, line: number): Candidate | string {
  const time = readLineTime(obj);
  if (!time.ok) return time.reason;
  // Timing fields are ours, not the API's: a relay may reject unknown fields.
  const body: JsonObject = { ...obj };
  delete body['timestamp'];
  delete body['offset_ms'];
  const read = readBody(body);
  if (!read.ok) return read.reason;
  return { line, kind: 'body', spec: read.spec, protocol: protocolHint(body), time: time.time };
}

function requestBody(obj: JsonObject): JsonObject | string {
  const body = obj['body'];
  if (body === undefined || body === null) return 'missing field "body"';
  if (!isObject(body)) return `field "body": expected a JSON object, got ${describeJson(body)}`;
  if (Object.keys(body).length === 0) return 'field "body" is empty';
  return body;
}

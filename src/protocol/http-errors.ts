import { STATUS_CODES } from 'node:http';
import type { ErrorType } from '../core/result.js';
import type { ClassifiedError } from './adapter.js';
import { retryAfterMs, type ResponseHeaders } from './headers.js';
import { isRecord, oneLine, str } from './util.js';
import { QUOTA_WORDS } from './error-types.js';

const MESSAGE_MAX = 200;

/**
 * Maps an HTTP error response to the closed errorType vocabulary (core/result.ts ERROR_TYPES; docs/contracts.md "Error types").
 * The message is always "HTTP <status>: <what the body said>", one line.
 */
export function classifyHttpError(status: number, headers: ResponseHeaders, bodyText: string): ClassifiedError {
  const contentType = headerString(headers['content-type']);
  const body = describeBody(contentType, bodyText);
  const said = body.message || STATUS_CODES[status] || 'error';
  return {
    errorType: httpErrorType(status, body),
    message: `HTTP ${status}: ${oneLine(said, MESSAGE_MAX)}`,
    retryAfterMs: retryAfterMs(headers),
  };
}

function headerString(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

interface BodyFacts {
  /** What to show. Empty when the body said nothing useful. */
  message: string;
  /** Machine-readable error type and code (JSON bodies only), lower-case. */
  codes: string;
  /** Human text to look for quota or overload words in. */
  prose: string;
}

function describeBody(contentType: string, bodyText: string): BodyFacts {
  const t = bodyText.replace(/^\uFEFF/, '').trim();
  if (t === '') return { message: '', codes: '', prose: '' };
  if (looksLikeHtml(contentType, t.slice(0, 512))) {
    const title = htmlTitle(t);
    // Only the title: the rest of an error page is boilerplate that mentions anything.
    return { message: title ? `HTML page "${title}"` : 'HTML page', codes: '', prose: title };
  }
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const facts = jsonFacts(JSON.parse(t));
      if (facts) return facts;
    } catch {
      // Not JSON after all: fall through to plain text.
    }
  }
  return { message: t, codes: '', prose: t.slice(0, 2000) };
}

/**
 * OpenAI `{error:{message,type,code}}`, Anthropic `{type:'error',error:{type,message}}`,
 * and what gateways send: `{error:"..."}`, `{message}`, FastAPI `{detail}`, arrays of those.
 */
function jsonFacts(v: unknown): BodyFacts | null {
  if (Array.isArray(v)) return v.length > 0 ? jsonFacts(v[0]) : null;
  if (!isRecord(v)) return null;
  const e = v['error'];
  if (isRecord(e)) {
    const codes = [str(e['type']), codeString(e['code']), str(e['status'])].filter(Boolean).join(' ');
    const message = str(e['message']) ?? '';
    return { message: message || codes, codes: codes.toLowerCase(), prose: message };
  }
  if (typeof e === 'string' && e.trim()) return { message: e, codes: '', prose: e };
  const message = str(v['message']) ?? detailText(v['detail']) ?? str(v['msg']) ?? '';
  if (!message) return null;
  const codes = [str(v['type']), codeString(v['code'])].filter(Boolean).join(' ');
  return { message, codes: codes.toLowerCase(), prose: message };
}

function codeString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function detailText(d: unknown): string | undefined {
  if (typeof d === 'string') return d;
  const first: unknown = Array.isArray(d) ? d[0] : undefined;
  if (isRecord(first)) return str(first['msg']);
  return undefined;
}


function speaksOfQuota(body: BodyFacts): boolean {
  if (QUOTA_WORDS.test(body.codes)) return true;
  // Not the error code alone: Anthropic calls every 429 rate_limit_error, spend caps too.
  // URLs are dropped: OpenAI's free-tier rate-limit message links to /account/billing.
  return QUOTA_WORDS.test(body.prose.replace(/https?:\/\/\S+/g, ' '));
}

function httpErrorType(status: number, body: BodyFacts): ErrorType {
  if (status === 401) return 'auth';
  // one-api/new-api answer 403 when the user's or the token's quota is used up.
  if (status === 403) return speaksOfQuota(body) ? 'quota_exceeded' : 'auth';
  if (status === 402) return 'quota_exceeded';
  if (status === 404) return 'not_found';
  if (status === 429) return speaksOfQuota(body) ? 'quota_exceeded' : 'rate_limited';
  if (status === 529) return 'overloaded';
  if (status >= 500 && status <= 599) {
    // Relays pass Anthropic's overloaded_error on under whatever 5xx they like.
    return /overload/i.test(`${body.codes} ${body.prose}`) ? 'overloaded' : 'server_error';
  }
  if (status >= 400 && status <= 499) return 'bad_request';
  return 'bad_response';
}

function htmlTitle(html: string): string {
  const m = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  if (!m || m[1] === undefined) return '';
  return oneLine(decodeEntities(m[1]), 120);
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[name.toLowerCase()] ?? whole;
  });
}

const HTML_START = /^<(?:!doctype\s+html|html|head|body|title)(?=[\s>])/i;
/** Starts that are certainly not a web page: JSON, or SSE fields and comments. */
const NOT_HTML_START = /^(?:[{["]|(?:data|event|id|retry)?:)/;

/**
 * True when a response is a web page (a login wall, a CDN error page, a
 * misrouted baseUrl) rather than the API. The body decides when it can: some
 * relays label perfectly good JSON as text/html.
 */
export function looksLikeHtml(contentType: string | undefined, bodyStart: string): boolean {
  // A JSON object or array as the very first byte (every answer of an API): no string work.
  const c0 = bodyStart.charCodeAt(0);
  if (c0 === 0x7b || c0 === 0x5b) return false;
  const s = bodyStart.replace(/^\uFEFF/, '').trimStart();
  if (HTML_START.test(s)) return true;
  if (NOT_HTML_START.test(s)) return false;
  return /\b(?:text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '');
}

/**
 * What to add to a 404's message when the base URL has no version segment:
 * the usual cause is a base URL copied without its `/v1`. Empty otherwise.
 * The URL itself is not repeated (it may carry credentials).
 */
export function notFoundHint(baseUrl: string): string {
  let path: string;
  try {
    path = new URL(baseUrl).pathname;
  } catch {
    return '';
  }
  if (/\/v\d+(?:beta\d*|alpha\d*)?(?:\/|$)/i.test(path)) return '';
  return ' (the base URL has no /v1: try adding /v1 to it)';
}


import { STATUS_CODES } from 'node:http';
import type { MockProtocol } from './wire.js';

/** A complete error answer: status, extra headers and JSON body. */
export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface ErrorShape {
  /** OpenAI `error.type` / `error.code`. */
  openaiType: string;
  openaiCode: string | null;
  /** Anthropic `error.type`. */
  anthropicType: string;
  message: string;
}

const SHAPES: Record<number, ErrorShape> = {
  400: { openaiType: 'invalid_request_error', openaiCode: null, anthropicType: 'invalid_request_error', message: 'Invalid request.' },
  401: {
    openaiType: 'invalid_request_error',
    openaiCode: 'invalid_api_key',
    anthropicType: 'authentication_error',
    message: 'Incorrect API key provided.',
  },
  402: {
    openaiType: 'insufficient_quota',
    openaiCode: 'insufficient_quota',
    anthropicType: 'billing_error',
    message: 'You exceeded your current quota, please check your plan and billing details.',
  },
  403: { openaiType: 'permission_error', openaiCode: null, anthropicType: 'permission_error', message: 'Permission denied.' },
  404: { openaiType: 'invalid_request_error', openaiCode: 'model_not_found', anthropicType: 'not_found_error', message: 'The model does not exist or you do not have access to it.' },
  413: { openaiType: 'invalid_request_error', openaiCode: null, anthropicType: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    openaiType: 'requests',
    openaiCode: 'rate_limit_exceeded',
    anthropicType: 'rate_limit_error',
    message: 'Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in 1s.',
  },
  500: {
    openaiType: 'server_error',
    openaiCode: null,
    anthropicType: 'api_error',
    message: 'The server had an error while processing your request. Sorry about that!',
  },
};

/** 529 and 503 get Anthropic's overloaded body on either route, as relays pass it through. */
const OVERLOADED_BODY = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';

function shapeFor(status: number): ErrorShape {
  const known = SHAPES[status];
  if (known) return known;
  const text = STATUS_CODES[status] ?? 'Error';
  return status < 500
    ? { openaiType: 'invalid_request_error', openaiCode: null, anthropicType: 'invalid_request_error', message: text }
    : { openaiType: 'server_error', openaiCode: null, anthropicType: 'api_error', message: text };
}

/** The error answer a real service gives for `status`, in the route's protocol. */
export function errorReply(status: number, protocol: MockProtocol, message?: string): ErrorReply {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 429 || status === 503 || status === 529) headers['retry-after'] = '1';
  if (status === 503 || status === 529) return { status, headers, body: OVERLOADED_BODY };
  const shape = shapeFor(status);
  const msg = message ?? shape.message;
  const body =
    protocol === 'anthropic'
      ? JSON.stringify({ type: 'error', error: { type: shape.anthropicType, message: msg } })
      : JSON.stringify({ error: { message: msg, type: shape.openaiType, param: null, code: shape.openaiCode } });
  return { status, headers, body };
}

/** Status for an overloaded answer: Anthropic says 529, OpenAI-style relays say 503. */
export function overloadedStatus(protocol: MockProtocol): number {
  return protocol === 'anthropic' ? 529 : 503;
}

/** OpenAI's answer to an unknown path. */
export function notFoundReply(method: string, path: string): ErrorReply {
  return {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: {
        message: `Unknown request URL: ${method} ${path}. Please check the URL for typos.`,
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    }),
  };
}

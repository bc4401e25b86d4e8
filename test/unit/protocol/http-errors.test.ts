import { describe, expect, it } from 'vitest';
import { classifyHttpError, looksLikeHtml } from '../../../src/protocol/http-errors.js';
import { clearSecrets, registerSecret } from '../../../src/core/redact.js';

const openaiError = (message: string, type: string | null, code: string | null = null): string =>
  JSON.stringify({ error: { message, type, param: null, code } });

describe('classifyHttpError: error types', () => {
  it('401 and 403 are auth', () => {
    expect(classifyHttpError(401, {}, openaiError('Incorrect API key provided: sk-abc***xyz.', 'invalid_request_error', 'invalid_api_key'))).toEqual({
      errorType: 'auth',
      message: 'HTTP 401: Incorrect API key provided: sk-abc***xyz.',
      retryAfterMs: null,
    });
    expect(classifyHttpError(403, {}, '{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission"}}').errorType).toBe(
      'auth',
    );
  });

  it('403 that speaks of quota (one-api/new-api) is quota_exceeded', () => {
    expect(classifyHttpError(403, {}, openaiError('user quota is not enough', 'one_api_error', 'insufficient_user_quota')).errorType).toBe('quota_exceeded');
    expect(classifyHttpError(403, {}, openaiError('该令牌额度已用尽', 'new_api_error')).errorType).toBe('quota_exceeded');
  });

  it('404 is not_found', () => {
    const c = classifyHttpError(404, {}, openaiError('The model `gpt-5-ultra` does not exist', 'invalid_request_error', 'model_not_found'));
    expect(c.errorType).toBe('not_found');
    expect(c.message).toBe('HTTP 404: The model `gpt-5-ultra` does not exist');
  });

  it('402 is quota_exceeded whatever the body', () => {
    expect(classifyHttpError(402, {}, '{"error":{"message":"Insufficient credits","code":402}}').errorType).toBe('quota_exceeded');
    expect(classifyHttpError(402, {}, '').errorType).toBe('quota_exceeded');
  });

  it('429 is rate_limited, with retry-after honoured', () => {
    const c = classifyHttpError(
      429,
      { 'retry-after-ms': '1200', 'retry-after': '2' },
      openaiError('Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000.', 'tokens', 'rate_limit_exceeded'),
    );
    expect(c.errorType).toBe('rate_limited');
    expect(c.retryAfterMs).toBe(1200);
    expect(c.message.startsWith('HTTP 429: Rate limit reached for gpt-4o')).toBe(true);
    expect(classifyHttpError(429, { 'retry-after': '7' }, 'Too Many Requests').retryAfterMs).toBe(7000);
    expect(classifyHttpError(429, {}, '').errorType).toBe('rate_limited');
  });

  it('429 whose body speaks of quota, billing, spend cap, budget, credit or balance is quota_exceeded', () => {
    const quota = [
      openaiError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
      openaiError('limit hit', 'insufficient_quota'),
      '{"type":"error","error":{"type":"rate_limit_error","message":"Your workspace has reached its monthly spend cap"}}',
      '{"error":{"message":"Budget has been exceeded! Current cost: 10.2, Max budget: 10.0","type":"budget_exceeded"}}',
      '{"error":{"message":"Insufficient credits. Add more using https://openrouter.ai/settings/credits","code":429}}',
      '{"error":{"message":"Insufficient account balance","type":"error"}}',
      'Spending limit reached for this key',
      '{"error":{"message":"用户余额不足","type":"new_api_error"}}',
    ];
    for (const body of quota) expect(classifyHttpError(429, {}, body).errorType, body).toBe('quota_exceeded');
  });

  it('429 rate-limit messages that merely link to billing, or mention a load balancer, stay rate_limited', () => {
    const rate = [
      openaiError(
        'Rate limit reached for default-gpt-3.5-turbo on requests per min. Limit: 3 / min. Please add a payment method to your account to increase your rate limit. Visit https://platform.openai.com/account/billing to add a payment method.',
        'requests',
        'rate_limit_exceeded',
      ),
      'Rate limited by upstream load balancer',
      '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}',
    ];
    for (const body of rate) expect(classifyHttpError(429, {}, body).errorType, body).toBe('rate_limited');
  });

  it('529 is overloaded, and so is a 5xx whose body says overloaded', () => {
    const anthropicOverloaded = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    expect(classifyHttpError(529, {}, anthropicOverloaded)).toEqual({ errorType: 'overloaded', message: 'HTTP 529: Overloaded', retryAfterMs: null });
    expect(classifyHttpError(529, {}, '').errorType).toBe('overloaded');
    expect(classifyHttpError(503, {}, 'The server is overloaded, try later').errorType).toBe('overloaded');
    expect(classifyHttpError(503, {}, '{"error":{"message":"upstream busy","type":"overloaded_error"}}').errorType).toBe('overloaded');
    expect(classifyHttpError(500, {}, anthropicOverloaded).errorType).toBe('overloaded');
  });

  it('other 5xx are server_error', () => {
    for (const status of [500, 502, 503, 504, 520, 599]) {
      expect(classifyHttpError(status, {}, 'Service Unavailable').errorType, String(status)).toBe('server_error');
    }
  });

  it('400, 413, 422 and other 4xx are bad_request', () => {
    for (const status of [400, 405, 408, 409, 413, 415, 422, 451]) {
      expect(classifyHttpError(status, {}, '{"error":{"message":"nope"}}').errorType, String(status)).toBe('bad_request');
    }
  });

  it('anything that is not 4xx/5xx is bad_response', () => {
    expect(classifyHttpError(302, {}, '').errorType).toBe('bad_response');
  });
});

describe('classifyHttpError: messages', () => {
  it('reads the OpenAI shape', () => {
    expect(classifyHttpError(400, {}, openaiError("This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded')).message).toBe(
      "HTTP 400: This model's maximum context length is 128000 tokens.",
    );
  });

  it('reads the Anthropic shape', () => {
    expect(classifyHttpError(400, {}, '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}').message).toBe(
      'HTTP 400: max_tokens: Field required',
    );
  });

  it('reads gateway shapes: error string, message, FastAPI detail, arrays', () => {
    expect(classifyHttpError(400, {}, '{"error":"model not allowed"}').message).toBe('HTTP 400: model not allowed');
    expect(classifyHttpError(403, {}, '{"message":"Forbidden"}').message).toBe('HTTP 403: Forbidden');
    expect(classifyHttpError(404, {}, '{"detail":"Not Found"}').message).toBe('HTTP 404: Not Found');
    expect(classifyHttpError(422, {}, '{"detail":[{"loc":["body","model"],"msg":"field required","type":"missing"}]}').message).toBe(
      'HTTP 422: field required',
    );
    expect(classifyHttpError(400, {}, '[{"error":{"code":400,"message":"Invalid value","status":"INVALID_ARGUMENT"}}]').message).toBe(
      'HTTP 400: Invalid value',
    );
  });

  it('falls back to type and code when the JSON error has no message', () => {
    expect(classifyHttpError(400, {}, '{"error":{"type":"invalid_request_error","code":"bad_param"}}').message).toBe(
      'HTTP 400: invalid_request_error bad_param',
    );
  });

  it('shows JSON it does not understand as text', () => {
    expect(classifyHttpError(500, {}, '{"status":"down"}').message).toBe('HTTP 500: {"status":"down"}');
  });

  it('turns plain text into one line of at most 200 characters', () => {
    const c = classifyHttpError(502, {}, `upstream connect error\nor disconnect/reset before headers. ${'y'.repeat(400)}`);
    const said = c.message.slice('HTTP 502: '.length);
    expect(said.length).toBeLessThanOrEqual(200);
    expect(c.message).not.toContain('\n');
    expect(c.message.startsWith('HTTP 502: upstream connect error or disconnect/reset before headers.')).toBe(true);
  });

  it('names an HTML page by its title', () => {
    const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    expect(classifyHttpError(502, { 'content-type': 'text/html' }, html)).toEqual({
      errorType: 'server_error',
      message: 'HTTP 502: HTML page "502 Bad Gateway"',
      retryAfterMs: null,
    });
    const cf = '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>credit card balance quota</body></html>';
    const c = classifyHttpError(403, { 'content-type': 'text/html; charset=UTF-8' }, cf);
    expect(c.message).toBe('HTTP 403: HTML page "Just a moment..."');
    // The page text is not read for quota words: only the title.
    expect(c.errorType).toBe('auth');
    expect(classifyHttpError(429, {}, '<!doctype html><body>credit</body>').errorType).toBe('rate_limited');
  });

  it('decodes entities in the title and copes with no title', () => {
    expect(classifyHttpError(503, {}, '<html><title>Tom &amp; Jerry&#39;s &#x26; down</title></html>').message).toBe(
      'HTTP 503: HTML page "Tom & Jerry\'s & down"',
    );
    expect(classifyHttpError(503, { 'content-type': 'text/html' }, '<html><body>x</body></html>').message).toBe('HTTP 503: HTML page');
  });

  it('uses the status text for an empty body', () => {
    expect(classifyHttpError(503, {}, '').message).toBe('HTTP 503: Service Unavailable');
    expect(classifyHttpError(429, {}, '  \n').message).toBe('HTTP 429: Too Many Requests');
    expect(classifyHttpError(599, {}, '').message).toBe('HTTP 599: error');
  });

  it('never repeats a registered secret the relay echoed', () => {
    registerSecret('sk-live-SECRET-0123456789');
    try {
      const c = classifyHttpError(401, {}, openaiError('Invalid key sk-live-SECRET-0123456789', 'auth'));
      expect(c.message).not.toContain('sk-live-SECRET-0123456789');
      expect(c.message).toContain('[REDACTED]');
    } finally {
      clearSecrets();
    }
  });
});

describe('looksLikeHtml', () => {
  it('spots pages by their start, whatever the content type', () => {
    expect(looksLikeHtml('text/event-stream', '<!DOCTYPE html><html>')).toBe(true);
    expect(looksLikeHtml(undefined, '\uFEFF  <html lang="en">')).toBe(true);
    expect(looksLikeHtml('application/json', '<HEAD><title>x</title>')).toBe(true);
    expect(looksLikeHtml('', '\n<body>\n')).toBe(true);
  });

  it('trusts a JSON or SSE start over a text/html content type', () => {
    expect(looksLikeHtml('text/html', '{"id":"chatcmpl"}')).toBe(false);
    expect(looksLikeHtml('text/html', 'data: {"id":1}')).toBe(false);
    expect(looksLikeHtml('text/html', ': keep-alive\n')).toBe(false);
    expect(looksLikeHtml('text/html', 'event: message_start')).toBe(false);
  });

  it('falls back to the content type when the start is inconclusive', () => {
    expect(looksLikeHtml('text/html; charset=utf-8', 'Bad Gateway')).toBe(true);
    expect(looksLikeHtml('text/html', '')).toBe(true);
    expect(looksLikeHtml('text/plain', 'Bad Gateway')).toBe(false);
    expect(looksLikeHtml('application/json', '')).toBe(false);
    expect(looksLikeHtml(undefined, '<html5lib>')).toBe(false);
  });
});

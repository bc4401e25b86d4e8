import type { ErrorType } from '../core/result.js';

/**
 * Spend caps, balances and billing, in English and in the Chinese that
 * one-api/new-api speak (额度 quota, 余额 balance).
 */
export const QUOTA_WORDS = /quota|billing|spend(?:ing)?[\s_-]*(?:cap|limit)|budget|(?<![a-z])credits?(?![a-z])|(?<![a-z])balance(?![a-z])|额度|余额/i;

/**
 * The errorType an error object's own `type`/`code` names, for errors that
 * arrive without a telling HTTP status (a 200 body or an SSE `error` event):
 * OpenAI's `insufficient_quota`, `rate_limit_exceeded`, `invalid_api_key`;
 * Anthropic's `rate_limit_error`, `overloaded_error`, `authentication_error`.
 * Null when the codes name nothing more specific than "an error"
 * (`api_error`, `server_error`, none): the caller keeps its own default.
 */
export function errorTypeFromCodes(codes: string): ErrorType | null {
  const c = codes.toLowerCase();
  if (c.trim() === '') return null;
  if (QUOTA_WORDS.test(c)) return 'quota_exceeded';
  if (/overload/.test(c)) return 'overloaded';
  if (/rate[\s_-]?limit|too[\s_-]many[\s_-]requests/.test(c)) return 'rate_limited';
  if (/auth|invalid[\s_-]api[\s_-]key|permission|forbidden|unauthori[sz]ed/.test(c)) return 'auth';
  if (/not[\s_-]?found/.test(c)) return 'not_found';
  if (/invalid[\s_-]request|bad[\s_-]request|context[\s_-]length|invalid[\s_-]argument/.test(c)) return 'bad_request';
  return null;
}

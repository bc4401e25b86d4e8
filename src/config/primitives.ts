import { z } from 'zod';
import { parseDuration, parseRate } from '../core/units.js';

/**
 * Building blocks for the config schema. Error messages start with "expected"
 * so the issue formatter can tell ours from zod's defaults and append what it got.
 */

/** Names become threshold tags (`{target:relay}`) and Prometheus label values, so keep them plain. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const NAME_EXPECTED = 'expected a name of letters, digits, "-", "_" or "." (starting with a letter or digit)';

export const nameSchema = z.string().regex(NAME_RE, { error: NAME_EXPECTED });

/** RFC 9110 token: what a header name may be. */

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Heuristic for "the user pasted a key where a name belongs": vendor key
 * prefixes, or a long run of mixed-case letters and digits. Such values
 * are never echoed in messages.
 */
export function looksLikeSecret(value: string): boolean {
  const v = value.trim();
  if (/^(sk|pk|rk)[-_]/.test(v)) return true;
  if (/[\s./:]/.test(v) || !/[a-z]/.test(v) || !/[0-9]/.test(v)) return false;
  return (v.length >= 20 && /[A-Z]/.test(v)) || (v.length >= 32 && !v.includes('_'));
}

export const ENV_NAME_EXPECTED = 'expected the NAME of an environment variable (letters, digits, "_"), not its value';

export function isEnvName(value: string): boolean {
  return ENV_NAME_RE.test(value) && !looksLikeSecret(value);
}

// The value is not echoed: when it is wrong, it is often the key itself.
export const envNameSchema = z.string().superRefine((v, ctx) => {
  if (!isEnvName(v)) ctx.addIssue({ code: 'custom', message: ENV_NAME_EXPECTED });
});

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const HEADER_NAME_EXPECTED = 'expected an HTTP header name (letters, digits, "-")';

/** A key pasted where a header name belongs is a valid token; refuse it rather than send (or print) it. */
export function isHeaderName(value: string): boolean {
  return HEADER_NAME_RE.test(value) && !looksLikeSecret(value);
}

export const headerNameSchema = z.string().superRefine((v, ctx) => {
  if (!isHeaderName(v)) ctx.addIssue({ code: 'custom', message: HEADER_NAME_EXPECTED });
});

export const PROM_LABEL_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const URL_EXPECTED = 'expected a URL starting with http:// or https://';

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Quote a value the user wrote, for "got ..." — short, and without credentials embedded in URLs. */
export function quoteValue(value: string): string {
  if (looksLikeSecret(value)) return '(a value that looks like a key, not shown)';
  const masked = value.replace(/(\/\/)[^/@\s]*@/, '$1***@');
  const short = masked.length > 80 ? `${masked.slice(0, 77)}...` : masked;
  return JSON.stringify(short);
}

export const httpUrlSchema = z.string().superRefine((v, ctx) => {
  if (!isHttpUrl(v)) ctx.addIssue({ code: 'custom', message: `${URL_EXPECTED}, got ${quoteValue(v)}` });
});

/** A URL, or a string that takes it from the environment (`${SLACK_WEBHOOK_URL}`), expanded later. */
export const urlOrEnvSchema = z.string().superRefine((v, ctx) => {
  if (!v.includes('${') && !isHttpUrl(v)) {
    ctx.addIssue({ code: 'custom', message: `${URL_EXPECTED} or "\${ENV_VAR}", got ${quoteValue(v)}` });
  }
});

const DURATION_HINT = 'a duration like "800ms", "5s", "2m" or a number of milliseconds';

/**
 * Durations stay as written ("5s" or 5000); consumers turn them into ms with
 * core/units parseDuration, which is also what validates them here.
 */
export function durationSchema(opts: { min: 'zero' | 'positive' }) {
  return z
    .union([z.string(), z.number()], { error: `expected ${DURATION_HINT}` })
    .superRefine((v, ctx) => {
      let ms: number;
      try {
        ms = parseDuration(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${describeValue(v)}` });
        return;
      }
      if (opts.min === 'positive' && !(ms > 0)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration above zero, got ${describeValue(v)}` });
      }
    })
    .describe(`${DURATION_HINT}${opts.min === 'positive' ? ', above zero' : ''}`);
}

export const rateSchema = z
  .string()
  .superRefine((v, ctx) => {
    try {
      parseRate(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a rate like "2/s", "30/m" or "100/h", got ${describeValue(v)}` });
    }
  })
  .describe('requests per unit of time, Poisson arrivals: "2/s", "30/m", "100/h"');

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return quoteValue(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

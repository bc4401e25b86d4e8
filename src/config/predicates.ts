/**
 * The checks and wording of config values that need no schema library:
 * target resolution (targets.ts) and the preferences use them on every run,
 * with or without a config file; primitives.ts builds the zod schemas of the
 * config file on them and re-exports them.
 */

/** Names become threshold tags (`{target:relay}`) and Prometheus label values, so keep them plain. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const NAME_EXPECTED = 'expected a name of letters, digits, "-", "_" or "." (starting with a letter or digit)';

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

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const HEADER_NAME_EXPECTED = 'expected an HTTP header name (letters, digits, "-")';

/** A key pasted where a header name belongs is a valid token; refuse it rather than send (or print) it. */
export function isHeaderName(value: string): boolean {
  return HEADER_NAME_RE.test(value) && !looksLikeSecret(value);
}

export const PROM_LABEL_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const URL_EXPECTED = 'expected a URL starting with http:// or https://';

/** What is wrong with a value that should be an http(s) URL, for a message; null when it is one. */
export function httpUrlProblem(value: string): string | null {
  if (isHttpUrl(value)) return null;
  // It starts right and still does not parse: saying "expected a URL starting with http://" would point at the wrong part.
  return /^https?:\/\//i.test(value) ? 'expected a valid URL (check the host, and that a port is 1-65535)' : URL_EXPECTED;
}

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

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return quoteValue(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

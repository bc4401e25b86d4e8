/**
 * Every secret relaymon learns (API keys, `${VAR}` header values, webhook URLs,
 * credentials inside a base URL) is registered here, and every byte relaymon
 * writes anywhere passes through `redact`. Belt and braces: code paths also
 * avoid putting secrets in messages in the first place, but one forgotten path
 * must not leak a key.
 */
const secrets = new Set<string>();
/** Sorted longest first, rebuilt only when a secret is added (redact runs on every write). */
let ordered: string[] = [];

/** Secrets shorter than this are not registered: redacting "a" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '[REDACTED]';

/**
 * Query parameters whose value is a credential by name (`?key=…` is how
 * Gemini-style and Azure-style gateways take a key; `sig` signs SAS URLs).
 */
const SECRET_QUERY_PARAM = /^(?:(?:x[-_])?api[-_]?key|key|token|access[-_]?token|auth|authorization|secret|password|pass|sig|signature|code)$/i;

/**
 * `scheme://user:password@host`: the password part, whatever it is, even if it
 * was never registered. Anchored on the literal `://` so it stays linear on a
 * huge text.
 */
const URL_PASSWORD = /:\/\/([^\s/?#@:"'<>]*):([^\s/?#@"'<>]+)@/g;

function add(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH || secrets.has(value)) return false;
  secrets.add(value);
  return true;
}

/**
 * Registers a secret in every spelling it can be written in: as is, as it
 * appears inside a URL (percent-encoded) and inside a JSON string (escaped),
 * so a key with a `/`, `+` or `"` in it is caught in a URL path, a query or a
 * JSON file too.
 */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  let changed = add(v);
  changed = add(encodeURIComponent(v)) || changed;
  changed = add(JSON.stringify(v).slice(1, -1)) || changed;
  if (changed) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/**
 * A value shaped like a credential wherever it stands: a key-style prefix
 * (`sk-…`, `key_…`), or a long token mixing letters and digits. Version
 * segments (`v1`), model names (`gpt-4o-2024-08-06`) and words stay readable.
 */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (v.length >= 12 && /^(?:sk|pk|rk|ak|key|tok|token|secret)[-_]/i.test(v)) return true;
  // Random tokens have long runs of mixed letters and digits (hex, base62) or of mixed case (base64); names and
  // dates split into short words and numbers (claude-sonnet-4-5-20250929).
  return v.split(/[^A-Za-z0-9]+/).some((run) => {
    const digits = run.replace(/[^0-9]/g, '').length;
    const letters = run.length - digits;
    if (run.length >= 16 && digits >= 2 && letters >= 2) return true;
    return run.length >= 24 && /[a-z]/.test(run) && /[A-Z]/.test(run);
  });
}

/** Header names that carry a credential (a literal value under one is registered as a secret). */
export const CREDENTIAL_HEADER_NAME = /auth|token|key|secret|passw|session|cookie|signature|credential/i;

/**
 * Registers the credentials a URL carries: its user-info (user name and
 * password), the values of query parameters named like a key, and any path
 * segment, query value or fragment shaped like one (some relays take the key
 * in the path). A key that is also used elsewhere (a header) is caught by the
 * plain text match once it is registered by any of these routes.
 */
export function registerUrlSecrets(url: string): void {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return;
  }
  for (const part of [u.password, u.username]) {
    if (!part) continue;
    registerSecret(part); // as printed in the URL, percent-encoded
    registerSecret(safeDecode(part));
  }
  for (const [name, value] of u.searchParams) {
    if (SECRET_QUERY_PARAM.test(name) || looksLikeCredential(value)) registerSecret(value);
  }
  for (const segment of u.pathname.split('/')) {
    const decoded = safeDecode(segment);
    if (looksLikeCredential(decoded)) {
      registerSecret(segment);
      registerSecret(decoded);
    }
  }
  const fragment = safeDecode(u.hash.slice(1));
  if (fragment && looksLikeCredential(fragment)) registerSecret(fragment);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function redact(text: string): string {
  if (text.length === 0) return text;
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  // A password in a URL is a secret whether or not it was registered (a URL in a relay's error message, say).
  if (out.includes('@')) out = out.replace(URL_PASSWORD, (_m, user: string) => `://${user}:${REDACTED}@`);
  return out;
}

/** Every registered secret, to hand to a worker thread whose redactor must know them too. */
export function registeredSecrets(): string[] {
  return [...secrets];
}

/** For tests. */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

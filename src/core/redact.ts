/**
 * Every secret relaymon learns (API keys, `${VAR}` header values, webhook URLs,
 * credentials inside a base URL) is registered here, and every byte relaymon
 * writes anywhere passes through `redact`. Belt and braces: code paths also
 * avoid putting secrets in messages in the first place, but one forgotten path
 * must not leak a key.
 */
/** Secrets as registered (what a worker thread is handed, registeredSecrets). */
const secrets = new Set<string>();
/** Every spelling of every secret (spellingsOf), each at least MIN_SECRET_LENGTH long. */
const spellings = new Set<string>();
/**
 * One pattern for all spellings, longest first (so a secret that contains
 * another is removed whole), case-insensitive; rebuilt only when a secret is
 * added. One pass over the text, however many secrets there are.
 */
let pattern: RegExp | null = null;

/** Secrets shorter than this are not registered: redacting "a" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

/**
 * Secrets at least this long are also matched inside base64: the core of their
 * encoding at each of the three byte offsets is 4/3 as long less 2 or 3
 * characters, ≥ 13 characters here, too long to strike by chance.
 */
const MIN_BASE64_SECRET_LENGTH = 12;

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

/**
 * The base64 and base64url characters that carry `value` wherever it stands
 * in a base64 text: the value alone, `Bearer <key>`, `user:key` of Basic
 * auth, a JSON body that holds it. A byte string is encoded three ways
 * depending on its offset modulo 3; in each, the characters that mix in bits
 * of what comes before or after are left off, what remains is the same in
 * any text that contains the value at that offset.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i holds bits 6i..6i+5: the first ones touching the offset bytes, and the last one past the value's bits, vary.
    const core = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes.length) * 4) / 3));
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/**
 * Every spelling of a secret that is matched (case-insensitively, so a relay
 * that echoes the key lower- or upper-cased is caught too): as is, as it
 * appears inside a URL (percent-encoded) and inside a JSON string (escaped),
 * so a key with a `/`, `+` or `"` in it is caught in a URL path, a query or a
 * JSON file; and, for a key of 12 characters or more, base64 and base64url
 * anywhere in an encoded text (base64Cores: this covers `Bearer <key>` and
 * `user:<key>` encoded, too). Not covered: a key split by spaces or line
 * breaks at arbitrary points, or base64 wrapped across lines. Matching those
 * would mean matching short fragments of the key, which would strike
 * ordinary text; relaymon avoids putting keys in messages in the first place.
 */
function spellingsOf(v: string): string[] {
  const out = [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)];
  if (v.length >= MIN_BASE64_SECRET_LENGTH) out.push(...base64Cores(v));
  return out.filter((s) => s.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Registers a secret in every spelling it can be written in (spellingsOf). */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH || secrets.has(v)) return;
  secrets.add(v);
  let changed = false;
  for (const s of spellingsOf(v)) {
    if (spellings.has(s)) continue;
    spellings.add(s);
    changed = true;
  }
  if (!changed) return;
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'gi');
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
  let out = pattern === null ? text : text.replace(pattern, REDACTED);
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
  spellings.clear();
  pattern = null;
}

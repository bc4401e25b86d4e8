/**
 * Every secret relaymon learns (API keys, `${VAR}` header values, webhook URLs)
 * is registered here, and every byte relaymon writes anywhere passes through
 * `redact`. Belt and braces: code paths also avoid putting secrets in messages
 * in the first place, but one forgotten path must not leak a key.
 */
const secrets = new Set<string>();

/** Secrets shorter than this are not registered: redacting "a" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '[REDACTED]';

export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length >= MIN_SECRET_LENGTH) secrets.add(v);
}

export function redact(text: string): string {
  if (secrets.size === 0 || text.length === 0) return text;
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Every registered secret, to hand to a worker thread whose redactor must know them too. */
export function registeredSecrets(): string[] {
  return [...secrets];
}

/** For tests. */
export function clearSecrets(): void {
  secrets.clear();
}

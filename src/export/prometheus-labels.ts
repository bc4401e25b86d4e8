/**
 * Label values for the Prometheus export, kept bounded and secret-free.
 * Pure (no I/O): what reaches a label comes from the config (target names,
 * base URLs) or from the relay (the model a response claims), and a relay
 * can say anything, so every value is redacted, cut to a length, and each
 * label keeps at most a fixed number of distinct values per target (the rest
 * become `_OTHER`, the OpenTelemetry fallback). Never a request id, prompt,
 * key or header value: none of those is ever offered as a label.
 */
import type { Protocol } from '../core/result.js';
import { redact } from '../core/redact.js';

/** OTel's fallback value, used once a label has seen its share of distinct values. */
export const OTHER = '_OTHER';
export const MAX_LABEL_LENGTH = 120;
/** Distinct request or response models per target before the rest are folded into _OTHER. */
export const MAX_MODELS_PER_TARGET = 32;

/** `gen_ai_provider_name`: the wire format spoken, which is what relaymon knows (OTel: "best knowledge"). */
export function providerName(protocol: Protocol): 'openai' | 'anthropic' {
  // openai-responses is OpenAI's own API too: the provider is openai, the operation still "chat" (prometheus.ts).
  return protocol === 'anthropic' ? 'anthropic' : 'openai';
}

/** `server_address`: the host of a base URL, without userinfo, port or path. */
export function serverAddress(baseUrl: string): string {
  try {
    const host = new URL(baseUrl).hostname;
    return cleanLabelValue(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  } catch {
    return 'unknown';
  }
}

/** Redacted, control characters dropped, at most MAX_LABEL_LENGTH characters. */
export function cleanLabelValue(raw: string): string {
  const s = redact(raw).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return s.length > MAX_LABEL_LENGTH ? s.slice(0, MAX_LABEL_LENGTH) : s;
}

/**
 * Remembers the distinct values each (target, label) has taken and admits
 * at most `max` of them; later newcomers map to OTHER. A value once admitted
 * stays admitted, so a series never changes its labels mid-run.
 */
export class LabelBudget {
  private readonly seen = new Map<string, Set<string>>();
  constructor(private readonly max: number = MAX_MODELS_PER_TARGET) {}

  admit(target: string, label: string, raw: string): string {
    const value = cleanLabelValue(raw);
    if (value === '') return OTHER;
    const key = `${target}\u0000${label}`;
    let set = this.seen.get(key);
    if (!set) {
      set = new Set();
      this.seen.set(key, set);
    }
    if (set.has(value)) return value;
    if (set.size >= this.max) return OTHER;
    set.add(value);
    return value;
  }
}

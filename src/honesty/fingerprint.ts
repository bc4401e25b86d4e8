/**
 * system_fingerprint changes over time, per target and requested model. A
 * change means the backend configuration behind the relay changed (OpenAI
 * documents it as such): a new deployment, or a relay spreading traffic over
 * several backends. Fed in the order responses finish.
 */
import { normalizeModel } from '../pricing/aliases.js';

export class FingerprintTracker {
  private readonly last = new Map<string, string>();

  /** True when `fingerprint` differs from the previous one seen for this target and model. */
  observe(target: string, model: string, fingerprint: string | null): boolean {
    if (fingerprint === null) return false;
    const key = `${target}\u0000${normalizeModel(model)}`;
    const prev = this.last.get(key);
    this.last.set(key, fingerprint);
    return prev !== undefined && prev !== fingerprint;
  }
}

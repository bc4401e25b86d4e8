/**
 * system_fingerprint changes over time, per target and requested model. A
 * change means the backend configuration behind the relay changed (OpenAI
 * documents it as such): a new deployment, or a relay spreading traffic over
 * several backends. Fed in the order responses finish.
 */
import { normalizeModel } from '../pricing/aliases.js';

export class FingerprintTracker {
  private readonly last = new Map<string, string>();
  /** normalizeModel's answers: it runs a handful of regular expressions, and a run asks about one or two models. */
  private readonly normalized = new Map<string, string>();

  /** True when `fingerprint` differs from the previous one seen for this target and model. */
  observe(target: string, model: string, fingerprint: string | null): boolean {
    if (fingerprint === null) return false;
    let norm = this.normalized.get(model);
    if (norm === undefined) {
      norm = normalizeModel(model);
      if (this.normalized.size >= 256) this.normalized.clear();
      this.normalized.set(model, norm);
    }
    const key = `${target}\u0000${norm}`;
    const prev = this.last.get(key);
    this.last.set(key, fingerprint);
    return prev !== undefined && prev !== fingerprint;
  }
}

/**
 * The mock's prompt cache: which prompt prefixes it has seen, so that a
 * repeat reports cached tokens as OpenAI and Anthropic do. Bounded, least
 * recently used out first, so a long benchmark cannot grow it without end.
 */
export class PrefixCache {
  private readonly seen = new Map<string, true>();
  constructor(private readonly capacity = 1000) {}

  /** True when `key` was seen before; either way it is now the most recent. */
  touch(key: string): boolean {
    const hit = this.seen.delete(key);
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    return hit;
  }

  get size(): number {
    return this.seen.size;
  }
}

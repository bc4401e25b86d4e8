/**
 * The last requests per target, kept in the main thread for the detail view's
 * latency histogram. The engine's windows hold percentiles, not every value;
 * a bounded ring of recent latencies is enough to draw a distribution and
 * costs a few kilobytes per target.
 */
import type { RequestResult } from '../../core/result.js';

export interface RecentSample {
  /** Wall clock of the send, epoch ms. */
  at: number;
  latencyMs: number;
  ok: boolean;
  model: string;
}

export const RECENT_CAP = 2000;

export class RecentResults {
  private readonly byTarget = new Map<string, RecentSample[]>();

  constructor(private readonly cap: number = RECENT_CAP) {}

  add(results: readonly RequestResult[]): void {
    for (const r of results) {
      // Requests relaymon cancelled itself say nothing about the relay.
      if (r.errorType === 'cancelled') continue;
      let ring = this.byTarget.get(r.target);
      if (!ring) {
        ring = [];
        this.byTarget.set(r.target, ring);
      }
      ring.push({ at: r.startedAt, latencyMs: r.latencyMs, ok: r.ok, model: r.model });
      // Trim in chunks so the array is not shifted on every push.
      if (ring.length > this.cap * 1.25) ring.splice(0, ring.length - this.cap);
    }
  }

  /** Samples of one target sent at or after `since` (epoch ms), oldest first, at most the cap. */
  since(target: string, since: number): RecentSample[] {
    const ring = this.byTarget.get(target) ?? [];
    const from = ring.findIndex((s) => s.at >= since);
    const kept = from < 0 ? [] : ring.slice(from);
    return kept.slice(-this.cap);
  }

  clear(): void {
    this.byTarget.clear();
  }
}

import { getHeapSpaceStatistics } from 'node:v8';
import { v8Collector } from '../core/heap-growth.js';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { GapDemand } from './gap-demand.js';

/**
 * Young-generation collections (scavenges) in the gaps between an open
 * loop's sends, rather than wherever V8 starts one.
 *
 * V8 scavenges when the young generation fills, or from a task it posts at
 * ~80% full: at an arbitrary moment, often on or just before a send
 * instant, and the send waits for it. At 200 sends/s the engine worker
 * allocates ~8 MB/s (streamed answers: SSE events, their JSON, the results),
 * so its 2 MB semi-space (engine.ts ENGINE_YOUNG_GENERATION_MB) fills about
 * every quarter second and each scavenge holds the loop 1–3 ms on a quiet
 * machine: one or two late sends of every hundred, i.e. the p99 of send
 * lateness (bench/engine.mjs, the engine table's 200/s row). A scavenge
 * costs what survives it (the requests in flight), not how full the space
 * is, so starting it somewhat earlier, right after a send's request has
 * been written and with the next instant far enough away, costs no more
 * per collection and lands where no send is waiting.
 *
 * Only the young generation, only when it is over FILL full, and only when
 * the next instant is far enough away (MIN_GAP_MS, or more after slow
 * collections): at rates whose gaps are shorter (≥ ~400/s steady), or on a
 * machine so loaded that a scavenge takes longer than the gaps, V8 keeps
 * collecting on its own, as before.
 */

/** Run a scavenge only with at least this long before the next instant (a scavenge takes 1–3 ms quiet)… */
export const MIN_GAP_MS = 3;
/**
 * …and at least GAP_PER_COST times the recent worst scavenge (V8's own and
 * these, seen through perf_hooks' 'gc' entries from before the first
 * instant on; the worst halves every HALF_LIFE_MS; gap-demand.ts): on a
 * loaded machine a scavenge is preempted and takes 5–40 ms.
 */
export { GAP_PER_COST, HALF_LIFE_MS } from './gap-demand.js';
/** …and only when the young generation is at least this full (V8 posts its own scavenge task at ~80%). */
export const FILL = 0.6;

type Collect = () => void;

/** The young generation's fill, 0–1 (used / capacity of the semi-space being allocated in). */
export function youngFill(): number {
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name !== 'new_space') continue;
    const capacity = s.space_used_size + s.space_available_size;
    return capacity > 0 ? s.space_used_size / capacity : 0;
  }
  return 0;
}

/** A synchronous young-generation collection, or null if V8 will not give one. */
export function scavenger(): Collect | null {
  const gc = v8Collector();
  return gc ? () => gc({ type: 'minor', execution: 'sync' }) : null;
}

/**
 * A full collection before a run's first instant: loading, warming the
 * connections and rehearsing the send path leave garbage in both
 * generations, and V8 collected it in the first second of the run (a
 * Mark-Compact ~1.1 s in, and scavenges among the first sends: --trace-gc
 * of the engine worker), on the sends due then.
 */
export function collectBeforeStart(): void {
  v8Collector()?.();
}

/**
 * Calls `seen(durationMs, endedAt)` for each young-generation collection of
 * this thread (perf_hooks 'gc' entries, delivered a turn later); returns the
 * function that stops watching.
 */
export function watchScavenges(seen: (durationMs: number, endedAt: number) => void): () => void {
  const minor = (e: PerformanceEntry): boolean => {
    const detail: unknown = (e as PerformanceEntry & { detail?: unknown }).detail; // a gc entry's kind (@types/node omits it)
    return typeof detail === 'object' && detail !== null && 'kind' in detail && detail.kind === constants.NODE_PERFORMANCE_GC_MINOR;
  };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (minor(e)) seen(e.duration, e.startTime + e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

/** One per open loop: `after(nextInstant)` once the loop has fired what was due and knows its next instant. */
export class GapCollector {
  private pending: NodeJS.Immediate | null = null;
  private next = 0;
  private readonly demand = new GapDemand(MIN_GAP_MS);
  collections = 0;

  constructor(
    private readonly collect: Collect | null = scavenger(),
    private readonly fill: () => number = youngFill,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The loop's next instant is `instant`. Looked at on the next turn of the
   * event loop, after the requests just fired have been written (their
   * sends are timed at the write: a collection before it would make them
   * late instead).
   */
  after(instant: number): void {
    if (this.collect === null) return;
    this.next = instant;
    this.pending ??= setImmediate(() => {
      this.pending = null;
      this.check();
    });
  }

  /** The gap a collection needs at `now`. */
  neededMs(now = this.now()): number {
    return this.demand.neededMs(now);
  }

  /** Collects now if the gap and the young generation's fill call for it. */
  check(): void {
    const start = this.now();
    if (this.collect === null || this.next - start < this.neededMs(start)) return;
    if (this.fill() < FILL) return;
    this.collect();
    this.collections += 1;
    const end = this.now();
    this.seen(end - start, end);
  }

  /** A young-generation collection took `durationMs`, ending at `at` (this one's, or V8's own: watchScavenges). */
  seen(durationMs: number, at: number): void {
    this.demand.seen(durationMs, at);
  }

  cancel(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
  }
}

/**
 * A ring of closed time slots with running aggregates over the newest `len`
 * of them (one "view" per window length). Closing a slot adds it to every
 * view and subtracts the slot that falls out of each; nothing is ever
 * re-merged. Empty slots are null and hold nothing, and a gap longer than the
 * ring clears it in one step, so the work per close is bounded however long
 * the traffic pauses.
 */
import { Bucket } from './bucket.js';

/** Told about every slot that leaves view k (roll-ups subtract it from their own aggregate). */
export type Expired = (k: number, slot: Bucket) => void;

export interface View {
  readonly len: number;
  agg: Bucket;
}

export class Ring {
  private readonly slots: (Bucket | null)[];
  /** Slot id held at each position; -1 when empty. */
  private readonly ids: Float64Array;
  readonly views: View[];
  /** Id of the newest closed slot. */
  last = -1;
  /** Non-null slots held. */
  live = 0;

  constructor(
    readonly capacity: number,
    lens: readonly number[],
  ) {
    this.slots = new Array<Bucket | null>(capacity).fill(null);
    this.ids = new Float64Array(capacity).fill(-1);
    // The longest view must span the whole ring: it subtracts a slot just before the ring overwrites it.
    if (Math.max(...lens) !== capacity) throw new Error('ring: the longest view must equal the capacity');
    this.views = lens.map((len) => ({ len, agg: new Bucket() }));
  }

  /**
   * The running aggregate of views[k], with minima and maxima brought up to
   * date if a slot that held one has left (done on read, not on every close).
   */
  agg(k: number): Bucket {
    const v = this.views[k]!;
    if (v.agg.staleExtremes !== 0) v.agg.recomputeExtremes(this.inView(v.len));
    return v.agg;
  }

  get(id: number): Bucket | null {
    if (id < 0) return null;
    const pos = id % this.capacity;
    return this.ids[pos] === id ? (this.slots[pos] ?? null) : null;
  }

  /**
   * Closes slot `id` (newer than every slot closed before) holding `b`, or
   * nothing when b is null; slots skipped in between were empty. Returns one
   * bit per view (bit k for views[k]) whose content lost a slot.
   */
  close(id: number, b: Bucket | null, onExpire?: Expired): number {
    if (id <= this.last) throw new Error(`ring: slot ${id} closed after ${this.last}`);
    let lost = 0;
    if (id - this.last >= this.capacity) lost = this.clear(onExpire);
    else for (let s = this.last + 1; s < id; s++) lost |= this.step(s, null, onExpire);
    lost |= this.step(id, b, onExpire);
    this.last = id;
    return lost;
  }

  private step(id: number, b: Bucket | null, onExpire?: Expired): number {
    let lost = 0;
    for (let k = 0; k < this.views.length; k++) {
      const v = this.views[k]!;
      const old = this.get(id - v.len);
      if (old) {
        v.agg.subtract(old);
        onExpire?.(k, old);
        lost |= 1 << k;
      }
    }
    const pos = id % this.capacity;
    if (this.slots[pos]) {
      // Slot id − capacity: already taken out of the longest view above.
      this.slots[pos] = null;
      this.ids[pos] = -1;
      this.live--;
    }
    if (b) {
      this.slots[pos] = b;
      this.ids[pos] = id;
      this.live++;
      for (const v of this.views) v.agg.add(b);
    }
    return lost;
  }

  /** Everything leaves: a fresh aggregate per view (exactly zero, no float residue). */
  private clear(onExpire?: Expired): number {
    let lost = 0;
    for (let k = 0; k < this.views.length; k++) {
      const v = this.views[k]!;
      if (onExpire) for (const old of this.inView(v.len)) onExpire(k, old);
      if (v.agg.recorded) lost |= 1 << k;
      v.agg = new Bucket();
    }
    this.slots.fill(null);
    this.ids.fill(-1);
    this.live = 0;
    return lost;
  }

  /** The slots of the newest `len` ids, present ones only. */
  inView(len: number): Bucket[] {
    const out: Bucket[] = [];
    for (let id = Math.max(0, this.last - len + 1); id <= this.last; id++) {
      const b = this.get(id);
      if (b) out.push(b);
    }
    return out;
  }

  /** Closed slots and aggregates, for memory accounting. */
  *buckets(): Generator<Bucket> {
    for (const s of this.slots) if (s) yield s;
    for (const v of this.views) yield v.agg;
  }
}

/**
 * The owners of windows. A Cell (target × requested model × probe) receives
 * results and keeps the slots: 1 s slots in a 60-slot ring for '1m'; 15 s
 * slots in a 60-slot ring for '5m' (newest 20) and '15m' (all 60); one
 * cumulative bucket for 'all'. The open 1 s slot takes results; on closing it
 * goes into the 1 s ring and is folded into the open 15 s slot, which goes
 * into the 15 s ring and into 'all' when it closes.
 *
 * A Group (everything, a target, a target × model, a target × probe) keeps
 * only the four running aggregates: its cells tell it every slot that closes
 * (added) and every slot that leaves a window (subtracted), so a roll-up
 * costs no slots of its own, and reading it costs one aggregate, not one per
 * cell.
 */
import type { RequestResult } from '../core/result.js';
import { TRENDS, type TrendEntry } from '../metrics/catalog.js';
import { Bucket, type Dist, DIST_COUNT } from './bucket.js';
import { addIndexBatch } from '../hdr/batch.js';
import { Ring, type Expired } from './ring.js';

export const SLOT_MS = 1000;
export const COARSE_SLOTS = 15;
export const COARSE_MS = SLOT_MS * COARSE_SLOTS;
import { WINDOW_NAMES, type WindowName } from './window-names.js';

export { WINDOW_NAMES, type WindowName };
/** The nominal span of each window (see windows.ts for the edges). */
export const WINDOW_SPAN_MS: Record<WindowName, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, all: Infinity };
export const W_1M = 0;
export const W_5M = 1;
export const W_15M = 2;
export const W_ALL = 3;

/**
 * Values are recorded as histogram indices into a small buffer per
 * distribution and folded into the open slot's histogram a batch at a time
 * (one sort per batch instead of one sorted insert per value).
 */
const BATCH = 4096;

/**
 * Every trend's value(s) of one successful result into the open slot: one
 * call site per catalogue trend, so each sees one reader and V8 inlines it
 * (a loop's single site would see them all; see bucket.ts `unrolled`).
 */
type PutTimings = (cell: Cell, b: Bucket, buf: Uint16Array, r: RequestResult) => void;
const putTimings: PutTimings = (() => {
  const body = TRENDS.map((t, m) => (t.many ? `{ const vs = many[${m}](r); if (vs.length > 0) cell.putMany(b, buf, ${m}, vs); }` : `cell.put(b, buf, ${m}, read[${m}](r));`)).join('\n');
  const make = new Function('read', 'many', `return function putTimings(cell, b, buf, r) {\n${body}\n};`) as (
    read: readonly TrendEntry['read'][],
    many: readonly (TrendEntry['many'] | null)[],
  ) => PutTimings;
  return make(
    TRENDS.map((t) => t.read),
    TRENDS.map((t) => t.many ?? null),
  );
})();

export abstract class Owner {
  /** Bumped by every result recorded into the owner (a cell and its groups). */
  dataVer = 0;
  /** Bumped per window when a slot with data leaves it. */
  readonly expVer = [0, 0, 0, 0];
  /** Group keys pointing at this owner. */
  refs = 0;
  abstract readonly members: readonly Cell[];
  /** The closed 1 s slots of the current 15 s slot, summed. */
  open15: Bucket | null = null;

  /** The closed part of window w (min/max brought up to date). */
  abstract agg(w: number): Bucket;

  /** The members' open 1 s slots (flushed first). */
  openSeconds(): Bucket[] {
    const out: Bucket[] = [];
    for (const c of this.members) if (c.open1s) out.push(c.open1s);
    return out;
  }

  /**
   * The buckets whose sum is window w right now: the running aggregate, the
   * current 15 s slot so far (except for '1m'), the open 1 s slots.
   */
  parts(w: number): Bucket[] {
    const out = [this.agg(w)];
    if (w !== W_1M && this.open15) out.push(this.open15);
    out.push(...this.openSeconds());
    return out;
  }
}

export class Group extends Owner {
  readonly aggs: Bucket[] = [new Bucket(), new Bucket(), new Bucket(), new Bucket()];
  members: Cell[] = [];

  /** A group that starts with the windows of `from` (when a second cell joins a key it served alone). */
  static from(from: Owner): Group {
    const g = new Group();
    for (let w = 0; w < 4; w++) g.aggs[w] = from.agg(w).clone();
    g.open15 = from.open15?.clone() ?? null;
    g.members = [...from.members];
    return g;
  }

  /** A closed 1 s slot of a member. */
  addSecond(b: Bucket): void {
    this.aggs[W_1M]!.add(b);
    (this.open15 ??= new Bucket()).add(b);
  }

  /** A closed 15 s slot of a member. */
  addQuarter(b15: Bucket): void {
    for (const w of [W_5M, W_15M, W_ALL]) this.aggs[w]!.add(b15);
  }

  /** Every member has handed in its 15 s slot. */
  endQuarter(): void {
    this.open15 = null;
  }

  agg(w: number): Bucket {
    const a = this.aggs[w]!;
    if (a.staleExtremes !== 0) a.recomputeExtremes(this.members.flatMap((c) => c.slotsIn(w)));
    return a;
  }

  expire(w: number, slot: Bucket): void {
    this.aggs[w]!.subtract(slot);
    this.expVer[w]!++;
  }
}

export class Cell extends Owner {
  readonly members: readonly Cell[];
  open1s: Bucket | null = null;
  readonly ring1s = new Ring(60, [60]);
  readonly ring15 = new Ring(60, [20, 60]);
  readonly all = new Bucket();
  lastClosedId = -1;
  lastClosed: Bucket | null = null;
  /** The groups (not itself) this cell belongs to. */
  parents: Group[] = [];
  private pending: Uint16Array | null = null;
  private readonly pendingN = new Int32Array(DIST_COUNT);
  private readonly tell1: Expired = (_k, slot) => {
    for (const p of this.parents) p.expire(W_1M, slot);
  };
  private readonly tell15: Expired = (k, slot) => {
    for (const p of this.parents) p.expire(k === 0 ? W_5M : W_15M, slot);
  };

  constructor(
    readonly target: string,
    readonly model: string,
    readonly probe: string | null,
  ) {
    super();
    this.members = [this];
  }

  agg(w: number): Bucket {
    if (w === W_1M) return this.ring1s.agg(0);
    if (w === W_5M) return this.ring15.agg(0);
    if (w === W_15M) return this.ring15.agg(1);
    return this.all;
  }

  /** The closed slots in window w ('all' has none: it never subtracts). */
  slotsIn(w: number): Bucket[] {
    if (w === W_1M) return this.ring1s.inView(60);
    if (w === W_5M) return this.ring15.inView(20);
    if (w === W_15M) return this.ring15.inView(60);
    return [];
  }

  record(r: RequestResult): void {
    const b = this.open1s ?? (this.open1s = new Bucket());
    const buf = this.pending ?? (this.pending = new Uint16Array(BATCH * DIST_COUNT));
    b.countRequest(r);
    // Timings are over successful requests only (summary.ts timedResults).
    if (r.ok) putTimings(this, b, buf, r);
    this.dataVer++;
    for (const p of this.parents) p.dataVer++;
  }

  /** One value of distribution m (called from putTimings). */
  put(b: Bucket, buf: Uint16Array, m: number, v: number | null): void {
    if (v === null) return;
    const ix = b.value(b.dists[m]!, v);
    if (ix < 0) return;
    const n = this.pendingN[m]!;
    buf[m * BATCH + n] = ix;
    if (n + 1 === BATCH) {
      this.pendingN[m] = BATCH;
      this.flushDist(b, m);
    } else this.pendingN[m] = n + 1;
  }

  /** `put` for many values (every chunk gap), with the running statistics kept in locals (a long stream has hundreds). */
  putMany(b: Bucket, buf: Uint16Array, m: number, values: readonly number[]): void {
    const d: Dist = b.dists[m]!;
    let count = d.count;
    let sum = d.sum;
    let min = d.min;
    let max = d.max;
    const base = m * BATCH;
    let n = this.pendingN[m]!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue;
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      buf[base + n++] = b.index(v);
      if (n === BATCH) {
        this.pendingN[m] = n;
        this.flushDist(b, m);
        n = 0;
      }
    }
    this.pendingN[m] = n;
    d.count = count;
    d.sum = sum;
    d.min = min;
    d.max = max;
  }

  private flushDist(b: Bucket, m: number): void {
    const n = this.pendingN[m]!;
    if (n === 0 || !this.pending) return;
    addIndexBatch(b.dists[m]!.histogram(), this.pending.subarray(m * BATCH, m * BATCH + n));
    this.pendingN[m] = 0;
  }

  /** Folds buffered values into the open slot's histograms (before it is read or closed). */
  flush(): void {
    if (!this.open1s) return;
    for (let m = 0; m < DIST_COUNT; m++) this.flushDist(this.open1s, m);
  }

  /**
   * Closes 1 s slot `from` and moves on to slot `to` (> from), everything in
   * between having been empty; the groups hear of every slot added and expired.
   */
  advance(from: number, to: number): void {
    this.flush();
    const b = this.open1s !== null && this.open1s.recorded ? this.open1s : null;
    this.open1s = null;
    b?.trim();
    let lost = this.ring1s.close(from, b, this.tell1);
    // The groups take the slot before a long pause (below) may expire it again.
    if (b) {
      (this.open15 ??= new Bucket()).add(b);
      for (const p of this.parents) p.addSecond(b);
    }
    if (to - 1 > from) lost |= this.ring1s.close(to - 1, null, this.tell1);
    if (lost) this.expVer[W_1M]!++;
    this.lastClosedId = from;
    this.lastClosed = b;
    const qFrom = Math.floor(from / COARSE_SLOTS);
    const qTo = Math.floor(to / COARSE_SLOTS);
    if (qTo === qFrom) return;
    const b15 = this.open15;
    this.open15 = null;
    if (b15) {
      b15.trim();
      this.all.add(b15);
      for (const p of this.parents) p.addQuarter(b15);
    }
    let lost15 = this.ring15.close(qFrom, b15, this.tell15);
    if (qTo - 1 > qFrom) lost15 |= this.ring15.close(qTo - 1, null, this.tell15);
    if (lost15 & 1) this.expVer[W_5M]!++;
    if (lost15 & 2) this.expVer[W_15M]!++;
  }

  /** Buckets held, for memory accounting. */
  *buckets(): Generator<Bucket> {
    if (this.open1s) yield this.open1s;
    if (this.open15) yield this.open15;
    yield* this.ring1s.buckets();
    yield* this.ring15.buckets();
    yield this.all;
  }

  get pendingBytes(): number {
    return this.pending?.byteLength ?? 0;
  }
}

/**
 * Rolling windows over every RequestResult of a run: 1m, 5m, 15m and since
 * start, per target × requested model × probe ("cells") and rolled up per
 * target, target × model, target × probe and overall. Fed by the engine
 * worker; pure logic, time is passed in (a monotonic ms clock).
 *
 * Storage (slots.ts): per cell, 1 s slots for the last minute, 15 s
 * slots for the last quarter hour and one cumulative bucket; each window
 * keeps a running aggregate that closed slots are added to and expired slots
 * subtracted from, never re-merged. Roll-ups keep only the aggregates, fed by
 * their cells. A snapshot adds the open slots on top. Window edges are "the
 * last N seconds plus the current slot so far" (below).
 *
 * A roll-up that covers exactly one cell (one probe, one model) is that cell;
 * it becomes a roll-up of its own, starting with the cell's windows, when a
 * second cell joins it.
 *
 * Memory is bounded by the slot rings and the histogram layout, not by run
 * time: about one 10-byte histogram entry per distinct value in the last
 * 15 minutes (HDR at 3 digits keeps most values apart at low counts), capped
 * at 23,552 entries per histogram.
  *
 * Window edges: a window is "the last N seconds, plus the part of the current
 * slot that has elapsed". '1m' is the 60 closed 1 s slots before the current
 * one plus the current one (60–61 s); '5m' and '15m' are 20 and 60 closed
 * 15 s slots plus the current 15 s slot so far (300–315 s, 900–915 s). So a
 * result recorded at t is in '1m' until t + 60 s … t + 61 s, in '5m' until
 * t + 300 s … t + 315 s. `windowMs` says the span actually covered (shorter
 * at the start of a run), and every rate divides by it.
 */
import type { PauseLog } from './pauses.js';
import type { RequestResult } from '../core/result.js';
import { metricValue } from '../metrics/answer.js';
import { metricEntry } from '../metrics/catalog.js';
import { normalizeModel } from '../pricing/aliases.js';
import type { MetricQuery, TagFilter } from './thresholds.js';
import type { Bucket } from './bucket.js';
import { BucketAccumulator, emptyBase, finish, type WindowBase, type WindowStats } from './readout.js';
import { SeriesRing, type Series } from './series.js';
import { summarizeWindows } from './summarize.js';
import { COARSE_MS, COARSE_SLOTS, Cell, Group, type Owner, SLOT_MS, WINDOW_NAMES, WINDOW_SPAN_MS, type WindowName } from './slots.js';

export type { HonestyWindow, ReportedCost, UsageGap, WindowStats } from './readout.js';
export { brokenStreams } from './readout.js';
export type { WindowName } from './slots.js';
export type { Series } from './series.js';
export { WINDOW_NAMES, WINDOW_SPAN_MS } from './slots.js';
export type { TimeStats } from '../metrics/kinds.js';

export type WindowSet<W extends WindowName = WindowName> = Record<W, WindowStats>;
/**
 * Some of the windows, which ones decided while the run goes on: a periodic
 * snapshot computes only those its reader shows (EngineConfig.liveWindows,
 * engine/messages.ts); a window left out is absent, never stale.
 */
export type SomeWindows = Partial<WindowSet>;

/** S: the windows it holds (all four unless said). */
export interface TargetStats<S extends SomeWindows = WindowSet> {
  target: string;
  windows: S;
  /** Per requested model, verbatim (all probes together), in order of first appearance. */
  models: { model: string; windows: S }[];
  /** Per probe (all models together); results without a probe (replay) appear in no probe row. */
  probes: { probe: string; windows: S }[];
  series: Series;
}

export interface StatsSnapshot<S extends SomeWindows = WindowSet> {
  /** The nowMs the snapshot was taken at (the caller's monotonic clock). */
  atMs: number;
  elapsedMs: number;
  /** Everything together. */
  windows: S;
  /** In order of first appearance. */
  targets: TargetStats<S>[];
}

export interface SnapshotOptions<W extends WindowName = WindowName> {
  /** Compute only these windows (default: all four). */
  windows?: readonly W[];
}

/** Live storage, for memory tests and the benchmark. */
export interface AggregatorFootprint {
  cells: number;
  nodes: number;
  /** Distinct buckets held (slots, open slots, aggregates). */
  buckets: number;
  /** Non-null closed slots in all rings. */
  liveSlots: number;
  /** Non-empty histograms across those buckets. */
  histograms: number;
  /** Approximate bytes held by buckets, histograms and batch buffers. */
  bytes: number;
}

interface TargetEntry {
  name: string;
  models: string[];
  probes: string[];
  series: SeriesRing;
}

const K_ALL = '';
const kTarget = (t: string): string => `t\u0000${t}`;
const kModel = (t: string, m: string): string => `m\u0000${t}\u0000${m}`;
const kProbe = (t: string, p: string): string => `p\u0000${t}\u0000${p}`;

function cellKeys(c: Cell): string[] {
  const keys = [K_ALL, kTarget(c.target), kModel(c.target, c.model)];
  if (c.probe !== null) keys.push(kProbe(c.target, c.probe));
  return keys;
}

export class WindowedStats {
  private startMs: number | null;
  /** The open 1 s slot, counted from startMs. */
  private openSlot = 0;
  private cells = new Map<string, Map<string, Map<string | null, Cell>>>();
  private cellList: Cell[] = [];
  /** Roll-up keys; a key whose roll-up is a single cell points at that cell. */
  private groups = new Map<string, Owner>();
  private groupList: Group[] = [];
  private targets: TargetEntry[] = [];
  private normalized = new Map<Cell, string>();
  /** Per owner and window, the data-dependent part of its WindowStats, valid while the owner's versions match. */
  private cache = new WeakMap<Owner, ({ dataVer: number; expVer: number; value: WindowBase } | null)[]>();

  /** When the run was paused: the 'all' window's span leaves it out (stats/pauses.ts). */
  private readonly pauses: PauseLog | null;

  constructor(opts: { startMs?: number; pauses?: PauseLog } = {}) {
    this.startMs = opts.startMs ?? null;
    this.pauses = opts.pauses ?? null;
  }

  record(r: RequestResult, atMs: number): void {
    this.advance(atMs);
    this.cell(r.target, r.model, r.probe).record(r);
  }

  snapshot<W extends WindowName = WindowName>(nowMs: number, opts: SnapshotOptions<W> = {}): StatsSnapshot<WindowSet<W>> {
    this.advance(nowMs);
    for (const c of this.cellList) c.flush();
    const names = (opts.windows ?? WINDOW_NAMES) as readonly W[];
    const indices = names.map((w) => WINDOW_NAMES.indexOf(w));
    const spans = names.map((w) => this.spanMs(w, nowMs));
    const memo = new Map<Owner, WindowSet<W>>();
    const windowsOf = (node: Owner | undefined): WindowSet<W> => {
      const hit = node && memo.get(node);
      if (hit) return hit;
      const bases = node ? this.bases(node, indices) : indices.map(() => emptyBase());
      const out = {} as WindowSet<W>;
      names.forEach((w, i) => (out[w] = finish(bases[i]!, spans[i]!)));
      if (node) memo.set(node, out);
      return out;
    };
    const targets: TargetStats<WindowSet<W>>[] = this.targets.map((t) => ({
      target: t.name,
      windows: windowsOf(this.groups.get(kTarget(t.name))),
      models: t.models.map((model) => ({ model, windows: windowsOf(this.groups.get(kModel(t.name, model))) })),
      probes: t.probes.map((probe) => ({ probe, windows: windowsOf(this.groups.get(kProbe(t.name, probe))) })),
      series: t.series.toSeries(),
    }));
    return {
      atMs: nowMs,
      elapsedMs: Math.max(0, nowMs - (this.startMs ?? nowMs)),
      windows: windowsOf(this.groups.get(K_ALL)),
      targets,
    };
  }

  /**
   * Threshold answers on one window as of nowMs, with the semantics of
   * queryFromResults (summary.ts); `model` tags match through model aliases.
   * Answers read the live windows: call it right away, not later.
   */
  query(window: WindowName, nowMs: number): MetricQuery {
    this.advance(nowMs);
    for (const c of this.cellList) c.flush();
    const span = this.spanMs(window, nowMs);
    const w = WINDOW_NAMES.indexOf(window);
    return (metric, aggregation, tags) => {
      const parts = this.select(tags).flatMap((n) => n.parts(w));
      return metricValue(metricEntry(metric), aggregation, span, new BucketAccumulator(parts));
    };
  }

  /** Forgets everything; windows start again at nowMs. */
  reset(nowMs: number): void {
    this.startMs = nowMs;
    this.openSlot = 0;
    this.cells = new Map();
    this.cellList = [];
    this.groups = new Map();
    this.groupList = [];
    this.targets = [];
    this.normalized = new Map();
    this.cache = new WeakMap();
  }

  footprint(): AggregatorFootprint {
    const buckets = new Set<Bucket>();
    let liveSlots = 0;
    let bytes = 0;
    for (const c of this.cellList) {
      liveSlots += c.ring1s.live + c.ring15.live;
      bytes += c.pendingBytes;
      for (const b of c.buckets()) buckets.add(b);
    }
    for (const g of this.groupList) {
      for (const b of g.aggs) buckets.add(b);
      if (g.open15) buckets.add(g.open15);
    }
    let histograms = 0;
    for (const b of buckets) {
      histograms += b.histograms;
      bytes += b.bytes;
    }
    const nodes = this.cellList.length + this.groupList.length;
    return { cells: this.cellList.length, nodes, buckets: buckets.size, liveSlots, histograms, bytes };
  }

  /** The data-dependent part of windows ws of one owner, from its cache where nothing changed. */
  private bases(node: Owner, ws: readonly number[]): WindowBase[] {
    let cache = this.cache.get(node);
    if (!cache) this.cache.set(node, (cache = [null, null, null, null]));
    const fresh = (w: number): WindowBase | null => {
      const c = cache[w];
      return c && c.dataVer === node.dataVer && c.expVer === node.expVer[w] ? c.value : null;
    };
    const stale = ws.filter((w) => fresh(w) === null);
    if (stale.length > 0) {
      const computed = summarizeWindows(node, stale);
      stale.forEach((w, i) => (cache[w] = { dataVer: node.dataVer, expVer: node.expVer[w]!, value: computed[i]! }));
    }
    return ws.map((w) => fresh(w)!);
  }

  /** The span window w covers at nowMs (shorter at the start of a run). */
  private spanMs(w: WindowName, nowMs: number): number {
    const start = this.startMs ?? nowMs;
    const elapsed = Math.max(0, nowMs - start);
    if (w === 'all') return Math.max(0, elapsed - (this.pauses?.within(start, nowMs) ?? 0));
    const slotStart = w === '1m' ? this.openSlot * SLOT_MS : Math.floor(this.openSlot / COARSE_SLOTS) * COARSE_MS;
    const partial = Math.max(0, nowMs - start - slotStart);
    return Math.min(elapsed, WINDOW_SPAN_MS[w] + partial);
  }

  /** Closes every slot that ended before nowMs, in every node. */
  private advance(nowMs: number): void {
    this.startMs ??= nowMs;
    const to = Math.floor((nowMs - this.startMs) / SLOT_MS);
    const from = this.openSlot;
    if (to <= from) return;
    for (const c of this.cellList) c.advance(from, to);
    if (Math.floor(to / COARSE_SLOTS) !== Math.floor(from / COARSE_SLOTS)) for (const g of this.groupList) g.endQuarter();
    for (const t of this.targets) {
      const closed: Bucket[] = [];
      for (const c of this.groups.get(kTarget(t.name))?.members ?? []) {
        if (c.lastClosedId === from && c.lastClosed) closed.push(c.lastClosed);
      }
      t.series.push(closed);
      t.series.pushEmpty(to - from - 1);
    }
    this.openSlot = to;
  }

  private cell(target: string, model: string, probe: string | null): Cell {
    let byModel = this.cells.get(target);
    if (!byModel) this.cells.set(target, (byModel = new Map()));
    let byProbe = byModel.get(model);
    if (!byProbe) byModel.set(model, (byProbe = new Map()));
    let c = byProbe.get(probe);
    if (!c) {
      c = new Cell(target, model, probe);
      byProbe.set(probe, c);
      this.addCell(c);
    }
    return c;
  }

  private addCell(cell: Cell): void {
    this.cellList.push(cell);
    const replaced = new Map<Owner, Group>();
    for (const key of cellKeys(cell)) this.join(key, cell, replaced);
    let t = this.targets.find((e) => e.name === cell.target);
    if (!t) {
      t = { name: cell.target, models: [], probes: [], series: new SeriesRing() };
      this.targets.push(t);
    }
    if (!t.models.includes(cell.model)) t.models.push(cell.model);
    if (cell.probe !== null && !t.probes.includes(cell.probe)) t.probes.push(cell.probe);
    this.normalized.set(cell, normalizeModel(cell.model));
    this.groupList = [...new Set([...this.groups.values()].filter((n): n is Group => n instanceof Group))];
    for (const c of this.cellList) {
      c.parents = [...new Set(cellKeys(c).map((k) => this.groups.get(k)))].filter((n): n is Group => n instanceof Group);
    }
  }

  /** Adds a new cell to group `key`, splitting the key off a node it shared with others. */
  private join(key: string, cell: Cell, replaced: Map<Owner, Group>): void {
    const cur = this.groups.get(key);
    if (!cur) {
      this.groups.set(key, cell);
      cell.refs++;
      return;
    }
    let next = replaced.get(cur);
    if (!next) {
      if (cur instanceof Group && cur.refs === 1) {
        cur.members.push(cell);
        return;
      }
      next = Group.from(cur);
      next.members.push(cell);
      replaced.set(cur, next);
    }
    cur.refs--;
    next.refs++;
    this.groups.set(key, next);
  }

  private select(tags: TagFilter): Owner[] {
    const { target, model, probe } = tags;
    if (model === undefined && probe === undefined) {
      const n = this.groups.get(target === undefined ? K_ALL : kTarget(target));
      return n ? [n] : [];
    }
    const norm = model === undefined ? null : normalizeModel(model);
    return this.cellList.filter(
      (c) =>
        (target === undefined || c.target === target) &&
        (norm === null || this.normalized.get(c) === norm) &&
        (probe === undefined || c.probe === probe),
    );
  }
}

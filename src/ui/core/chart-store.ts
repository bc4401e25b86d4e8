/**
 * What the chart draws, kept in the main thread: per target a BoundedSeries
 * per window, fed from each snapshot's per-second Series (only the seconds
 * not seen yet), and the alert firings and resolutions as marks on the time
 * axis. Pure apart from holding state; bounded: MAX_CHART_POINTS points per
 * target and window, MAX_MARKS marks.
 */
import type { EngineSnapshot } from '../../engine/messages.js';
import { WINDOW_NAMES, WINDOW_SPAN_MS, type WindowName } from '../../stats/windows.js';
import { BoundedSeries, sampleAt, windowStep, type ChartPoint } from './chart-series.js';

export const MAX_MARKS = 64;

export interface AlertMark {
  /** Seconds since the windows started (fractional). */
  atSlot: number;
  kind: 'firing' | 'resolved';
  rule: string;
}

/** The points of one target in one window, and the slot range the x axis covers. */
export interface ChartView {
  points: readonly ChartPoint[];
  step: number;
  /** x axis from slot `from` to slot `to` (exclusive; `to` = seconds closed so far). */
  from: number;
  to: number;
}

/** The shortest x axis, so that the first seconds of a run are not stretched over the whole width. */
export const MIN_AXIS_SLOTS = 30;

function spanSlots(w: WindowName): number | null {
  return w === 'all' ? null : WINDOW_SPAN_MS[w] / 1000;
}

interface TargetHistory {
  closed: number;
  series: Record<WindowName, BoundedSeries>;
}

function freshHistory(): TargetHistory {
  const series = {} as Record<WindowName, BoundedSeries>;
  for (const w of WINDOW_NAMES) series[w] = new BoundedSeries(windowStep(spanSlots(w)), spanSlots(w));
  return { closed: 0, series };
}

export class ChartStore {
  private readonly targets = new Map<string, TargetHistory>();
  private marks: AlertMark[] = [];
  /** Seconds closed as of the latest snapshot (the right edge of the axis). */
  private closed = 0;

  ingest(s: EngineSnapshot): void {
    const stats = s.stats;
    if (stats) {
      for (const t of stats.targets) {
        const series = t.series;
        let h = this.targets.get(t.target);
        // Fewer closed slots than seen: the windows were reset; the history starts again.
        if (!h || series.closed < h.closed) {
          h = freshHistory();
          this.targets.set(t.target, h);
        }
        const first = Math.max(h.closed, series.closed - series.points);
        for (let slot = first; slot < series.closed; slot++) {
          const sample = sampleAt(series, series.points - (series.closed - slot));
          for (const w of WINDOW_NAMES) h.series[w].add(slot, sample);
        }
        h.closed = series.closed;
      }
      if (stats.targets.length > 0) {
        const closed = Math.max(...stats.targets.map((t) => t.series.closed));
        if (closed < this.closed) this.marks = [];
        this.closed = closed;
      }
      for (const tr of s.alertTransitions) {
        const kind = tr.to === 'firing' ? 'firing' : tr.from === 'firing' ? 'resolved' : null;
        if (kind) this.marks.push({ atSlot: stats.elapsedMs / 1000, kind, rule: tr.rule });
      }
      if (this.marks.length > MAX_MARKS) this.marks.splice(0, this.marks.length - MAX_MARKS);
    }
  }

  /** The x range every target of `window` shares at the latest snapshot. */
  axis(window: WindowName): { from: number; to: number } {
    const to = this.closed;
    const span = spanSlots(window);
    const from = span === null ? 0 : Math.max(0, to - span);
    return { from: Math.min(from, to - MIN_AXIS_SLOTS), to };
  }

  view(target: string, window: WindowName): ChartView {
    const { from, to } = this.axis(window);
    const s = this.targets.get(target)?.series[window];
    const step = s?.stepSlots ?? 1;
    const points = (s?.all() ?? []).filter((p) => (p.idx + 1) * step > from);
    return { points, step, from, to };
  }

  /** Marks inside the window's axis, oldest first. */
  marksIn(window: WindowName): AlertMark[] {
    const { from, to } = this.axis(window);
    return this.marks.filter((m) => m.atSlot >= from && m.atSlot <= to + 1);
  }

  clear(): void {
    this.targets.clear();
    this.marks = [];
    this.closed = 0;
  }

  /** Points held, all targets and windows: for memory tests and the bench. */
  size(): number {
    let n = 0;
    for (const h of this.targets.values()) for (const w of WINDOW_NAMES) n += h.series[w].length;
    return n + this.marks.length;
  }
}

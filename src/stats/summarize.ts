/**
 * A snapshot's statistics of one owner's windows (a cell or a roll-up,
 * slots.ts): the running aggregates plus the open slots, read out by
 * readout.ts. windows.ts decides which owners and windows and caches the
 * answers.
 */
import { TRENDS } from '../metrics/catalog.js';
import { trendStats, type TimeStats } from '../metrics/kinds.js';
import { SparseHistogram } from '../hdr/histogram.js';
import type { Bucket } from './bucket.js';
import { baseOf, HdrTrend, type WindowBase } from './readout.js';
import { type Owner, W_1M } from './slots.js';

const secondsScratch = new SparseHistogram(1024);
const quarterScratch = new SparseHistogram(4096);
const trendScratch = new HdrTrend();

/** The non-empty histograms of distribution m in `bs`, summed (into `scratch` when there are several). */
function merged(bs: readonly (Bucket | null)[], m: number, scratch: SparseHistogram): SparseHistogram | null {
  let only: SparseHistogram | null = null;
  let n = 0;
  for (const b of bs) {
    const h = b?.dists[m]!.hist;
    if (h && h.total > 0) {
      only = h;
      n++;
    }
  }
  if (n <= 1) return only;
  scratch.clear();
  for (const b of bs) {
    const h = b?.dists[m]!.hist;
    if (h && h.total > 0) scratch.add(h);
  }
  return scratch;
}

function mergedPair(a: SparseHistogram | null, b: SparseHistogram | null, scratch: SparseHistogram): SparseHistogram | null {
  if (!a || a.total === 0) return b;
  if (!b || b.total === 0) return a;
  scratch.clear();
  scratch.add(a);
  scratch.add(b);
  return scratch;
}

/**
 * The data-dependent part of windows `ws` (W_1M…W_ALL) of one owner. The
 * open slots are merged once per distribution and shared by the windows;
 * percentiles read the window's running aggregate plus that merge, so a
 * snapshot costs the size of the open slots, not of the window.
 */
export function summarizeWindows(owner: Owner, ws: readonly number[]): WindowBase[] {
  const seconds = owner.openSeconds();
  const quarter = owner.open15;
  // Plain loops: this runs for every window of every cell and roll-up on each snapshot.
  const parts: Bucket[][] = [];
  const aggs: Bucket[] = [];
  const times: TimeStats[][] = [];
  let needQuarter = false;
  for (const w of ws) {
    const agg = owner.agg(w);
    const p = [agg];
    if (w !== W_1M && quarter) p.push(quarter);
    for (const b of seconds) p.push(b);
    parts.push(p);
    aggs.push(agg);
    times.push([]);
    if (w !== W_1M) needQuarter = true;
  }
  for (let m = 0; m < TRENDS.length; m++) {
    const b1 = merged(seconds, m, secondsScratch);
    const b15 = needQuarter ? mergedPair(quarter?.dists[m]!.hist ?? null, b1, quarterScratch) : null;
    for (let i = 0; i < ws.length; i++) {
      times[i]!.push(trendStats(trendScratch.over(parts[i]!, m).withPair(aggs[i]!.dists[m]!.hist, ws[i] === W_1M ? b1 : b15)));
    }
  }
  const out: WindowBase[] = [];
  for (let i = 0; i < ws.length; i++) out.push(baseOf(parts[i]!, times[i]!));
  return out;
}

import hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { mulberry32, type Rng } from '../../../src/core/random.js';
import {
  COUNTS_LENGTH,
  HIGHEST_VALUE,
  SparseHistogram,
  highestValueAt,
  indexOfValue,
  lowestValueAt,
} from '../../../src/hdr/histogram.js';
import { addIndexBatch } from '../../../src/hdr/batch.js';
import { percentilesOf, percentilesOfPair } from '../../../src/hdr/quantiles.js';

function libraryHistogram(bitBucketSize: 'packed' | 32 = 'packed') {
  const h = hdr.build({
    bitBucketSize,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_VALUE,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: false,
  });
  if (!(h instanceof hdr.JsHistogram)) throw new Error('expected a JS histogram');
  return h;
}

/** Latency-like values in µs: log-uniform from 1 µs to ~1 h, plus exact powers of two and bucket edges. */
function values(rng: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.min(HIGHEST_VALUE, Math.round(Math.exp(rng() * Math.log(HIGHEST_VALUE)))));
  for (let b = 0; b < 32; b++) {
    const v = 2 ** b;
    if (v <= HIGHEST_VALUE) out.push(v, v - 1, v + 1);
  }
  out.push(0, 2047, 2048, 4095, 4096, HIGHEST_VALUE);
  return out;
}

function sparseOf(vals: readonly number[]): SparseHistogram {
  const h = new SparseHistogram();
  for (let i = 0; i < vals.length; i += 500) addIndexBatch(h, Uint16Array.from(vals.slice(i, i + 500), indexOfValue));
  return h;
}

function entries(h: SparseHistogram): [number, number][] {
  return Array.from({ length: h.size }, (_, i) => [h.idx[i]!, h.cnt[i]!]);
}

describe('bucket layout', () => {
  it('is the layout of hdr-histogram-js (1 µs .. 1 h, 3 digits)', () => {
    const lib = libraryHistogram();
    expect(COUNTS_LENGTH).toBe(lib.countsArrayLength);
    expect(COUNTS_LENGTH).toBe(23552);
    for (const v of values(mulberry32(1), 5_000)) {
      const i = indexOfValue(v);
      expect(i).toBe(lib.countsArrayIndex(v));
      expect(lowestValueAt(i)).toBe(lib.lowestEquivalentValue(v));
      expect(highestValueAt(i)).toBe(lib.highestEquivalentValue(lib.valueFromIndex(i)));
      // 3 significant digits: the slot is at most 1/1024 of its values wide.
      expect(highestValueAt(i) - lowestValueAt(i)).toBeLessThanOrEqual(Math.max(0, v / 1024));
    }
  });
});

describe('percentiles', () => {
  const ps = [0.1, 1, 25, 50, 90, 95, 99, 99.9, 100];

  it('equal hdr-histogram-js getValueAtPercentile on the same values (one part)', () => {
    const vals = values(mulberry32(2), 30_000);
    const lib = libraryHistogram(32);
    for (const v of vals) lib.recordValue(v);
    const out = new Float64Array(ps.length);
    percentilesOf([sparseOf(vals)], ps, out);
    expect([...out]).toEqual(ps.map((p) => lib.getValueAtPercentile(p)));
  });

  it('of several parts equal those of their merge', () => {
    const rng = mulberry32(3);
    const chunks = [values(rng, 5000), values(rng, 40), [], values(rng, 9000).map((v) => Math.round(v / 7))];
    const lib = libraryHistogram(32);
    for (const c of chunks) for (const v of c) lib.recordValue(v);
    const out = new Float64Array(ps.length);
    percentilesOf(chunks.map(sparseOf), ps, out);
    expect([...out]).toEqual(ps.map((p) => lib.getValueAtPercentile(p)));
    // The shared scratch is left clean: a second, different call gives the library's answer too.
    const lib2 = libraryHistogram(32);
    for (const v of chunks[1]!) lib2.recordValue(v);
    percentilesOf([sparseOf(chunks[1]!), new SparseHistogram()], ps, out);
    expect([...out]).toEqual(ps.map((p) => lib2.getValueAtPercentile(p)));
  });

  it('of a large running aggregate plus small open slots (binary searches) equal those of their merge', () => {
    const rng = mulberry32(5);
    const big = sparseOf(values(rng, 20_000));
    const small = [sparseOf(values(rng, 7).slice(0, 7)), sparseOf(values(rng, 300)), sparseOf(values(rng, 20_000)), new SparseHistogram()];
    const out = new Float64Array(ps.length);
    const want = new Float64Array(ps.length);
    for (const b of small) {
      for (const [x, y] of [[big, b], [b, big], [null, b], [big, null]] as const) {
        percentilesOfPair(x, y, ps, out);
        percentilesOf([x ?? new SparseHistogram(), y ?? new SparseHistogram()], ps, want);
        expect([...out]).toEqual([...want]);
      }
    }
    // Every rank of a tiny union, one by one.
    const a = sparseOf([10, 20, 20, 30, 5000]);
    const b = sparseOf([20, 25, 6000]);
    const all = Array.from({ length: 8 }, (_, i) => ((i + 1) / 8) * 100);
    const o1 = new Float64Array(all.length);
    const o2 = new Float64Array(all.length);
    percentilesOfPair(a, b, all, o1);
    percentilesOf([a, b], all, o2);
    expect([...o1]).toEqual([...o2]);
    expect([...o1].slice(0, 6)).toEqual([10, 20, 20, 20, 25, 30]);
  });

  it('are NaN for nothing', () => {
    const out = new Float64Array(2);
    percentilesOf([new SparseHistogram(), new SparseHistogram()], [50, 99], out);
    expect([...out]).toEqual([NaN, NaN]);
  });
});

describe('add and subtract', () => {
  it('incremental add/subtract equals a fresh merge (randomised)', () => {
    const rng = mulberry32(4);
    const slots = Array.from({ length: 40 }, () => sparseOf(values(rng, Math.floor(rng() * 300))));
    const agg = new SparseHistogram();
    const window: SparseHistogram[] = [];
    for (const s of slots) {
      agg.add(s);
      window.push(s);
      if (window.length > 7) agg.subtract(window.shift()!);
      const fresh = new SparseHistogram();
      for (const w of window) fresh.add(w);
      expect(entries(agg)).toEqual(entries(fresh));
      expect(agg.total).toBe(fresh.total);
    }
    for (const w of window) agg.subtract(w);
    expect(agg.size).toBe(0);
    expect(agg.total).toBe(0);
    expect(agg.bytes).toBeLessThan(2000);
  });

  it('refuses to subtract what was never added', () => {
    const a = sparseOf([1000, 2000]);
    expect(() => a.subtract(sparseOf([3000]))).toThrow(/not present/);
    expect(() => sparseOf([1000]).subtract(sparseOf([1000, 1000]))).toThrow(/negative/);
  });

  it("hdr-histogram-js's own add/subtract work on packed histograms (but walk every slot)", () => {
    const a = libraryHistogram();
    const b = libraryHistogram();
    for (const v of [100, 2000, 3_000_000]) a.recordValue(v);
    for (const v of [2000, 50_000]) b.recordValue(v);
    a.add(b);
    expect(a.totalCount).toBe(5);
    a.subtract(b);
    expect(a.totalCount).toBe(3);
    expect(a.getValueAtPercentile(50)).toBe(2000);
  });
});

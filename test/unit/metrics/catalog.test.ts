import { describe, expect, it } from 'vitest';
import { ENTRIES, METRIC_NAMES, VALID_AGGREGATIONS, valueUnit } from '../../../src/metrics/catalog.js';
import { KIND_AGGREGATIONS, type Aggregation } from '../../../src/metrics/kinds.js';
import { parseThreshold } from '../../../src/stats/thresholds.js';

/** The threshold table as it stood before the catalogue (src/stats/thresholds-types.ts), written out by hand. */
const BEFORE: Record<string, { aggs: string[]; units: Record<string, string> }> = {
  latency: { aggs: ['avg', 'min', 'max', 'med', 'p'], units: { avg: 'ms', min: 'ms', max: 'ms', med: 'ms', p: 'ms' } },
  latency_scheduled: { aggs: ['avg', 'min', 'max', 'med', 'p'], units: { avg: 'ms', min: 'ms', max: 'ms', med: 'ms', p: 'ms' } },
  ttfb: { aggs: ['avg', 'min', 'max', 'med', 'p'], units: { avg: 'ms', min: 'ms', max: 'ms', med: 'ms', p: 'ms' } },
  ttft: { aggs: ['avg', 'min', 'max', 'med', 'p'], units: { avg: 'ms', min: 'ms', max: 'ms', med: 'ms', p: 'ms' } },
  ttft_content: { aggs: ['avg', 'min', 'max', 'med', 'p'], units: { avg: 'ms', min: 'ms', max: 'ms', med: 'ms', p: 'ms' } },
  itl: { aggs: ['avg', 'min', 'max', 'med', 'p'], units: { avg: 'ms', min: 'ms', max: 'ms', med: 'ms', p: 'ms' } },
  tokens_per_s: {
    aggs: ['avg', 'min', 'max', 'med', 'p'],
    units: { avg: 'tokens_per_second', min: 'tokens_per_second', max: 'tokens_per_second', med: 'tokens_per_second', p: 'tokens_per_second' },
  },
  errors: { aggs: ['rate', 'count'], units: { rate: 'fraction', count: 'count' } },
  usage_mismatch: { aggs: ['rate', 'count'], units: { rate: 'fraction', count: 'count' } },
  model_mismatch: { aggs: ['rate', 'count'], units: { rate: 'fraction', count: 'count' } },
  requests: { aggs: ['count', 'rate'], units: { count: 'count', rate: 'per_second' } },
  cost: { aggs: ['sum'], units: { sum: 'usd' } },
  cost_per_hour: { aggs: ['value'], units: { value: 'usd_per_hour' } },
};

const agg = (a: string): Aggregation => (a === 'p' ? { kind: 'p', p: 95 } : ({ kind: a } as Aggregation));

describe('the catalogue keeps the threshold table it replaced', () => {
  it('every metric × aggregation pair valid before is valid, in the same order, with the same unit', () => {
    for (const [metric, was] of Object.entries(BEFORE)) {
      const name = METRIC_NAMES.find((m) => m === metric);
      expect(name, metric).toBeDefined();
      expect([metric, VALID_AGGREGATIONS[name!]]).toEqual([metric, was.aggs]);
      for (const a of was.aggs) expect([metric, a, valueUnit(name!, agg(a))]).toEqual([metric, a, was.units[a]]);
    }
  });

  it('lists the metric names of before in the same order (the order of "valid: …" in messages)', () => {
    expect(METRIC_NAMES.filter((m) => m in BEFORE)).toEqual(Object.keys(BEFORE));
  });

  it('rejects an invalid pair with the message of before', () => {
    expect(() => parseThreshold('errors:p(95)<1')).toThrow('aggregation p(95) is not valid for errors (valid: rate, count)');
    expect(() => parseThreshold('requests:avg<1')).toThrow('aggregation avg is not valid for requests (valid: count, rate)');
    expect(() => parseThreshold('cost:value<1')).toThrow('aggregation value is not valid for cost (valid: sum)');
    expect(() => parseThreshold('ttft:rate<1')).toThrow('aggregation rate is not valid for ttft (valid: avg, min, max, med, p(N))');
  });

  it("derives each metric's aggregations from its kind alone", () => {
    for (const m of METRIC_NAMES) {
      const e = ENTRIES.find((x) => x.name === m)!;
      expect(VALID_AGGREGATIONS[m]).toBe(KIND_AGGREGATIONS[e.kind]);
    }
  });

  it('gives every entry a unique name and JSON key', () => {
    expect(new Set(ENTRIES.map((e) => e.name)).size).toBe(ENTRIES.length);
    expect(new Set(ENTRIES.map((e) => e.key)).size).toBe(ENTRIES.length);
  });
});

describe('the catalogue names what the outputs carry', () => {
  it("has every key of the watch plain line (src/export/logfmt.ts) but time and target on some entry", async () => {
    const { LOGFMT_KEYS } = await import('../../../src/export/logfmt.js');
    const fromCatalogue = ENTRIES.flatMap((e) => e.logfmt ?? []);
    expect([...fromCatalogue].sort()).toEqual(LOGFMT_KEYS.filter((k) => k !== 'time' && k !== 'target').sort());
  });

  it('gives the Prometheus series it names the names /metrics exports', async () => {
    const { exportedSeriesNames } = await import('../../../src/export/prometheus-metrics.js');
    const exported = new Set(exportedSeriesNames().map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    for (const e of ENTRIES) if (e.prometheus) expect([e.name, exported.has(e.prometheus.name)]).toEqual([e.name, true]);
  });
});

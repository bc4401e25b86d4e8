import { describe, expect, it } from 'vitest';
import { describeIncident, incidentOptions, inIncident, INCIDENT_ERROR_RATE } from '../../../src/mock/incident.js';
import { resolveMockOptions } from '../../../src/mock/options.js';
import { describeMockOptions, parseMockFlags } from '../../../src/mock/flags.js';
import { UsageError } from '../../../src/core/errors.js';

describe('mock incident', () => {
  it('is on in [at, at + for) only', () => {
    const w = { atMs: 1000, forMs: 500 };
    expect([0, 999, 1000, 1499, 1500].map((t) => inIncident(w, t))).toEqual([false, false, true, true, false]);
    expect(inIncident(null, 5)).toBe(false);
    expect(inIncident(undefined, 5)).toBe(false);
  });
  it('degrades like the overloaded scenario without 429s, keeping the rest of the configuration', () => {
    const base = resolveMockOptions({ ttftMs: 0, itlMs: 0, tokens: 2, seed: 3, inflateUsage: 1.5 });
    const o = incidentOptions(base);
    expect(o).toMatchObject({ ttftMs: 800, jitter: true, errorRate: INCIDENT_ERROR_RATE, tokens: 2, seed: 3, inflateUsage: 1.5 });
    expect(o.errorMix).toEqual({ overloaded: 0.8, stream_overloaded: 0.2 });
    // Other fault rates leave the error rate room.
    expect(incidentOptions(resolveMockOptions({ resetRate: 0.9 })).errorRate).toBeCloseTo(0.1);
  });
  it('--incident-at/--incident-for parse to ms, go together, and are said on stderr', () => {
    expect(parseMockFlags({ incidentAt: '30s', incidentFor: '1m' }).incident).toEqual({ atMs: 30_000, forMs: 60_000 });
    expect(() => parseMockFlags({ incidentAt: '30s' })).toThrow(UsageError);
    expect(() => parseMockFlags({ incidentFor: '30s' })).toThrow(/go together/);
    expect(() => parseMockFlags({ incidentAt: '1s', incidentFor: '0' })).toThrow(/above zero/);
    expect(() => parseMockFlags({ incidentAt: 'x', incidentFor: '1s' })).toThrow(/--incident-at expects a duration/);
    expect(describeIncident({ atMs: 30_000, forMs: 60_000 })).toContain('incident from 30s for 60s');
    expect(describeMockOptions(resolveMockOptions({ incident: { atMs: 1000, forMs: 2000 } }))).toContain('incident from 1s for 2s');
    expect(() => resolveMockOptions({ incident: { atMs: -1, forMs: 1 } })).toThrow(UsageError);
  });
});

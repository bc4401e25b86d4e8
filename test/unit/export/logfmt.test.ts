import { describe, expect, it } from 'vitest';
import { LOGFMT_KEYS, logfmtLine, logfmtValue } from '../../../src/export/logfmt.js';
import { windowStats } from '../ui/fixtures.js';

/** A minimal logfmt reader: key=value pairs, values bare or double-quoted with \" escapes. */
function parse(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=("((?:[^"\\]|\\.)*)"|[^ ]*)/g;
  for (const m of line.matchAll(re)) out[m[1]!] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!;
  return out;
}

describe('logfmt line', () => {
  const at = new Date('2026-11-27T08:00:05.000Z');

  it('has the DESIGN keys in order with the window values', () => {
    const w = windowStats({ requests: 200, errors: 3 });
    const line = logfmtLine(at, 'relay', w);
    expect(line.split(' ').map((kv) => kv.split('=')[0])).toEqual([...LOGFMT_KEYS]);
    const f = parse(line);
    expect(f).toMatchObject({
      time: '2026-11-27T08:00:05.000Z',
      target: 'relay',
      rps: (200 / 60).toFixed(2),
      p50_ms: String(w.latencyMs.p50),
      p95_ms: String(w.latencyMs.p95),
      ttft_p95_ms: String(w.ttftMs.p95),
      err_pct: '1.50',
    });
    expect(Number(f['cost_per_hour_usd'])).toBeCloseTo(w.costPerHourUsd!, 4);
  });

  it('leaves values empty (never 0) before the first request', () => {
    const f = parse(logfmtLine(at, 'relay', null));
    expect(f['p95_ms']).toBe('');
    expect(f['err_pct']).toBe('');
    expect(f['cost_per_hour_usd']).toBe('');
    const empty = parse(logfmtLine(at, 'relay', windowStats({ requests: 0, costPerHourUsd: null })));
    expect(empty['p50_ms']).toBe('');
    expect(empty['err_pct']).toBe('');
  });

  it('quotes target names that would break a logfmt reader', () => {
    expect(logfmtValue('eu relay')).toBe('"eu relay"');
    expect(logfmtValue('a="b"')).toBe('"a=\\"b\\""');
    expect(logfmtValue('plain-name_1')).toBe('plain-name_1');
    expect(parse(logfmtLine(at, 'eu "relay"', null))['target']).toBe('eu "relay"');
  });
});

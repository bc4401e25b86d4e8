import { describe, expect, it } from 'vitest';
import { parseThreshold } from '../../../src/stats/thresholds.js';
import { thresholdColour, thresholdsFor } from '../../../src/ui/core/threshold-colour.js';

const t = (s: string) => parseThreshold(s);

describe('thresholdColour', () => {
  it('is none without a value or without thresholds', () => {
    expect(thresholdColour(null, [t('ttft:p(95)<800')])).toBe('none');
    expect(thresholdColour(Number.NaN, [t('ttft:p(95)<800')])).toBe('none');
    expect(thresholdColour(500, [])).toBe('none');
  });

  it('upper limits: ok well below, warn within 10% below, bad at or above', () => {
    const th = [t('ttft:p(95)<800')];
    expect(thresholdColour(500, th)).toBe('ok');
    expect(thresholdColour(719, th)).toBe('ok');
    expect(thresholdColour(720, th)).toBe('warn');
    expect(thresholdColour(799, th)).toBe('warn');
    expect(thresholdColour(800, th)).toBe('bad');
    expect(thresholdColour(1203, th)).toBe('bad');
    expect(thresholdColour(800, [t('ttft:p(95)<=800')])).toBe('warn');
  });

  it('lower limits: ok well above, warn within 10% above, bad below', () => {
    const th = [t('tokens_per_s:med>50')];
    expect(thresholdColour(80, th)).toBe('ok');
    expect(thresholdColour(55, th)).toBe('warn');
    expect(thresholdColour(50, th)).toBe('bad');
    expect(thresholdColour(10, th)).toBe('bad');
    expect(thresholdColour(50, [t('tokens_per_s:med>=50')])).toBe('warn');
  });

  it('a zero limit has no warning band', () => {
    expect(thresholdColour(0, [t('errors:rate<=0')])).toBe('ok');
    expect(thresholdColour(0.01, [t('errors:rate<=0')])).toBe('bad');
  });

  it('takes the worst of several thresholds', () => {
    const th = [t('latency:p(95)<5000'), t('latency:p(95)<1000')];
    expect(thresholdColour(950, th)).toBe('warn');
    expect(thresholdColour(1500, th)).toBe('bad');
    expect(thresholdColour(400, th)).toBe('ok');
  });
});

describe('thresholdsFor', () => {
  const all = [
    t('ttft:p(95)<800'),
    t('ttft{target:relay}:p(95)<1200'),
    t('ttft{target:direct}:p(95)<600'),
    t('ttft{target:relay,model:gpt-4o}:p(95)<100'),
    t('ttft:p(99)<2000'),
    t('latency:med<300'),
    t('errors:rate<0.05'),
  ];
  it('keeps thresholds for this metric and target (or no target), target-wide only', () => {
    const got = thresholdsFor(all, 'ttft', 'relay', { kind: 'p', p: 95 }).map((x) => x.value);
    expect(got).toEqual([800, 1200]);
    expect(thresholdsFor(all, 'ttft', 'relay').map((x) => x.value)).toEqual([800, 1200, 2000]);
  });
  it('treats med as p(50)', () => {
    expect(thresholdsFor(all, 'latency', 'x', { kind: 'p', p: 50 })).toHaveLength(1);
    expect(thresholdsFor(all, 'errors', 'x', { kind: 'rate' })).toHaveLength(1);
    expect(thresholdsFor(all, 'errors', 'x', { kind: 'count' })).toHaveLength(0);
  });
});

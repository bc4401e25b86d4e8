import { describe, expect, it } from 'vitest';
import {
  alertTarget,
  DEGRADED_ERROR_RATE,
  DOWN_MIN_REQUESTS,
  firingAlertsFor,
  TARGET_HEALTH,
  targetHealth,
  healthName,
} from '../../../src/stats/target-health.js';

const w = (requests: number, errors: number) => ({ requests, errors });
const calm = { firingAlerts: 0, backingOff: false };

describe('targetHealth', () => {
  it('is ok with no window, an empty window, or a clean one', () => {
    expect(targetHealth({ window: null, ...calm })).toBe(TARGET_HEALTH.ok);
    expect(targetHealth({ window: w(0, 0), ...calm })).toBe(TARGET_HEALTH.ok);
    expect(targetHealth({ window: w(60, 0), ...calm })).toBe(TARGET_HEALTH.ok);
  });

  it('is down when every request of at least DOWN_MIN_REQUESTS failed, and not on a single failure', () => {
    expect(DOWN_MIN_REQUESTS).toBe(2);
    expect(targetHealth({ window: w(2, 2), ...calm })).toBe(TARGET_HEALTH.down);
    expect(targetHealth({ window: w(30, 30), ...calm })).toBe(TARGET_HEALTH.down);
    // One failure is evidence of trouble, not of an outage.
    expect(targetHealth({ window: w(1, 1), ...calm })).toBe(TARGET_HEALTH.degraded);
    // One request getting through means it is not down.
    expect(targetHealth({ window: w(30, 29), ...calm })).toBe(TARGET_HEALTH.degraded);
  });

  it('down outranks firing alerts and back-offs', () => {
    expect(targetHealth({ window: w(5, 5), firingAlerts: 2, backingOff: true })).toBe(TARGET_HEALTH.down);
  });

  it('is degraded from the error-rate bound upwards, not below it', () => {
    expect(DEGRADED_ERROR_RATE).toBe(0.05);
    expect(targetHealth({ window: w(100, 5), ...calm })).toBe(TARGET_HEALTH.degraded);
    expect(targetHealth({ window: w(100, 4), ...calm })).toBe(TARGET_HEALTH.ok);
  });

  it('is degraded while an alert about it fires or while it backs off after a 429', () => {
    expect(targetHealth({ window: w(60, 0), firingAlerts: 1, backingOff: false })).toBe(TARGET_HEALTH.degraded);
    expect(targetHealth({ window: w(60, 0), firingAlerts: 0, backingOff: true })).toBe(TARGET_HEALTH.degraded);
    expect(targetHealth({ window: null, firingAlerts: 0, backingOff: true })).toBe(TARGET_HEALTH.degraded);
  });

  it('names the states', () => {
    expect([0, 1, 2].map((s) => healthName(s as 0 | 1 | 2))).toEqual(['ok', 'degraded', 'down']);
  });
});

describe('firingAlertsFor', () => {
  const alert = (expression: string, state: 'ok' | 'pending' | 'firing' | 'resolved' = 'firing') => ({ expression, state });

  it('reads the target from the threshold expression', () => {
    expect(alertTarget('ttft{target:relay}:p(95)<800')).toBe('relay');
    expect(alertTarget('latency{target:relay,model:gpt-4o}:p(99)<2000')).toBe('relay');
    expect(alertTarget('errors:rate<0.01')).toBeNull();
    expect(alertTarget('not an expression')).toBeNull();
  });

  it('counts only firing alerts that name the target', () => {
    const alerts = [
      alert('ttft{target:relay}:p(95)<800'),
      alert('errors{target:relay}:rate<0.01', 'pending'),
      alert('errors{target:relay}:rate<0.05', 'resolved'),
      alert('latency{target:direct}:p(99)<2000'),
    ];
    expect(firingAlertsFor('relay', alerts, 2)).toBe(1);
    expect(firingAlertsFor('direct', alerts, 2)).toBe(1);
    expect(firingAlertsFor('backup', alerts, 3)).toBe(0);
  });

  it('an alert on all traffic counts for the only target, and for none of several', () => {
    const alerts = [alert('errors:rate<0.01')];
    expect(firingAlertsFor('relay', alerts, 1)).toBe(1);
    expect(firingAlertsFor('relay', alerts, 2)).toBe(0);
  });
});

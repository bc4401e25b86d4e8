import { describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../src/engine/messages.js';
import { METRIC, PrometheusExporter } from '../../../src/export/prometheus.js';
import { target } from '../../helpers/target.js';
import { engineSnapshot, statsSnapshot, targetInfo, targetStats, windowStats } from '../ui/fixtures.js';
import { result } from './result.js';
import { one, parseExposition, type Sample } from './prometheus-text.js';

const TARGETS = [target('relay', 'http://127.0.0.1:9/v1'), target('direct', 'http://127.0.0.1:10/v1')];

function exporter(): { feed(s: EngineSnapshot): Promise<Sample[]> } {
  const exp = new PrometheusExporter(TARGETS, { defaultMetrics: false });
  return {
    async feed(s) {
      exp.onSnapshot(s);
      return parseExposition(await exp.metrics());
    },
  };
}

const healthy = () => targetStats('relay', windowStats({ requests: 60, errors: 0 }));
const state = (s: Sample[], t: string) => one(s, METRIC.targetState, { relaymon_target: t }).value;

describe('PrometheusExporter gauges from snapshots', () => {
  it('every target has a state from the first scrape, and the build info is there', async () => {
    const s = await exporter().feed(engineSnapshot());
    expect(state(s, 'relay')).toBe(0);
    expect(state(s, 'direct')).toBe(0);
    expect(one(s, METRIC.buildInfo).value).toBe(1);
    expect(one(s, METRIC.backoffs, { relaymon_target: 'relay' }).value).toBe(0);
  });

  it('target state follows the 1m window; a snapshot without statistics leaves it standing', async () => {
    const e = exporter();
    const down = statsSnapshot([targetStats('relay', windowStats({ requests: 10, errors: 10 })), targetStats('direct', windowStats({ requests: 10, errors: 1 }))]);
    let s = await e.feed(engineSnapshot({ stats: down, targets: [targetInfo('relay'), targetInfo('direct')] }));
    expect(state(s, 'relay')).toBe(2);
    expect(state(s, 'direct')).toBe(1);
    s = await e.feed(engineSnapshot({ stats: null, targets: [targetInfo('relay'), targetInfo('direct')] }));
    expect(state(s, 'relay')).toBe(2);
    s = await e.feed(engineSnapshot({ stats: statsSnapshot([healthy()]), targets: [targetInfo('relay')] }));
    expect(state(s, 'relay')).toBe(0);
  });

  it('a firing alert about a target, or a 429 back-off, makes it degraded; the alert has its own gauge', async () => {
    const e = exporter();
    const alert = {
      name: 'RelaySlow',
      state: 'firing' as const,
      value: 1200,
      since: 1,
      expression: 'ttft{target:relay}:p(95)<800',
      window: '1m' as const,
      lastFiredAt: 1,
      lastResolvedAt: null,
    };
    let s = await e.feed(
      engineSnapshot({
        stats: statsSnapshot([healthy(), targetStats('direct', windowStats({ requests: 60, errors: 0 }))]),
        targets: [targetInfo('relay'), { ...targetInfo('direct'), backoffs: 3, backoffUntil: Date.now() + 5000 }],
        alerts: [alert],
      }),
    );
    expect(state(s, 'relay')).toBe(1);
    expect(state(s, 'direct')).toBe(1);
    expect(one(s, METRIC.alertFiring, { relaymon_alert: 'RelaySlow' }).value).toBe(1);
    expect(one(s, METRIC.backoffs, { relaymon_target: 'direct' }).value).toBe(3);
    s = await e.feed(engineSnapshot({ stats: statsSnapshot([healthy()]), targets: [targetInfo('relay')], alerts: [{ ...alert, state: 'resolved' }] }));
    expect(state(s, 'relay')).toBe(0);
    expect(one(s, METRIC.alertFiring, { relaymon_alert: 'RelaySlow' }).value).toBe(0);
  });

  it('saturation: gauges in seconds, cumulative figures as counters that survive an engine reset', async () => {
    const e = exporter();
    const sat = (lateSends: number, dropped: number, saturated: boolean) => ({
      eventLoopDelayP99Ms: 12,
      eventLoopDelayMaxMs: 40,
      inFlight: 7,
      capWaits: 4,
      lateSends,
      sendLagMs: { p50: 2, p99: 30, max: 80 },
      dropped,
      saturated,
      reasons: [],
    });
    let s = await e.feed(engineSnapshot({ saturation: sat(5, 1, true) }));
    expect(one(s, METRIC.sendLagP50).value).toBeCloseTo(0.002, 9);
    expect(one(s, METRIC.sendLagP99).value).toBeCloseTo(0.03, 9);
    expect(one(s, METRIC.sendLagMax).value).toBeCloseTo(0.08, 9);
    expect(one(s, METRIC.eventLoopDelayP99).value).toBeCloseTo(0.012, 9);
    expect(one(s, METRIC.inFlight).value).toBe(7);
    expect(one(s, METRIC.saturated).value).toBe(1);
    expect(one(s, METRIC.lateSends).value).toBe(5);
    expect(one(s, METRIC.capWaits).value).toBe(4);
    s = await e.feed(engineSnapshot({ saturation: sat(8, 1, false) }));
    expect(one(s, METRIC.lateSends).value).toBe(8);
    expect(one(s, METRIC.droppedSends).value).toBe(1);
    expect(one(s, METRIC.saturated).value).toBe(0);
    // After a reset the engine counts from 0 again: the counter must not go down, and keeps counting.
    s = await e.feed(engineSnapshot({ saturation: sat(2, 0, false) }));
    expect(one(s, METRIC.lateSends).value).toBe(8);
    s = await e.feed(engineSnapshot({ saturation: sat(3, 0, false) }));
    expect(one(s, METRIC.lateSends).value).toBe(9);
  });

  it('results in a snapshot are counted once; rate-limit headroom is the latest advertised', async () => {
    const e = exporter();
    const rl = (requestsRemaining: number, tokensRemaining: number | null) => ({ requestsRemaining, requestsLimit: 100, tokensRemaining, tokensLimit: tokensRemaining === null ? null : 9000 });
    await e.feed(engineSnapshot({ results: [result({ rateLimit: rl(99, 8000) }), result({ rateLimit: rl(98, null) })] }));
    const s = await e.feed(engineSnapshot({ results: [result({ rateLimit: rl(97, null) })] }));
    expect(one(s, METRIC.requests).value).toBe(3);
    expect(one(s, METRIC.rateLimitRemaining, { resource: 'requests' }).value).toBe(97);
    expect(one(s, METRIC.rateLimitLimit, { resource: 'requests' }).value).toBe(100);
    expect(one(s, METRIC.rateLimitRemaining, { resource: 'tokens' }).value).toBe(8000);
  });
});

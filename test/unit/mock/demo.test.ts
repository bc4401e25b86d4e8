import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_INCIDENT, demoConfig, demoPhase, startDemo, type Demo } from '../../../src/mock/demo.js';
import { parseThresholdMap } from '../../../src/stats/thresholds-parse.js';
import { compileAlertRules } from '../../../src/alerts/rules.js';

describe('demo incident schedule', () => {
  it('is normal, then an incident, then normal again, every cycle', () => {
    const { startMs, durationMs, cycleMs } = DEMO_INCIDENT;
    expect(demoPhase(0)).toBe('normal');
    expect(demoPhase(startMs - 1)).toBe('normal');
    expect(demoPhase(startMs)).toBe('incident');
    expect(demoPhase(startMs + durationMs - 1)).toBe('incident');
    expect(demoPhase(startMs + durationMs)).toBe('normal');
    expect(demoPhase(cycleMs + startMs + 1)).toBe('incident');
    // The alerts' 1m window must be able to forget the incident before the next one.
    expect(cycleMs - durationMs).toBeGreaterThan(60_000 + 30_000);
  });

  it('its config is valid and its thresholds and alerts compile', () => {
    const config = demoConfig('http://127.0.0.1:1/v1', 'http://127.0.0.1:2/v1');
    expect(Object.keys(config.targets ?? {})).toEqual(['direct', 'relay']);
    expect(parseThresholdMap(config.thresholds ?? {}, 'demo').length).toBeGreaterThan(0);
    expect(compileAlertRules(config.alerts, 'demo').map((r) => r.name)).toEqual(['RelayErrorRate', 'RelaySlowFirstToken']);
  });
});

describe('startDemo', () => {
  let demo: Demo | null = null;
  afterAll(async () => demo?.close());

  it('switches the relay into its incident and back on the clock it is given', async () => {
    let t = 0;
    demo = await startDemo({ seed: 7, now: () => t, incident: { startMs: 1000, durationMs: 1000, cycleMs: 1_000_000 } });
    const ask = async (): Promise<{ status: number; ms: number }> => {
      const started = performance.now();
      const res = await fetch(`${demo!.relay.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1, stream: false }),
      });
      await res.text();
      return { status: res.status, ms: performance.now() - started };
    };
    const batch = () => Promise.all(Array.from({ length: 8 }, ask));
    // The demo polls its clock every 250 ms.
    const settle = () => new Promise((r) => setTimeout(r, 400));
    t = 1500;
    await settle();
    const incident = await batch();
    t = 2500;
    await settle();
    const normal = await batch();
    // Incident: TTFT lognormal around 2.2 s (sigma 0.3: below 1 s is a 4-sigma draw) or an immediate error.
    for (const r of incident) expect(r.status !== 200 || r.ms > 1000).toBe(true);
    expect(incident.some((r) => r.status === 200)).toBe(true);
    // Normal: ~0.4 s median; errors are 3% rate limits, so most are fast successes.
    expect(normal.filter((r) => r.status === 200 && r.ms < 1000).length).toBeGreaterThanOrEqual(5);
  });
});

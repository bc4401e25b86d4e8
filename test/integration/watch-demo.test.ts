/**
 * `watch --demo` end to end, headless: the staged incident on the simulated
 * relay must fire the demo's alert and, once the bad minute has left the 1m
 * window, resolve it. The run is long (about 100 s) because that is how long
 * a 1m window takes to forget; it runs beside the rest of the suite.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DEMO_INCIDENT } from '../../src/mock/demo.js';

interface AlertLine {
  alert: string;
  state: string;
  value: number | null;
  at: string;
}

describe('watch --demo', () => {
  it(
    'the incident fires the error-rate alert and it resolves after the incident ends; the summary covers both relays',
    async () => {
      const res = await runCli(['watch', '--demo', '--no-tui', '--json', '--interval', '10s', '--duration', '105s'], { timeoutMs: 150_000 });
      const alerts = res.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as AlertLine)
        .filter((a) => a.alert === 'RelayErrorRate');
      const states = alerts.map((a) => a.state);
      const fired = states.indexOf('firing');
      expect(fired).toBeGreaterThanOrEqual(0);
      // Resolved after it fired; a later blip may go pending and back to ok, but it must not end firing.
      expect(states.indexOf('resolved', fired)).toBeGreaterThan(fired);
      expect(['firing', 'pending']).not.toContain(states.at(-1));
      const firing = alerts.find((a) => a.state === 'firing')!;
      // The rule is rate<0.1, so it fires at exactly 0.1 too.
      expect(firing.value).toBeGreaterThanOrEqual(0.1);
      const summary = JSON.parse(res.stdout) as {
        command: string;
        targets: { name: string; summary: { requests: number; errorTypes: Record<string, number> } }[];
        thresholds: { ok: boolean }[];
      };
      expect(summary.command).toBe('watch');
      // A bounded run ends like check: the demo's thresholds decide, and the incident may breach errors:rate<0.05.
      expect(res.code).toBe(summary.thresholds.every((t) => t.ok) ? 0 : 1);
      const relay = summary.targets.find((t) => t.name === 'relay')!;
      const direct = summary.targets.find((t) => t.name === 'direct')!;
      // About 2 probes/s each for 105 s.
      expect(relay.summary.requests).toBeGreaterThan(150);
      expect(direct.summary.requests).toBeGreaterThan(150);
      // The incident's errors are the relay's only errors. Which kind each one is stays random, and 429s make
      // relaymon back off, so only their sum is certain (the alert above already proved there were enough).
      expect(Object.keys(relay.summary.errorTypes).every((k) => k === 'overloaded' || k === 'rate_limited')).toBe(true);
      expect((relay.summary.errorTypes['overloaded'] ?? 0) + (relay.summary.errorTypes['rate_limited'] ?? 0)).toBeGreaterThan(0);
      expect(Object.keys(direct.summary.errorTypes)).toEqual([]);
      // The whole incident happened inside the run.
      expect(DEMO_INCIDENT.startMs + DEMO_INCIDENT.durationMs).toBeLessThan(105_000);
    },
    160_000,
  );
});

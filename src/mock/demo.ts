/**
 * `watch --demo` (and `check --demo`-style use in tests): two simulated relays
 * started in-process, so the dashboard shows real, moving data with no key.
 *
 * - "direct": a steady provider at list price.
 * - "relay": a reseller at 30% of list price with a worse tail, occasional
 *   429s, and a staged incident (slow first tokens and overload errors) that
 *   fires the demo's alerts, then ends so that they resolve once the bad
 *   minute has left the 1m window.
 *
 * The incident schedule is pure (demoPhase) so it is tested without waiting.
 */
import { validateConfig } from '../config/load.js';
import type { RelaymonConfig } from '../config/schema.js';
import type { MockOptions } from './options.js';
import { startMock, type MockServer } from './server.js';

export const DEMO_MODEL = 'gpt-4o';
/** When the incident starts in each cycle, how long it lasts, and how often it comes back. */
export interface DemoIncident {
  startMs: number;
  durationMs: number;
  cycleMs: number;
}
export const DEMO_INCIDENT: Readonly<DemoIncident> = { startMs: 20_000, durationMs: 15_000, cycleMs: 180_000 };
export const DEMO_RELAY_PRICE_MULTIPLIER = 0.3;

export type DemoPhase = 'normal' | 'incident';

export function demoPhase(elapsedMs: number, incident: DemoIncident = DEMO_INCIDENT): DemoPhase {
  const t = ((elapsedMs % incident.cycleMs) + incident.cycleMs) % incident.cycleMs;
  return t >= incident.startMs && t < incident.startMs + incident.durationMs ? 'incident' : 'normal';
}

const DIRECT: Partial<MockOptions> = { ttftMs: 280, itlMs: 18, tokens: 24, jitter: true, ttftSigma: 0.2, itlSigma: 0.25 };
const RELAY_NORMAL: Partial<MockOptions> = {
  ttftMs: 380,
  itlMs: 24,
  tokens: 24,
  jitter: true,
  ttftSigma: 0.6,
  itlSigma: 0.4,
  errorRate: 0.03,
  errorMix: { rate_limited: 1 },
};
const RELAY_INCIDENT: Partial<MockOptions> = {
  ttftMs: 2200,
  ttftSigma: 0.3,
  // The alert (rate<0.1 over 1m, for 5 s) must fire in every demo. At ~2 probes/s the 1m window at the
  // incident's end holds ~90 normal requests (3% errors) and ~30 of the incident: at 45% errors it peaked
  // at 0.135 on average, one binomial σ 0.023, and stayed under 0.1 in about one demo in fifteen (once in a
  // CI run). At 60%: 0.17, more than 3σ above the line.
  errorRate: 0.6,
  // Mostly overload: a 429 makes relaymon back off (src/engine/gate.ts), so a 429-heavy incident would mostly
  // show up as skipped sends rather than as the overload it is meant to stage.
  errorMix: { overloaded: 0.8, rate_limited: 0.2 },
};

/** The demo's config: what a user would write for a relay and the provider behind it. */
export function demoConfig(directUrl: string, relayUrl: string): RelaymonConfig {
  return validateConfig(
    {
      targets: {
        direct: { baseUrl: directUrl, protocol: 'openai' },
        relay: { baseUrl: relayUrl, protocol: 'openai', priceMultiplier: DEMO_RELAY_PRICE_MULTIPLIER },
      },
      probes: {
        'chat-small': { model: DEMO_MODEL, prompt: 'Reply with OK', maxTokens: 24, stream: true, rate: '2/s', targets: ['direct', 'relay'] },
      },
      thresholds: { ttft: ['p(95)<1500'], errors: ['rate<0.05'] },
      alerts: [
        { name: 'RelayErrorRate', threshold: 'errors{target:relay}:rate<0.1', window: '1m', for: '5s', notify: [] },
        { name: 'RelaySlowFirstToken', threshold: 'ttft{target:relay}:p(95)<1500', window: '1m', for: '10s', notify: [] },
      ],
    },
    'demo',
  );
}

export interface Demo {
  config: RelaymonConfig;
  direct: MockServer;
  relay: MockServer;
  /** Ends the incident timer and stops both simulated relays. */
  close(): Promise<void>;
}

/** Starts the simulated relays and the incident clock (elapsed from now). */
export async function startDemo(opts: { seed?: number; now?: () => number; incident?: DemoIncident } = {}): Promise<Demo> {
  const now = opts.now ?? (() => performance.now());
  const seed = opts.seed ?? null;
  const direct = await startMock({ ...DIRECT, seed });
  const relay = await startMock({ ...RELAY_NORMAL, seed: seed === null ? null : seed + 1 });
  const t0 = now();
  let phase: DemoPhase = 'normal';
  const timer = setInterval(() => {
    const next = demoPhase(now() - t0, opts.incident);
    if (next === phase) return;
    phase = next;
    relay.update(phase === 'incident' ? RELAY_INCIDENT : RELAY_NORMAL);
  }, 250);
  timer.unref();
  return {
    config: demoConfig(direct.url, relay.url),
    direct,
    relay,
    close: async () => {
      clearInterval(timer);
      await Promise.all([direct.close(), relay.close()]);
    },
  };
}

/**
 * The mock's staged incident (`relaymon mock --incident-at D --incident-for D`):
 * requests that ARRIVE in [at, at + for) after the mock started listening are
 * answered as by a relay in trouble, the others as configured. It stages the
 * canary test of `replay --ramp --abort-on-fail` (README.md "Replay recorded
 * traffic"): the candidate degrades at a known moment, so the ramp must stop
 * at the step where it did. Deterministic with --seed: the same draws, in
 * arrival order, decide faults and delays before, during and after.
 *
 * What "in trouble" is: --scenario overloaded's slow, jittered TTFT and its 30%
 * of errors, but overloaded answers only (503/529 and in-stream
 * overloaded_error), no 429: relaymon honours a 429's retry-after by skipping
 * sends (engine/gate.ts), so a 429-heavy incident would show mostly as
 * skipped sends, not as the errors it is meant to stage (as mock/demo.ts).
 */
import { resolveMockOptions, SCENARIOS, type MockOptions } from './options.js';

export const INCIDENT_ERROR_RATE = 0.3;
const OVERLOADED = SCENARIOS.overloaded.options;

export function inIncident(incident: MockOptions['incident'], elapsedMs: number): boolean {
  return incident != null && elapsedMs >= incident.atMs && elapsedMs < incident.atMs + incident.forMs;
}

/** The options a request arriving during the incident is answered with: `base` with the incident laid over it. */
export function incidentOptions(base: MockOptions): MockOptions {
  // The other fault rates stay; the error rate leaves them room (they add up to at most 1).
  const others = base.resetRate + base.truncateRate + base.stallRate;
  return resolveMockOptions({
    ...base,
    scenario: null,
    ttftMs: OVERLOADED.ttftMs,
    itlMs: OVERLOADED.itlMs,
    jitter: true,
    ttftSigma: OVERLOADED.ttftSigma,
    status: null,
    errorRate: Math.min(INCIDENT_ERROR_RATE, Math.max(0, 1 - others)),
    errorMix: { overloaded: 0.8, stream_overloaded: 0.2 },
  });
}

/** Human words for the stderr line and --help. */
export function describeIncident(incident: MockOptions['incident']): string | null {
  if (!incident) return null;
  return `incident from ${incident.atMs / 1000}s for ${incident.forMs / 1000}s (${INCIDENT_ERROR_RATE * 100}% overloaded errors, slow TTFT)`;
}

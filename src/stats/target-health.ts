/**
 * One number per target for dashboards and alert rules: 0 ok, 1 degraded,
 * 2 down (the `relaymon_target_state` gauge; the terminal dashboard shows the
 * same verdict). Pure: decided from the target's last-minute window, its
 * firing alerts and whether a 429 back-off is running, never from I/O.
 *
 * The rule, in order:
 *  - down (2): at least DOWN_MIN_REQUESTS requests finished in the window and
 *    every one of them failed. One failure at start-up is not "down"; a
 *    minute in which nothing got through is, whatever the errors were.
 *  - degraded (1): an alert about this target is firing, or the target is
 *    backing off after a 429, or at least DEGRADED_ERROR_RATE of the
 *    window's requests failed.
 *  - ok (0): otherwise, including a window with no requests yet (no
 *    evidence is not an outage; Prometheus's `up` and the request rate
 *    cover an agent that stopped sending).
 *
 * Which alerts are "about" a target: those whose threshold names it
 * (`ttft{target:relay}:p(95)<800`); an alert without a target tag judges all
 * traffic together, so it counts for a target only when there is one target.
 */
import type { AlertStateView } from '../alerts/rule-state.js';
import { parseThreshold } from './thresholds-parse.js';
import type { WindowStats } from './windows.js';

export const TARGET_HEALTH = { ok: 0, degraded: 1, down: 2 } as const;
export type TargetHealth = (typeof TARGET_HEALTH)[keyof typeof TARGET_HEALTH];
/** The verdict's word, as the dashboard shows it. */
export type HealthName = keyof typeof TARGET_HEALTH;

/** The window the verdict is taken on. */
export const HEALTH_WINDOW = '1m';
export const DOWN_MIN_REQUESTS = 2;
export const DEGRADED_ERROR_RATE = 0.05;

export interface TargetHealthInput {
  /** The target's HEALTH_WINDOW statistics; null when none are known yet. */
  window: Pick<WindowStats, 'requests' | 'errors'> | null;
  /** Alerts about this target that are firing now (see firingAlertsFor). */
  firingAlerts: number;
  /** A 429 back-off is running for this target. */
  backingOff: boolean;
}

export function targetHealth(input: TargetHealthInput): TargetHealth {
  const w = input.window;
  if (w !== null && w.requests >= DOWN_MIN_REQUESTS && w.errors >= w.requests) return TARGET_HEALTH.down;
  if (input.firingAlerts > 0 || input.backingOff) return TARGET_HEALTH.degraded;
  if (w !== null && w.requests > 0 && w.errors / w.requests >= DEGRADED_ERROR_RATE) return TARGET_HEALTH.degraded;
  return TARGET_HEALTH.ok;
}

/** The target an alert's expression names, or null when it has no target tag (or cannot be read). */
export function alertTarget(expression: string): string | null {
  try {
    return parseThreshold(expression).tags.target ?? null;
  } catch {
    return null;
  }
}

/** How many firing alerts are about `target` (see the rule above). */
export function firingAlertsFor(target: string, alerts: readonly Pick<AlertStateView, 'state' | 'expression'>[], targetCount: number): number {
  let n = 0;
  for (const a of alerts) {
    if (a.state !== 'firing') continue;
    const named = alertTarget(a.expression);
    if (named === target || (named === null && targetCount === 1)) n++;
  }
  return n;
}

export function healthName(s: TargetHealth): HealthName {
  return s === TARGET_HEALTH.down ? 'down' : s === TARGET_HEALTH.degraded ? 'degraded' : 'ok';
}

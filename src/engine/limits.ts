/**
 * The engine's pure decisions about when a run has sent enough: `-n N` sends
 * N requests to EACH target of the plan (a replay: N lines, each sent to every
 * target), a finite plan may end before that, and the progress total is the
 * smaller of the two.
 */
import type { TrafficPlan } from './messages.js';
import { plannedTotal } from './sources.js';

export interface RunTotals {
  /** Requests the plan sends in all when finite (a replay without --loop), else null. */
  planned: number | null;
  /** The progress bar's total: the plan's, or -n × targets, whichever is smaller; null when open-ended. */
  total: number | null;
}

export function runTotals(plan: TrafficPlan, requests: number | null, planTargetCount: number): RunTotals {
  const planned = plannedTotal(plan);
  const perTargetCap = requests === null ? null : requests * planTargetCount;
  return { planned, total: planned === null ? perTargetCap : perTargetCap === null ? planned : Math.min(planned, perTargetCap) };
}

/** -n N: a target has had its N (sent, or held to be sent). */
export function quotaMet(requests: number | null, sent: number, held: number): boolean {
  return requests !== null && sent + held >= requests;
}

/**
 * -n N: every target of the plan has been sent its N; in a closed loop, N
 * lines have been taken (`closedTaken`, null for an open loop).
 */
export function limitReached(requests: number | null, closedTaken: number | null, sentPerPlanTarget: readonly number[]): boolean {
  if (requests === null) return false;
  if (closedTaken !== null) return closedTaken >= requests;
  return sentPerPlanTarget.every((sent) => sent >= requests);
}

/** The plan ends by itself no later than -n would stop it (a replay of fewer lines than N). */
export function planEndsWithin(planned: number | null, requests: number | null, planTargetCount: number): boolean {
  return planned !== null && requests !== null && requests * planTargetCount >= planned;
}

/**
 * How far before the end a due instant still counts as at the end. An instant is computed as planStart +
 * k × interval (traffic/schedule.ts), and subtracting planStart again need not give k × interval back in
 * floating point: 593.688359 + 8 × 250 − 593.688359 is 1999.9999999999998. Read as before the end, the send
 * due exactly at the end of `check --every 250ms --duration 2s` was scheduled, and went out whenever its
 * timer beat the duration's (a 9th request in 3 of 10 runs on a loaded machine). A microsecond is far above
 * that rounding (≤ 1e-7 ms for a process up for weeks) and far below any interval a plan can have.
 */
export const END_SLACK_MS = 0.001;

/** Whether a send due at `dueMs` (the engine's clock) falls at or after the end of a --duration run that started at `planStart`. */
export function dueAfterEnd(dueMs: number, planStart: number, durationMs: number | null): boolean {
  return durationMs !== null && dueMs - planStart >= durationMs - END_SLACK_MS;
}

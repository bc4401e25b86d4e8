/**
 * Alert rules and their states: plain data shared by the evaluator (pure), the
 * notifier (I/O) and the engine, which puts AlertStateView[] in its snapshots.
 */
import type { AlertWindow, NotifyChannel } from '../config/schema.js';
import type { Threshold } from '../stats/thresholds.js';

export type { AlertWindow, NotifyChannel } from '../config/schema.js';

export interface AlertRule {
  /** Alertmanager's alertname: the config name, or derived from the threshold ("ttft_target_relay_p95"). */
  name: string;
  /** Must hold; the alert fires while it does not. */
  threshold: Threshold;
  window: AlertWindow;
  /** How long the rule must stay pending (breached) before it fires. */
  forMs: number;
  notify: NotifyChannel[];
  /** Fewer requests than this in the window (for the threshold's tags) is no evidence either way. */
  minRequests: number;
  /** Extra Alertmanager labels. */
  labels: Record<string, string>;
  /** Consecutive breached evaluations that make an ok rule pending. */
  fireAfter: number;
  /** Consecutive good evaluations that resolve a firing rule, or return a pending one to ok. */
  resolveAfter: number;
}

/** 'resolved' is shown until the rule's next evaluation, after which it is 'ok' again. */
export type AlertState = 'ok' | 'pending' | 'firing' | 'resolved';

export interface AlertTransition {
  rule: string;
  from: AlertState;
  to: AlertState;
  /** The evaluator's clock (whatever nowMs the caller passes). */
  atMs: number;
  /** The value that decided this transition, in the metric's unit; null only if never measured. */
  value: number | null;
  expression: string;
  labels: Record<string, string>;
  /** When the rule went pending, on the evaluator's clock. */
  startsAtMs: number;
  /** One human line: "ttft{target:relay}:p(95)<800 breached: 1203ms over 1m". */
  summary: string;
}

/** Plain JSON: crosses postMessage as is. */
export interface AlertStateView {
  name: string;
  state: AlertState;
  /** The last evaluated value (null before any evidence). */
  value: number | null;
  /** When the current state began, on the evaluator's clock; null while it has never left ok. */
  since: number | null;
  expression: string;
  window: AlertWindow;
  lastFiredAt: number | null;
  lastResolvedAt: number | null;
}

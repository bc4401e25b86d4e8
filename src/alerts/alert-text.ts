/** Human lines for alert transitions, shared by the evaluator, the dashboard and the sinks. Pure. */
import { formatValue, valueUnit, type Threshold } from '../stats/thresholds.js';
import type { AlertRule, AlertState } from './rule-state.js';

export function formatAlertValue(t: Threshold, value: number | null): string {
  return value === null ? 'no data' : formatValue(value, valueUnit(t.metric, t.aggregation));
}

function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.round(m / 60)}h`;
}

/** "ttft{target:relay}:p(95)<800 breached: 1203ms over 1m". */
export function alertSummary(rule: AlertRule, to: AlertState, value: number | null): string {
  const shown = formatAlertValue(rule.threshold, value);
  const expr = rule.threshold.expression;
  switch (to) {
    case 'pending':
      return `${expr} breached: ${shown} over ${rule.window} (fires if it lasts ${durationText(rule.forMs)})`;
    case 'firing':
      return `${expr} breached: ${shown} over ${rule.window}`;
    case 'resolved':
      return `${expr} holds again: ${shown} over ${rule.window}`;
    case 'ok':
      return `${expr} holds: ${shown} over ${rule.window}`;
  }
}

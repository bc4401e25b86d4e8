/**
 * What each sink sends. Pure. Bodies are built only from the rule and the
 * transition (names, expressions, values, the user's labels), never from a
 * URL or a header, so no credential can reach a receiver; the notifier still
 * passes every string through the redactor on the way out.
 */
import { formatAlertValue } from '../alert-text.js';
import type { AlertRule, AlertTransition } from '../rule-state.js';

/** A transition as the notifier saw it, with wall-clock times. */
export interface Notice {
  rule: AlertRule;
  transition: AlertTransition;
  at: string;
  startsAt: string;
  /** Set for a resolution. */
  endsAt: string | null;
}

export interface WebhookBody {
  /** Slack-compatible: an incoming webhook shows this line. */
  text: string;
  alert: string;
  state: string;
  value: number | null;
  valueText: string;
  expression: string;
  window: string;
  summary: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  at: string;
  source: 'relaymon';
}

export function webhookBody(n: Notice): WebhookBody {
  const t = n.transition;
  return {
    text: `[${t.to.toUpperCase()}] ${t.rule}: ${t.summary}`,
    alert: t.rule,
    state: t.to,
    value: t.value,
    valueText: formatAlertValue(n.rule.threshold, t.value),
    expression: t.expression,
    window: n.rule.window,
    summary: t.summary,
    labels: { ...t.labels },
    startsAt: n.startsAt,
    endsAt: n.endsAt,
    at: n.at,
    source: 'relaymon',
  };
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: { summary: string; description: string; value: string };
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * Labels identify the alert to Alertmanager, so they only hold what stays the
 * same while it fires: the name, the severity, the threshold's tags and the
 * user's labels. `alertname` is always the rule's name.
 */
export function alertmanagerLabels(rule: AlertRule): Record<string, string> {
  const labels: Record<string, string> = { severity: 'warning' };
  const tags = rule.threshold.tags;
  if (tags.target !== undefined) labels['relaymon_target'] = tags.target;
  if (tags.model !== undefined) labels['relaymon_model'] = tags.model;
  if (tags.probe !== undefined) labels['relaymon_probe'] = tags.probe;
  return { ...labels, ...rule.labels, alertname: rule.name };
}

export function alertmanagerAlert(n: Notice, generatorURL: string | null): AlertmanagerAlert {
  const t = n.transition;
  const value = formatAlertValue(n.rule.threshold, t.value);
  const alert: AlertmanagerAlert = {
    labels: alertmanagerLabels(n.rule),
    annotations: {
      summary: t.summary,
      description: `relaymon alert ${n.rule.name}: ${t.expression} must hold over the ${n.rule.window} window; value ${value}.`,
      value,
    },
    startsAt: n.startsAt,
  };
  if (n.endsAt !== null) alert.endsAt = n.endsAt;
  if (generatorURL !== null) alert.generatorURL = generatorURL;
  return alert;
}

/** One line of JSON on stderr per transition in headless mode. */
export function headlessLine(n: Notice): string {
  const t = n.transition;
  return JSON.stringify({ alert: t.rule, state: t.to, value: t.value, expression: t.expression, at: n.at });
}

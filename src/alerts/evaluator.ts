/**
 * The alert state machine, Prometheus-rule style with hysteresis:
 *
 *   ok ──fireAfter consecutive breaches──▶ pending ──still breached after forMs──▶ firing
 *   pending ──resolveAfter consecutive goods──▶ ok          (never notified)
 *   firing ──resolveAfter consecutive goods──▶ resolved ──next evaluation──▶ ok
 *
 * An evaluation without evidence (no value, or fewer than minRequests requests)
 * changes nothing, streaks included: an empty window is neither good nor bad.
 * Unlike CI thresholds, "no data" is never a breach here. Pure: the time is
 * passed in, so tests drive it with a fake clock.
 */
import { evaluateThresholds, type MetricQuery } from '../stats/thresholds.js';
import { alertSummary } from './alert-text.js';
import type { AlertRule, AlertState, AlertStateView, AlertTransition, AlertWindow } from './rule-state.js';

export type WindowQuery = (window: AlertWindow) => MetricQuery;

interface RuleState {
  rule: AlertRule;
  state: AlertState;
  badStreak: number;
  goodStreak: number;
  value: number | null;
  since: number | null;
  startsAtMs: number;
  lastFiredAt: number | null;
  lastResolvedAt: number | null;
}

type Evidence = { breached: boolean; value: number } | null;

function evidence(rule: AlertRule, query: MetricQuery): Evidence {
  const [result] = evaluateThresholds([rule.threshold], query);
  if (!result || result.value === null) return null;
  if (rule.minRequests > 0) {
    const requests = query('requests', { kind: 'count' }, rule.threshold.tags) ?? 0;
    if (!(requests >= rule.minRequests)) return null;
  }
  return { breached: !result.ok, value: result.value };
}

export class AlertEvaluator {
  private readonly rules: RuleState[];

  constructor(rules: AlertRule[]) {
    this.rules = rules.map((rule) => ({
      rule,
      state: 'ok',
      badStreak: 0,
      goodStreak: 0,
      value: null,
      since: null,
      startsAtMs: 0,
      lastFiredAt: null,
      lastResolvedAt: null,
    }));
  }

  /** Evaluates every rule at `nowMs`; returns what changed, in rule order. */
  evaluate(nowMs: number, query: WindowQuery): AlertTransition[] {
    const out: AlertTransition[] = [];
    const perWindow = new Map<AlertWindow, MetricQuery>();
    for (const s of this.rules) {
      let q = perWindow.get(s.rule.window);
      if (!q) {
        q = query(s.rule.window);
        perWindow.set(s.rule.window, q);
      }
      this.step(s, nowMs, evidence(s.rule, q), out);
    }
    return out;
  }

  states(): AlertStateView[] {
    return this.rules.map((s) => ({
      name: s.rule.name,
      state: s.state,
      value: s.value,
      since: s.since,
      expression: s.rule.threshold.expression,
      window: s.rule.window,
      lastFiredAt: s.lastFiredAt,
      lastResolvedAt: s.lastResolvedAt,
    }));
  }

  private step(s: RuleState, nowMs: number, ev: Evidence, out: AlertTransition[]): void {
    s.since ??= nowMs;
    if (ev === null) return;
    s.value = ev.value;
    if (s.state === 'resolved') {
      // Resolution was announced at the last evaluation; from here on it is an ordinary ok rule.
      this.move(s, 'ok', nowMs, null);
    }
    if (ev.breached) {
      s.badStreak++;
      s.goodStreak = 0;
    } else {
      s.goodStreak++;
      s.badStreak = 0;
    }
    switch (s.state) {
      case 'ok':
        if (s.badStreak >= s.rule.fireAfter) {
          s.startsAtMs = nowMs;
          this.move(s, 'pending', nowMs, out);
          this.maybeFire(s, nowMs, out);
        }
        break;
      case 'pending':
        if (ev.breached) this.maybeFire(s, nowMs, out);
        // A pending rule needs as much good evidence to stand down as a firing one to resolve.
        else if (s.goodStreak >= s.rule.resolveAfter) this.move(s, 'ok', nowMs, out);
        break;
      case 'firing':
        if (s.goodStreak >= s.rule.resolveAfter) {
          s.lastResolvedAt = nowMs;
          this.move(s, 'resolved', nowMs, out);
        }
        break;
      case 'resolved':
        break;
    }
  }

  private maybeFire(s: RuleState, nowMs: number, out: AlertTransition[]): void {
    if (nowMs - s.startsAtMs < s.rule.forMs) return;
    s.lastFiredAt = nowMs;
    this.move(s, 'firing', nowMs, out);
  }

  private move(s: RuleState, to: AlertState, nowMs: number, out: AlertTransition[] | null): void {
    const from = s.state;
    s.state = to;
    s.since = nowMs;
    // Streaks count toward the next transition only.
    if (to === 'pending' || to === 'firing') s.goodStreak = 0;
    if (to === 'ok' || to === 'resolved') s.badStreak = 0;
    out?.push({
      rule: s.rule.name,
      from,
      to,
      atMs: nowMs,
      value: s.value,
      expression: s.rule.threshold.expression,
      labels: { ...s.rule.labels },
      startsAtMs: s.startsAtMs,
      summary: alertSummary(s.rule, to, s.value),
    });
  }
}

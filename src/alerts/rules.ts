/**
 * Alert rules from the config's `alerts:` list. Pure: no I/O, no timers.
 * The evaluator (the state machine) lives in evaluator.ts and is re-exported
 * here, so `check`, `replay` and `watch` import one module.
 */
import { ConfigError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import type { AlertConfig, NotifyChannel } from '../config/schema.js';
import { parseThreshold, type Threshold } from '../stats/thresholds.js';
import type { AlertRule } from './rule-state.js';

export * from './rule-state.js';
export { AlertEvaluator, type WindowQuery } from './evaluator.js';

export const DEFAULT_MIN_REQUESTS = 5;
export const DEFAULT_FIRE_AFTER = 2;
export const DEFAULT_RESOLVE_AFTER = 3;
/**
 * Bell is opt-in; the remote channels are tried by default and the notifier
 * skips the ones `notify:` does not configure.
 */
export const DEFAULT_NOTIFY: readonly NotifyChannel[] = ['webhook', 'alertmanager'];

/**
 * Prometheus accepts only metric-name characters in an alert name, so a derived
 * name keeps to `[A-Za-z_][A-Za-z0-9_]*`: "ttft{target:relay}:p(95)<800" →
 * "ttft_target_relay_p95".
 */
export function deriveAlertName(t: Threshold): string {
  const parts: string[] = [t.metric];
  for (const [key, value] of Object.entries(t.tags)) {
    if (value !== undefined) parts.push(key, value);
  }
  parts.push(t.aggregation.kind === 'p' ? `p${t.aggregation.p}` : t.aggregation.kind);
  return sanitizeAlertName(parts.join('_'));
}

export function sanitizeAlertName(raw: string): string {
  const s = raw
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (s === '') return 'relaymon_alert';
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function configError(source: string, path: string, message: string, cause: unknown): ConfigError {
  return new ConfigError(`${source}: ${path}: ${message}`, source, path, { cause });
}

/**
 * `source` names where the alerts came from (the config file's path) for
 * error messages. Names are unique: the schema refuses a repeated config
 * name, and a derived name that collides gets a "_2" suffix.
 */
export function compileAlertRules(alerts: AlertConfig[] | undefined, source: string): AlertRule[] {
  if (!alerts || alerts.length === 0) return [];
  // Configured names first, so a derived name never takes one the user chose.
  const taken = new Set(alerts.flatMap((a) => (a.name !== undefined ? [a.name] : [])));
  return alerts.map((alert, i) => {
    let threshold: Threshold;
    try {
      threshold = parseThreshold(alert.threshold);
    } catch (err) {
      throw configError(source, `alerts[${i}].threshold`, err instanceof Error ? err.message : String(err), err);
    }
    let forMs: number;
    try {
      forMs = parseDuration(alert.for);
    } catch (err) {
      throw configError(source, `alerts[${i}].for`, err instanceof Error ? err.message : String(err), err);
    }
    let name = alert.name;
    if (name === undefined) {
      name = uniqueName(deriveAlertName(threshold), taken);
      taken.add(name);
    }
    return {
      name,
      threshold,
      window: alert.window,
      forMs,
      notify: alert.notify ? [...new Set(alert.notify)] : [...DEFAULT_NOTIFY],
      minRequests: alert.minRequests ?? DEFAULT_MIN_REQUESTS,
      labels: { ...(alert.labels ?? {}) },
      fireAfter: DEFAULT_FIRE_AFTER,
      resolveAfter: DEFAULT_RESOLVE_AFTER,
    };
  });
}

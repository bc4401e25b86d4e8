/**
 * The plain line mode of `watch` when there is no terminal (README.md "Watch relays live"):
 * one logfmt line per target every interval. Pure.
 *
 *   time=2026-11-27T08:00:05.000Z target=relay rps=2.0 p50_ms=412 p95_ms=980 ttft_p95_ms=640 err_pct=1.5 cost_per_hour_usd=0.0123
 *
 * A value that has no data yet (no request in the window) is left empty
 * (`p95_ms=`), never 0: a zero would read as "fast".
 */
import type { WindowStats } from '../stats/windows.js';
import type { TargetSchedule } from '../engine/messages.js';
import { scheduleFields } from './schedule-text.js';

export const LOGFMT_KEYS = ['time', 'target', 'rps', 'p50_ms', 'p95_ms', 'ttft_p95_ms', 'err_pct', 'cost_per_hour_usd'] as const;

/** A logfmt value: bare when it can be, quoted (with \" and \\ escaped) when it holds space, =, " or nothing printable. */
export function logfmtValue(v: string): string {
  if (v === '') return '';
  if (/^[^\s="\\]+$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function num(v: number | null, digits: number): string {
  return v === null || !Number.isFinite(v) ? '' : v.toFixed(digits);
}

/**
 * schedule: the target's cap and sends so far; when the engine held any back (its cap, a 429 back-off),
 * cap, cap_waits, sent, scheduled, dropped and skipped_backoff follow the standard keys.
 */
export function logfmtLine(time: Date, target: string, w: WindowStats | null, schedule?: { cap: number; schedule: TargetSchedule }): string {
  const has = w !== null && w.requests > 0;
  const fields: [string, string][] = [
    ['time', time.toISOString()],
    ['target', target],
    ['rps', w ? num(w.rps, 2) : ''],
    ['p50_ms', has ? num(w.latencyMs.p50, 0) : ''],
    ['p95_ms', has ? num(w.latencyMs.p95, 0) : ''],
    ['ttft_p95_ms', has ? num(w.ttftMs.p95, 0) : ''],
    ['err_pct', has ? num(w.errorRate * 100, 2) : ''],
    ['cost_per_hour_usd', w ? num(w.costPerHourUsd, 4) : ''],
    ...(schedule ? scheduleFields(schedule.cap, schedule.schedule) : []),
  ];
  return fields.map(([k, v]) => `${k}=${logfmtValue(v)}`).join(' ');
}

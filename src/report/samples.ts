/**
 * The per-request numbers a report's charts need, kept compactly while a run
 * or a log streams by: one growable Float64Array per column (8 bytes a value,
 * about 48 bytes a request), not the RequestResult objects themselves, so a
 * 100,000-line log costs a few MB rather than the records' hundreds.
 */
import { ERROR_TYPES, type RequestResult } from '../core/result.js';
import { isUnfinished } from '../stats/summary.js';

export class Column {
  private data = new Float64Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** errorType as a number: its index in ERROR_TYPES; OK for a success, UNFINISHED for relaymon's own cut. */
export const OK = -1;
export const UNFINISHED = -2;
export const UNKNOWN_ERROR = ERROR_TYPES.length;

/** One target's requests, index for index across the columns. */
export class TargetSamples {
  readonly end = new Column();
  readonly latency = new Column();
  readonly ttft = new Column();
  readonly itl = new Column();
  readonly outcome = new Column();
  readonly failedChecks: Record<string, number> = {};
  protocol: string | null = null;

  constructor(readonly name: string) {}

  /** `endMs` on the report's clock (epoch ms). Timings are NaN where the request has none or failed (timings are over successes, src/stats/summary.ts). */
  add(r: RequestResult, endMs: number): void {
    this.protocol ??= r.protocol;
    const ok = r.ok && !isUnfinished(r);
    this.end.push(endMs);
    this.latency.push(ok ? r.latencyMs : NaN);
    this.ttft.push(ok && r.ttftMs !== null ? r.ttftMs : NaN);
    this.itl.push(ok && r.itlMs !== null ? r.itlMs : NaN);
    const type = r.errorType === null ? UNKNOWN_ERROR : (ERROR_TYPES as readonly string[]).indexOf(r.errorType);
    this.outcome.push(isUnfinished(r) ? UNFINISHED : r.ok ? OK : type < 0 ? UNKNOWN_ERROR : type);
    for (const c of r.checks ?? []) if (!c.ok) this.failedChecks[c.name] = (this.failedChecks[c.name] ?? 0) + 1;
  }
}

export function errorTypeName(code: number): string {
  return ERROR_TYPES[code] ?? 'unknown';
}

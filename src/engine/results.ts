import { performance } from 'node:perf_hooks';
import type { RequestResult } from '../core/result.js';
import { redact } from '../core/redact.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { adapterFor } from '../protocol/index.js';
import type { RequestLog } from '../export/request-log.js';
import type { WindowedStats } from '../stats/windows.js';
import type { RecentError } from './messages.js';
import type { TargetSlot } from './slot.js';

const RECENT_ERRORS = 20;

/**
 * Where every finished request goes: the windows, the run's counts, the
 * recent errors, a 429's back-off, the request log, and the batch the next
 * snapshot carries.
 */
export class ResultBook {
  done = 0;
  errors = 0;
  anyHttpAnswer = false;
  readonly recentErrors: RecentError[] = [];
  /** The slowest successful answer per target: at the end of the grace period it tells a hanging request from a slow one (core/stop.ts). */
  readonly slowestOk = new Map<string, number>();
  private batch: RequestResult[] = [];
  private seqs: number[] = [];

  constructor(
    private readonly stats: WindowedStats,
    /** backOff: a 429's retry-after holds the target's sends (every command but probe). */
    private readonly opts: { emitResults: boolean; startedAt: number; backOff: boolean },
    private readonly log: () => RequestLog | null,
  ) {}

  /** `seq`: the send order of the request (1 = the run's first send). */
  record(slot: TargetSlot, spec: RequestSpec, r: RequestResult, seq: number): void {
    this.done += 1;
    if (r.ok && r.latencyMs > (this.slowestOk.get(r.target) ?? 0)) this.slowestOk.set(r.target, r.latencyMs);
    this.stats.record(r, performance.now());
    if (r.httpStatus !== null) this.anyHttpAnswer = true;
    if (!r.ok) {
      this.errors += 1;
      this.recentErrors.push({
        time: Date.now(),
        target: r.target,
        model: r.model,
        errorType: r.errorType ?? 'bad_response',
        httpStatus: r.httpStatus,
        // A relay's own words, shown on the dashboard: a relay may echo the key in them (core/redact.ts).
        requestId: r.requestId === null ? null : redact(r.requestId),
        message: r.errorMessage === null ? null : redact(r.errorMessage),
      });
      if (this.recentErrors.length > RECENT_ERRORS) this.recentErrors.shift();
    }
    // A relay that says "retry after" is backed off exactly as told; scheduled sends that fall inside are skipped, not bunched up for later.
    if (this.opts.backOff && r.httpStatus === 429 && r.retryAfterMs !== null && r.retryAfterMs > 0) {
      slot.gate.backoffUntilPerf = Math.max(slot.gate.backoffUntilPerf, performance.now() + r.retryAfterMs);
      slot.info.backoffSkipped += slot.gate.held.length;
      slot.gate.skipHeld();
      slot.info.backoffs += 1;
      slot.info.backoffUntil = Date.now() + r.retryAfterMs;
    }
    if (this.opts.emitResults) {
      this.batch.push(r);
      this.seqs.push(seq);
    }
    const log = this.log();
    if (log) {
      log.write({
        t: r.startedAt - this.opts.startedAt,
        time: new Date(r.startedAt).toISOString(),
        target: r.target,
        probe: r.probe,
        protocol: r.protocol,
        body: adapterFor(r.protocol).buildBody(spec),
        result: r,
      });
    }
  }

  /** The results finished since the last call (every one when emitResults), for the next snapshot. */
  takeBatch(): { results: RequestResult[]; seqs: number[] } {
    const b = { results: this.batch, seqs: this.seqs };
    this.batch = [];
    this.seqs = [];
    return b;
  }
}

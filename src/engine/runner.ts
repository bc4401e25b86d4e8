import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import type { RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestSpec } from '../protocol/types.js';
import { adapterFor } from '../protocol/index.js';
import { RelayClient } from '../client/index.js';
import { PriceTable } from '../pricing/table.js';
import { loadPricesFile } from '../pricing/load.js';
import { WindowedStats } from '../stats/windows.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import { RequestLog } from '../export/request-log.js';
import type { EngineConfig, EngineSnapshot, EngineState, FromWorker, RecentError, StoppedBy, TargetInfo } from './messages.js';
import { closedLoopCursor, openLoopSources, plannedTotal, SourceHeap, type DueSend } from './sources.js';
import { SaturationMonitor } from './saturation.js';
import { SpendGuard } from '../traffic/budget.js';
import { AlertEvaluator, type AlertTransition } from '../alerts/rules.js';

const RECENT_ERRORS = 20;
/** Sends held back at a full concurrency cap, per target, before new ones are dropped. */
const MAX_HELD_PER_TARGET = 10_000;

interface Held {
  spec: RequestSpec;
  probe: string | null;
  scheduledAt: number;
}

interface TargetState {
  target: ResolvedTarget;
  inFlight: number;
  held: Held[];
  info: TargetInfo;
  backoffUntilPerf: number;
}

/**
 * The engine proper: scheduler, client and aggregator. It runs inside the
 * worker (worker.ts wires it to the parent port), but knows nothing of
 * threads, so tests can drive it in-process.
 */
export class EngineRunner {
  private state: EngineState = 'starting';
  private readonly stats: WindowedStats;
  private readonly saturation = new SaturationMonitor();
  private readonly targets = new Map<string, TargetState>();
  private readonly heap = new SourceHeap();
  /** One signal for every request in flight; a stop's grace period ends by aborting it. */
  private readonly abort = new AbortController();
  private client: RelayClient | null = null;
  private log: RequestLog | null = null;
  private timer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private durationTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private batch: RequestResult[] = [];
  private readonly recentErrors: RecentError[] = [];
  private readonly startPerf = performance.now();
  private readonly startedAt = Date.now();
  /** Time spent paused, added to every scheduled instant so the plan resumes where it left off. */
  private shift = 0;
  private pausedAt: number | null = null;
  private planStart = 0;
  private sent = 0;
  private done = 0;
  private errors = 0;
  private anyHttpAnswer = false;
  private stoppedBy: StoppedBy = null;
  private closedLoopNext: (() => RequestSpec | null) | null = null;
  private closedWorkers = 0;
  private readonly total: number | null;
  private readonly planned: number | null;
  private guard: SpendGuard | null = null;
  private spendRefused = 0;
  /** Why the spend guard refused the request that ended the run, for the stop message. */
  private spendRefusal: string | null = null;
  private readonly alerts: AlertEvaluator;
  private transitions: AlertTransition[] = [];

  constructor(
    private readonly config: EngineConfig,
    private readonly post: (msg: FromWorker) => void,
  ) {
    this.stats = new WindowedStats({ startMs: this.startPerf });
    this.alerts = new AlertEvaluator(config.alerts);
    setMaxListeners(0, this.abort.signal); // one listener per request in flight, by design
    for (const t of config.targets) {
      this.targets.set(t.name, {
        target: t,
        inFlight: 0,
        held: [],
        backoffUntilPerf: 0,
        info: { name: t.name, baseUrl: t.baseUrl, protocol: t.protocol, backoffs: 0, backoffSkipped: 0, backoffUntil: null },
      });
    }
    const planned = plannedTotal(config.plan);
    const cap = config.stopAfter.requests;
    this.planned = planned;
    this.total = planned === null ? cap : cap === null ? planned : Math.min(planned, cap);
  }

  async start(): Promise<void> {
    let prices = PriceTable.builtIn();
    for (const file of this.config.priceFiles) prices = await loadPricesFile(file, prices);
    this.client = new RelayClient(prices);
    this.guard = new SpendGuard(this.config.budgetUsd, prices);
    if (this.config.log) this.log = RequestLog.open(this.config.log.path, { logBodies: this.config.log.logBodies, truncate: true });
    this.state = 'running';
    const start = performance.now();
    this.planStart = start;
    const plan = this.config.plan;
    if (plan.kind === 'replay' && plan.mode.kind === 'closed') {
      this.closedLoopNext = closedLoopCursor(plan.entries, plan.loop);
      for (let i = 0; i < plan.mode.concurrency; i++) void this.closedWorker(plan.targets);
    } else {
      for (const s of openLoopSources(plan, start)) this.heap.push(s);
      this.schedule();
    }
    if (this.config.stopAfter.durationMs !== null) {
      // Measured from the plan's first instant, so a 30 s run holds exactly the sends due in [0, 30 s).
      const remaining = this.config.stopAfter.durationMs - (performance.now() - start);
      this.durationTimer = setTimeout(() => this.stop('duration'), Math.max(0, remaining));
    }
    this.tickTimer = setInterval(() => this.tick(), this.config.tickMs);
    this.post({ type: 'started' });
  }

  // --- open loop ---------------------------------------------------------

  private schedule(): void {
    if (this.state !== 'running') return;
    const now = performance.now();
    for (;;) {
      const top = this.heap.peek();
      const due = top?.peek();
      if (!top || due === null || due === undefined) break;
      const limit = this.config.stopAfter.durationMs;
      if (limit !== null && due - this.planStart >= limit) {
        return; // the next send falls after the end; the duration timer ends the run on time

      }
      if (due + this.shift > now) {
        this.timer = setTimeout(() => this.schedule(), Math.max(1, due + this.shift - now));
        return;
      }
      this.heap.pop();
      const send = top.take();
      this.heap.push(top);
      this.fire(send);
      if (this.state !== 'running') return;
    }
    // Nothing left to schedule: the plan ran out.
    this.maybeFinishPlan();
  }

  private fire(send: DueSend): void {
    const scheduledAt = send.dueMs + this.shift;
    for (const name of send.targets) {
      if (this.limitReached()) {
        this.stop('requests');
        return;
      }
      const ts = this.targets.get(name);
      if (!ts) continue;
      if (performance.now() < ts.backoffUntilPerf) {
        ts.info.backoffSkipped += 1;
        continue;
      }
      if (ts.inFlight >= ts.target.concurrency) {
        this.saturation.capWaits += 1;
        if (ts.held.length >= MAX_HELD_PER_TARGET) this.saturation.dropped += 1;
        else ts.held.push({ spec: send.spec, probe: send.probe, scheduledAt });
        continue;
      }
      void this.send(ts, send.spec, send.probe, scheduledAt);
    }
  }

  private limitReached(): boolean {
    const cap = this.config.stopAfter.requests;
    return cap !== null && this.sent >= cap;
  }

  private async send(ts: TargetState, spec: RequestSpec, probe: string | null, scheduledAt: number): Promise<RequestResult | null> {
    // The spend guard holds each request's worst case against the budget until its real cost is known.
    const admitted = this.guard!.admit(ts.target, spec);
    if (!admitted.ok) {
      this.spendRefused += 1;
      // A refusal while others are in flight may clear when they settle below their worst case; skip this send.
      // Once nothing can free room (or the model cannot be priced), the budget has ended the run.
      if (admitted.kind === 'unpriced' || this.guard!.exhausted) {
        this.spendRefusal ??= admitted.reason;
        this.stop('budget');
      }
      return null;
    }
    this.sent += 1;
    ts.inFlight += 1;
    // --requests cut the plan short: stop scheduling now and let these finish.
    const cap = this.config.stopAfter.requests;
    if (cap !== null && this.sent >= cap && (this.planned === null || cap < this.planned)) this.stop('requests');
    this.saturation.recordSend(performance.now() - scheduledAt);
    const result = await this.client!.execute(ts.target, spec, { scheduledAt, probe, signal: this.abort.signal });
    ts.inFlight -= 1;
    this.guard!.settle(admitted.reservedUsd, result.costUsd);
    this.onResult(ts, spec, result);
    this.releaseHeld(ts);
    return result;
  }

  private releaseHeld(ts: TargetState): void {
    while (ts.held.length > 0 && ts.inFlight < ts.target.concurrency && (this.state === 'running' || this.state === 'paused')) {
      if (this.limitReached()) break;
      const h = ts.held.shift()!;
      void this.send(ts, h.spec, h.probe, h.scheduledAt);
    }
    this.maybeFinish();
  }

  // --- closed loop ---------------------------------------------------------

  private async closedWorker(targetNames: string[]): Promise<void> {
    this.closedWorkers += 1;
    try {
      while (this.state === 'running' || this.state === 'paused') {
        if (this.state === 'paused') {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        if (this.limitReached()) {
          this.stop('requests');
          break;
        }
        const spec = this.closedLoopNext!();
        if (spec === null) break;
        const now = performance.now();
        const sent = await Promise.all(
          targetNames.map((name) => {
            const ts = this.targets.get(name);
            return ts ? this.send(ts, spec, null, now) : Promise.resolve(null);
          }),
        );
        // Refused by the spend guard while others settle: wait for room instead of spinning.
        if (sent.every((r) => r === null)) await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      this.closedWorkers -= 1;
      if (this.closedWorkers === 0) this.maybeFinishPlan();
    }
  }

  // --- results -----------------------------------------------------------

  private onResult(ts: TargetState, spec: RequestSpec, r: RequestResult): void {
    this.done += 1;
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
        requestId: r.requestId,
        message: r.errorMessage,
      });
      if (this.recentErrors.length > RECENT_ERRORS) this.recentErrors.shift();
    }
    // A relay that says "retry after" is backed off exactly as told; scheduled sends that fall inside are skipped, not bunched up for later.
    if (r.httpStatus === 429 && r.retryAfterMs !== null && r.retryAfterMs > 0) {
      ts.backoffUntilPerf = Math.max(ts.backoffUntilPerf, performance.now() + r.retryAfterMs);
      ts.info.backoffs += 1;
      ts.info.backoffUntil = Date.now() + r.retryAfterMs;
    }
    if (this.config.emitResults) this.batch.push(r);
    if (this.log) {
      this.log.write({
        t: r.startedAt - this.startedAt,
        time: new Date(r.startedAt).toISOString(),
        target: r.target,
        probe: r.probe,
        protocol: r.protocol,
        body: adapterFor(r.protocol).buildBody(spec),
        result: r,
      });
    }
  }

  // --- control -------------------------------------------------------------

  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.pausedAt = performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.shift += performance.now() - (this.pausedAt ?? performance.now());
    this.pausedAt = null;
    this.state = 'running';
    this.schedule();
  }

  reset(): void {
    this.stats.reset(performance.now());
    this.saturation.reset();
    this.recentErrors.length = 0;
  }

  /** Stop scheduling; wait up to graceMs for requests in flight, then cancel them. */
  stop(reason: StoppedBy): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    if (this.stoppedBy === null) this.stoppedBy = reason;
    this.state = 'stopping';
    if (this.timer) clearTimeout(this.timer);
    if (this.durationTimer) clearTimeout(this.durationTimer);
    for (const ts of this.targets.values()) ts.held.length = 0;
    this.graceTimer = setTimeout(() => this.abort.abort(), this.config.graceMs);
    this.maybeFinish();
  }

  private maybeFinishPlan(): void {
    if (this.state !== 'running') return;
    if (this.heap.size === 0 && this.closedWorkers === 0 && this.inFlight() === 0 && this.heldCount() === 0) this.stop(null);
  }

  private maybeFinish(): void {
    if (this.state === 'running') {
      if (this.heap.size === 0 && this.closedWorkers === 0) this.maybeFinishPlan();
      return;
    }
    if (this.state !== 'stopping' || this.inFlight() > 0) return;
    void this.finish();
  }

  private inFlight(): number {
    let n = 0;
    for (const ts of this.targets.values()) n += ts.inFlight;
    return n;
  }

  private heldCount(): number {
    let n = 0;
    for (const ts of this.targets.values()) n += ts.held.length;
    return n;
  }

  private async finish(): Promise<void> {
    this.state = 'stopped';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    const now = performance.now();
    const snapshot = { ...this.snapshot(false), stats: this.stats.snapshot(now) };
    const thresholds = evaluateThresholds(this.config.thresholds, this.stats.query('all', now));
    this.log?.close();
    this.saturation.close();
    await this.client?.close();
    this.post({
      type: 'final',
      final: { snapshot, stoppedBy: this.stoppedBy, durationMs: now - this.startPerf, thresholds, anyHttpAnswer: this.anyHttpAnswer },
    });
  }

  /** Once per tick: alert rules and abortOnFail thresholds on the current windows, then a snapshot. */
  private tick(): void {
    const now = performance.now();
    if (this.config.alerts.length > 0) {
      this.transitions.push(...this.alerts.evaluate(now, (w) => this.stats.query(w, now)));
    }
    const elapsed = now - this.startPerf;
    const abortable = this.config.thresholds.filter((t) => t.abortOnFail && elapsed >= t.delayAbortEvalMs);
    if (abortable.length > 0 && this.state === 'running') {
      const failed = evaluateThresholds(abortable, this.stats.query('all', now)).some((r) => !r.ok && r.value !== null);
      if (failed) this.stop('abortOnFail');
    }
    this.post({ type: 'snapshot', snapshot: this.snapshot(this.config.liveStats) });
  }

  snapshot(withStats: boolean): EngineSnapshot {
    const now = performance.now();
    const results = this.batch;
    this.batch = [];
    return {
      state: this.state,
      startedAt: this.startedAt,
      elapsedMs: now - this.startPerf,
      stats: withStats ? this.stats.snapshot(now) : null,
      targets: [...this.targets.values()].map((ts) => ({
        ...ts.info,
        backoffUntil: ts.info.backoffUntil !== null && ts.info.backoffUntil > Date.now() ? ts.info.backoffUntil : null,
      })),
      saturation: this.saturation.read(this.inFlight()),
      recentErrors: this.recentErrors.slice(),
      progress: { sent: this.sent, done: this.done, errors: this.errors, total: this.total },
      results,
      alerts: this.alerts.states(),
      alertTransitions: this.takeTransitions(),
      spend: { spentUsd: this.guard?.spentUsd() ?? 0, budgetUsd: this.config.budgetUsd, refused: this.spendRefused, refusal: this.spendRefusal },
    };
  }

  private takeTransitions(): AlertTransition[] {
    const t = this.transitions;
    this.transitions = [];
    return t;
  }
}

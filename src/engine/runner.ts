import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import type { RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { adapterFor } from '../protocol/index.js';
import { RelayClient } from '../client/index.js';
import { PriceTable } from '../pricing/table.js';
import { loadPricesFile } from '../pricing/load.js';
import { WindowedStats } from '../stats/windows.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import { GracePeriodOver } from '../core/stop.js';
import { RequestLog } from '../export/request-log.js';
import type { EngineConfig, EngineSnapshot, EngineState, FromWorker, RecentError, ReplayEntry, StoppedBy, TargetInfo } from './messages.js';
import { closedLoopCursor, openLoopSources, plannedTotal, planTargets, SourceHeap, type DueSend } from './sources.js';
import { effectiveCap, TargetGate } from './gate.js';
import { SaturationMonitor } from './saturation.js';
import { SpendGuard } from '../traffic/budget.js';
import { AlertEvaluator, type AlertTransition } from '../alerts/rules.js';

const RECENT_ERRORS = 20;

interface TargetState {
  target: ResolvedTarget;
  gate: TargetGate;
  info: Omit<TargetInfo, 'schedule'>;
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
  /** performance.now() when sending stopped for a reason of time (not the plan running out); rates end here. */
  private measuredEnd: number | null = null;
  private closedLoopNext: (() => ReplayEntry | null) | null = null;
  private closedWorkers = 0;
  /** Lines the closed loop has taken (each goes to every target); -n counts them. */
  private closedTaken = 0;
  /** The slowest successful answer per target: at the end of the grace period it tells a hanging request from a slow one (core/stop.ts). */
  private readonly slowestOk = new Map<string, number>();
  /** Closed-loop workers sleeping out a 429 back-off; a stop wakes them. */
  private readonly sleepers = new Set<() => void>();
  /** The targets the plan sends to: -n is met when each of them has had its N. */
  private readonly planTargets: string[];
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
      // The pool is made from this target (RelayClient), so it holds every request the cap lets out.
      const cap = effectiveCap(t, config.plan);
      const target = { ...t, concurrency: cap };
      this.targets.set(t.name, {
        target,
        gate: new TargetGate(target, cap),
        info: { name: t.name, baseUrl: t.baseUrl, protocol: t.protocol, cap, backoffs: 0, backoffSkipped: 0, backoffUntil: null },
      });
    }
    this.planTargets = planTargets(config.plan).filter((n) => this.targets.has(n));
    const planned = plannedTotal(config.plan);
    const n = config.stopAfter.requests;
    const perTargetCap = n === null ? null : n * this.planTargets.length;
    this.planned = planned;
    this.total = planned === null ? perTargetCap : perTargetCap === null ? planned : Math.min(planned, perTargetCap);
  }

  async start(): Promise<void> {
    let prices = PriceTable.builtIn();
    for (const file of this.config.priceFiles) prices = await loadPricesFile(file, prices);
    this.client = new RelayClient(prices);
    await this.client.prepare(); // the counting worker loads its tables before the schedule starts
    this.guard = new SpendGuard(this.config.budgetUsd, prices);
    if (this.config.log) this.log = RequestLog.open(this.config.log.path, { logBodies: this.config.log.logBodies });
    this.state = 'running';
    const start = performance.now();
    this.planStart = start;
    // The measured span starts with the plan, not with loading prices and tokenizer tables.
    this.stats.reset(start);
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
      const ts = this.targets.get(name);
      if (!ts || this.quotaMet(ts)) continue;
      const gate = ts.gate;
      gate.counts.scheduled += 1;
      if (gate.inBackoff(performance.now())) {
        gate.counts.skippedBackoff += 1;
        ts.info.backoffSkipped += 1;
        continue;
      }
      if (gate.full) {
        this.saturation.capWaits += 1;
        if (gate.hold({ spec: send.spec, probe: send.probe, scheduledAt }) === 'dropped') this.saturation.dropped += 1;
        continue;
      }
      void this.send(ts, send.spec, send.probe, scheduledAt, false);
    }
  }

  /** -n N: this target has had its N (sent, or held to be sent). */
  private quotaMet(ts: TargetState): boolean {
    const n = this.config.stopAfter.requests;
    return n !== null && ts.gate.counts.sent + ts.gate.held.length >= n;
  }

  /** -n N: every target of the plan has been sent its N. */
  private limitReached(): boolean {
    const n = this.config.stopAfter.requests;
    if (n === null) return false;
    if (this.closedLoopNext !== null) return this.closedTaken >= n;
    return this.planTargets.every((name) => (this.targets.get(name)?.gate.counts.sent ?? n) >= n);
  }

  /** held: it waited at the cap or out a back-off, so its lateness is not relaymon's own (SaturationMonitor). */
  private async send(ts: TargetState, spec: RequestSpec, probe: string | null, scheduledAt: number, held: boolean): Promise<RequestResult | null> {
    // The spend guard holds each request's worst case against the budget until its real cost is known.
    const admitted = this.guard!.admit(ts.target, spec);
    if (!admitted.ok) {
      this.spendRefused += 1;
      ts.gate.counts.dropped += 1;
      // A refusal while others are in flight may clear when they settle below their worst case; skip this send.
      // Once nothing can free room (or the model cannot be priced), the budget has ended the run.
      if (admitted.kind === 'unpriced' || this.guard!.exhausted) {
        this.spendRefusal ??= admitted.reason;
        this.stop('budget');
      }
      return null;
    }
    this.sent += 1;
    ts.gate.counts.sent += 1;
    ts.gate.inFlight += 1;
    // -n cut an open-loop plan short: stop scheduling now and let these finish. (The closed loop stops
    // when its workers have sent their lines, so that a line's sends to the other targets still go out.)
    if (this.closedLoopNext === null && this.limitReached() && !this.planEndsWithin()) this.stop('requests');
    this.saturation.recordSend(performance.now() - scheduledAt, held);
    const result = await this.client!.execute(ts.target, spec, { scheduledAt, probe, signal: this.abort.signal });
    ts.gate.inFlight -= 1;
    this.guard!.settle(admitted.reservedUsd, result.costUsd);
    this.onResult(ts, spec, result);
    this.releaseHeld(ts);
    return result;
  }

  /** The plan ends by itself no later than -n would stop it (a replay of fewer lines than N). */
  private planEndsWithin(): boolean {
    const n = this.config.stopAfter.requests;
    return this.planned !== null && n !== null && n * this.planTargets.length >= this.planned;
  }

  private releaseHeld(ts: TargetState): void {
    const gate = ts.gate;
    while (gate.held.length > 0 && !gate.full && (this.state === 'running' || this.state === 'paused')) {
      const h = gate.held.shift()!;
      void this.send(ts, h.spec, h.probe, h.scheduledAt, true);
    }
    gate.wake();
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
        if (this.limitReached()) break;
        const entry = this.closedLoopNext!();
        if (entry === null) break;
        const spec = entry.spec;
        this.closedTaken += 1;
        const now = performance.now();
        const sent = await Promise.all(
          (entry.targets ?? targetNames).map((name) => {
            const ts = this.targets.get(name);
            return ts ? this.closedSend(ts, spec, now) : Promise.resolve(null);
          }),
        );
        // Refused by the spend guard while others settle: wait for room instead of spinning.
        if (sent.every((r) => r === null)) await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      this.closedWorkers -= 1;
      if (this.closedWorkers === 0) {
        if (this.state === 'running' && this.limitReached() && !this.planEndsWithin()) this.stop('requests');
        else this.maybeFinishPlan();
      }
    }
  }

  /**
   * A closed-loop send keeps to the same rules as the open loop's: it waits
   * out a 429 back-off (as a client told "retry after" would) and waits for a
   * free slot at the target's cap. The wait is the request's queueMs; a run
   * that stops meanwhile drops it.
   */
  private async closedSend(ts: TargetState, spec: RequestSpec, scheduledAt: number): Promise<RequestResult | null> {
    const gate = ts.gate;
    gate.counts.scheduled += 1;
    let waited = false;
    let backedOff = false;
    for (;;) {
      if (this.state !== 'running' && this.state !== 'paused') {
        gate.counts.dropped += 1;
        return null;
      }
      const now = performance.now();
      if (gate.inBackoff(now)) {
        backedOff = true;
        await this.sleep(gate.backoffUntilPerf - now);
        continue;
      }
      if (gate.full) {
        if (!waited) {
          waited = true;
          gate.counts.capWaits += 1;
          this.saturation.capWaits += 1;
        }
        await gate.waitForSlot();
        continue;
      }
      return this.send(ts, spec, null, scheduledAt, waited || backedOff);
    }
  }

  /** A timer a stop cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(1, ms));
      this.sleepers.add(wake);
    });
  }

  // --- results -----------------------------------------------------------

  private onResult(ts: TargetState, spec: RequestSpec, r: RequestResult): void {
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
        requestId: r.requestId,
        message: r.errorMessage,
      });
      if (this.recentErrors.length > RECENT_ERRORS) this.recentErrors.shift();
    }
    // A relay that says "retry after" is backed off exactly as told; scheduled sends that fall inside are skipped, not bunched up for later.
    if (r.httpStatus === 429 && r.retryAfterMs !== null && r.retryAfterMs > 0) {
      ts.gate.backoffUntilPerf = Math.max(ts.gate.backoffUntilPerf, performance.now() + r.retryAfterMs);
      ts.info.backoffSkipped += ts.gate.held.length;
      ts.gate.skipHeld();
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
    // Stopped by time, not by the plan or -n running out: rates cover the time traffic was being sent, not the drain after.
    if (reason !== null && reason !== 'requests') this.measuredEnd = performance.now();
    if (this.timer) clearTimeout(this.timer);
    if (this.durationTimer) clearTimeout(this.durationTimer);
    // Sends still held at a full cap are never made: counted as dropped, not silently forgotten.
    for (const ts of this.targets.values()) this.saturation.dropped += ts.gate.dropHeld();
    for (const ts of this.targets.values()) ts.gate.wake();
    for (const wake of [...this.sleepers]) wake();
    this.graceTimer = setTimeout(() => this.abort.abort(new GracePeriodOver(this.config.graceMs, this.slowestOk)), this.config.graceMs);
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
    for (const ts of this.targets.values()) n += ts.gate.inFlight;
    return n;
  }

  private heldCount(): number {
    let n = 0;
    for (const ts of this.targets.values()) n += ts.gate.held.length;
    return n;
  }

  private async finish(): Promise<void> {
    this.state = 'stopped';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    // Closed-loop workers the stop woke (from a back-off, at the cap) count their sends as dropped first.
    await new Promise((resolve) => setImmediate(resolve));
    const now = performance.now();
    // Statistics as of the end of the measured span: every result is in, and rates and cost per hour divide by that span.
    const end = Math.min(now, this.measuredEnd ?? now);
    const snapshot = { ...this.snapshot(false, end), stats: this.stats.snapshot(end) };
    const thresholds = evaluateThresholds(this.config.thresholds, this.stats.query('all', end));
    this.log?.close();
    this.saturation.close();
    // Every request has settled; what undici may still hold (a connect a timeout or the grace period gave up on) is dropped, not waited for.
    await this.client?.close({ force: true }).catch(() => undefined);
    this.post({
      type: 'final',
      final: {
        snapshot,
        stoppedBy: this.stoppedBy,
        durationMs: now - this.startPerf,
        measuredMs: end - this.planStart,
        thresholds,
        anyHttpAnswer: this.anyHttpAnswer,
        // Read after the final snapshot, so the last stretch (the drain) is in it.
        saturation: this.saturation.runTotal(),
      },
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

  /** measuredEnd: the end of the span rates are over (the final snapshot's; default now). */
  snapshot(withStats: boolean, measuredEnd?: number): EngineSnapshot {
    const now = performance.now();
    const spanMs = this.state === 'starting' ? 0 : (measuredEnd ?? now) - this.planStart;
    const results = this.batch;
    this.batch = [];
    return {
      state: this.state,
      startedAt: this.startedAt,
      elapsedMs: now - this.startPerf,
      stats: withStats ? this.stats.snapshot(now) : null,
      targets: [...this.targets.values()].map((ts) => ({
        ...ts.info,
        schedule: ts.gate.schedule(spanMs),
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

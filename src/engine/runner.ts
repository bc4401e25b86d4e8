import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import type { RequestResult } from '../core/result.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { RelayClient } from '../client/index.js';
import { PriceTable } from '../pricing/table.js';
import { loadPricesFile } from '../pricing/load.js';
import { PauseLog } from '../stats/pauses.js';
import { WindowedStats, type WindowName } from '../stats/windows.js';
import { GracePeriodOver } from '../core/stop.js';
import { setLongTimeout, type LongTimeout } from '../core/long-timeout.js';
import { RequestLog } from '../export/request-log.js';
import type { EngineConfig, EngineSnapshot, EngineState, FromWorker, StoppedBy } from './messages.js';
import { planTargets } from './sources.js';
import { oneTargetPerLine } from '../traffic/lines.js';
import { SaturationMonitor } from './saturation.js';
import { SpendGuard } from '../traffic/budget.js';
import { limitReached, planEndsWithin, quotaMet, runTotals } from './limits.js';
import { OpenLoop } from './open-loop.js';
import { ClosedLoop } from './closed-loop.js';
import { ResultBook } from './results.js';
import type { TargetSlot } from './slot.js';
import { SplitJudge } from './split-judge.js';
import type { GapCollector } from './gap-gc.js';
import { GapWork } from './gap-work.js';
import { FIRST_INSTANT_LEAD_MS } from './warm.js';
import { gapCollector, makeSlots, warmUp } from './start.js';
import { dryRun, wantsDryRun } from './dry-run.js';
import { RunTicker } from './ticks.js';
import { finishRun, type FinishingRun } from './finish.js';

/**
 * The engine proper: scheduler (open-loop.ts, closed-loop.ts), client and
 * aggregator. It runs inside the worker (worker.ts wires it to the parent
 * port), but knows nothing of threads, so tests can drive it in-process.
 * Here: the start's order, the send path the loops call, stopping. The
 * start's steps are in start.ts, ticks and snapshots in ticks.ts, the final
 * result in finish.ts; the fields they read are public, documented in their
 * RunView and FinishingRun, and written only here.
 */
export class EngineRunner implements FinishingRun {
  state: EngineState = 'starting';
  readonly stats: WindowedStats;
  readonly saturation = new SaturationMonitor();
  readonly slots: Map<string, TargetSlot>;
  /** One signal for every request in flight; a stop's grace period ends by aborting it. */
  private readonly abort = new AbortController();
  client: RelayClient | null = null;
  log: RequestLog | null = null;
  readonly results: ResultBook;
  private open: OpenLoop | null = null;
  private closed: ClosedLoop | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private durationTimer: LongTimeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  readonly startPerf = performance.now();
  readonly startedAt = Date.now();
  planStart: number | null = null;
  resetAt: number | null = null;
  /** The dashboard's pauses: left out of the spans whole-run rates are over. */
  readonly pauses = new PauseLog();
  sent = 0;
  stoppedBy: StoppedBy = null;
  measuredEnd: number | null = null;
  /** The targets the plan sends to: -n is met when each of them has had its N. */
  private readonly planTargets: string[];
  readonly total: number | null;
  private readonly planned: number | null;
  guard: SpendGuard | null = null;
  spendRefused = 0;
  spendRefusal: string | null = null;
  /** Second requests of cache pairs whose first is in flight, per target: owed against -n (quotaMet). */
  private readonly pairsOwed = new Map<TargetSlot, number>();
  /** Alert rules, --abort-on-fail and the snapshots, once per tick (ticks.ts). */
  private readonly ticker: RunTicker;
  readonly split: SplitJudge | null;
  /** Each line goes to one target (--split, or a log's recorded targets): -n counts the run's sends (traffic/lines.ts oneTargetPerLine). */
  private readonly linesOnce: boolean;
  /** Scavenges between the open loop's sends (gap-gc.ts); null for probe and the closed loop. */
  private gap: GapCollector | null = null;
  /** The ticks, and a snapshot owed when the main thread takes the last, between the open loop's sends (gap-work.ts). */
  private readonly work = new GapWork();
  unwatchScavenges: (() => void) | null = null;

  /** A dry runner (dry-run.ts): it warms its connections only, and has no dry run of its own. */
  private readonly dry: boolean;

  /**
   * opts.paced: snapshots wait for took() (serve.ts sets it; a runner driven directly, as in tests, posts every tick).
   * opts.dry: this runner is another's dry run.
   */
  constructor(
    readonly config: EngineConfig,
    private readonly post: (msg: FromWorker) => void,
    opts: { paced?: boolean; dry?: boolean } = {},
  ) {
    this.dry = opts.dry === true;
    this.ticker = new RunTicker(this, post, opts.paced === true);
    this.stats = new WindowedStats({ startMs: this.startPerf, pauses: this.pauses });
    this.results = new ResultBook(this.stats, { emitResults: config.emitResults, startedAt: this.startedAt, backOff: config.probeRules !== true }, () => this.log);
    this.split = config.plan.kind === 'replay' && config.plan.split ? new SplitJudge(config.plan.split, config.thresholds.some((t) => t.abortOnFail)) : null;
    this.linesOnce = oneTargetPerLine(config.plan);
    setMaxListeners(0, this.abort.signal); // one listener per request in flight, by design
    this.slots = makeSlots(config);
    this.planTargets = planTargets(config.plan).filter((n) => this.slots.has(n));
    const totals = runTotals(config.plan, config.stopAfter.requests, this.targetsPerLine);
    this.planned = totals.planned;
    this.total = totals.total;
  }

  async start(): Promise<void> {
    let prices = PriceTable.builtIn();
    for (const file of this.config.priceFiles) prices = await loadPricesFile(file, prices);
    // probe's few results wait for their counts anyway: its first send does not wait for the tables (client/index.ts).
    this.client = new RelayClient(prices, { countAfterAnswer: this.config.probeRules === true });
    // Opened before the warm-up: a run interrupted while warming must still leave its log started afresh.
    if (this.config.log) this.log = RequestLog.open(this.config.log.path, { logBodies: this.config.log.logBodies });
    await this.client.prepare(); // the count host loads its tables before the schedule starts
    // Stopped while loading: finish() has run, and would never stop the watching.
    const watch = this.state === 'starting' ? gapCollector(this.config) : null;
    this.gap = watch?.gap ?? null;
    this.unwatchScavenges = watch?.unwatch ?? null;
    // Not for a dry runner itself, nor once the run was stopped while it loaded or warmed.
    const ownDryRun =
      !this.dry && wantsDryRun(this.config)
        ? () => (this.state === 'starting' ? dryRun(this.config, (c, post) => new EngineRunner(c, post, { dry: true })) : Promise.resolve())
        : null;
    await warmUp(this.client, this.slots, this.config, { dryRun: ownDryRun, dry: this.dry });
    // Stopped (Ctrl-C) while loading or warming: the final result has been posted; nothing is scheduled.
    if (this.state !== 'starting') return;
    this.guard = new SpendGuard(this.config.budgetUsd, prices);
    this.state = 'running';
    // Before the clock starts: the worker's first postMessage took 3.5–5 ms (CLI runs, instrumented), and
    // posted between the plan's first instant and its first send it made that send late by as much.
    this.post({ type: 'started' });
    const plan = this.config.plan;
    const closed = plan.kind === 'replay' && plan.mode.kind === 'closed' ? plan : null;
    // An open-loop plan's first instant lies FIRST_INSTANT_LEAD_MS ahead, so that setting the plan up (its
    // sources, the open loop, the timers) is done before it and the first send waits for its instant on the
    // same timer as every later one; sent the moment the plan was made, it left with the set-up's time added.
    const start = performance.now() + (closed ? 0 : FIRST_INSTANT_LEAD_MS);
    this.planStart = start;
    this.split?.begin(start);
    // The measured span starts with the plan, not with loading prices and tokenizer tables.
    this.stats.reset(start);
    this.saturation.begin(start);
    const gaps = this.gap ? [this.work, this.gap] : [this.work];
    this.open = new OpenLoop(this, closed ? { kind: 'probes', streams: [] } : plan, start, this.config.stopAfter.durationMs, gaps);
    if (closed && closed.mode.kind === 'closed') {
      this.closed = new ClosedLoop(this, closed.entries, closed.loop);
      this.closed.start(closed.mode.concurrency, closed.targets);
    } else this.open.schedule();
    // The first sends may have ended the run already (the budget refused them, and finish() has run): no timer
    // may outlive it. A worker's were ended with the thread; on probe's own thread they kept the process alive.
    if ((this.state as EngineState) === 'stopped') return;
    if (this.config.stopAfter.durationMs !== null) {
      // Measured from the plan's first instant, so a 30 s run holds exactly the sends due in [0, 30 s).
      const remaining = this.config.stopAfter.durationMs - (performance.now() - start);
      this.durationTimer = setLongTimeout(() => this.stop('duration'), Math.max(0, remaining));
    }
    this.tickTimer = setInterval(() => this.work.run(() => {
      if (this.live()) this.ticker.tick();
    }), this.config.tickMs);
  }

  // --- what the loops ask (OpenLoopHost, ClosedLoopHost) -------------------

  slot(name: string): TargetSlot | undefined {
    return this.slots.get(name);
  }

  /**
   * The second requests of cache pairs in flight count as sent (pairsOwed). A pair starts while one request is
   * left of -n and is never split, so like probe's -n, a cache probe rounds the last pair up.
   */
  quotaMet(slot: TargetSlot): boolean {
    // When each line goes to one target (--split, a log's recorded targets), -n counts the run's sends, not each target's.
    const sent = this.linesOnce ? this.sent : slot.gate.counts.sent;
    return quotaMet(this.config.stopAfter.requests, sent + (this.pairsOwed.get(slot) ?? 0), slot.gate.held.length);
  }

  limitReached(): boolean {
    const sent = this.linesOnce ? [this.sent] : this.planTargets.map((name) => this.slots.get(name)!.gate.counts.sent);
    return limitReached(this.config.stopAfter.requests, this.closed ? this.closed.taken : null, sent);
  }

  planEndsWithin(): boolean {
    return planEndsWithin(this.planned, this.config.stopAfter.requests, this.targetsPerLine);
  }

  /** Targets each line (or probe send) goes to: every plan target, or one (--split, a log's recorded targets). */
  private get targetsPerLine(): number {
    return this.linesOnce ? 1 : this.planTargets.length;
  }

  planRanOut(): void {
    this.maybeFinishPlan();
  }

  splitTo(dueMs: number): string[] | null {
    return this.split ? [this.split.pick(dueMs)] : null;
  }

  /** held: it waited at the cap or out a back-off, so its lateness is not relaymon's own (SaturationMonitor). */
  async send(slot: TargetSlot, spec: RequestSpec, probe: string | null, scheduledAt: number, held: boolean): Promise<RequestResult | null> {
    // The spend guard holds each request's worst case against the budget until its real cost is known.
    const admitted = this.guard!.admit(slot.target, spec);
    if (!admitted.ok) {
      this.spendRefused += 1;
      slot.gate.counts.dropped += 1;
      // A refusal while others are in flight may clear when they settle below their worst case; skip this send.
      // Once nothing can free room (or the model cannot be priced), the budget has ended the run.
      if (admitted.kind === 'unpriced' || this.guard!.exhausted || this.config.probeRules === true) {
        this.spendRefusal ??= admitted.reason;
        this.stop('budget');
      }
      return null;
    }
    this.sent += 1;
    const seq = this.sent;
    slot.gate.counts.sent += 1;
    slot.gate.inFlight += 1;
    // A cache pair (traffic/probes.ts): the second request goes when the first has ended, to the same target.
    const then = spec.expect?.then;
    if (then) this.pairsOwed.set(slot, (this.pairsOwed.get(slot) ?? 0) + 1);
    // -n cut an open-loop plan short: stop scheduling now and let these finish. (The closed loop stops
    // when its workers have sent their lines, so that a line's sends to the other targets still go out.)
    if (this.closed === null && this.limitReached() && !this.planEndsWithin()) this.stop('requests');
    // Lateness is taken when the request really leaves (its queueMs), not here: the way out (undici's
    // dispatch, a connection being handed over) can hold a send up too, and a late first send must show.
    const onSent = (sentAt: number): void => this.saturation.recordSend(sentAt - scheduledAt, held);
    const result = await this.client!.execute(slot.target, spec, { scheduledAt, probe, signal: this.abort.signal, onSent });
    slot.gate.inFlight -= 1;
    this.guard!.settle(admitted.reservedUsd, result);
    this.results.record(slot, spec, result, seq);
    this.split?.record(slot.target.name, scheduledAt, result, performance.now());
    let second: Promise<RequestResult | null> | null = null;
    if (then) {
      this.pairsOwed.set(slot, Math.max(0, (this.pairsOwed.get(slot) ?? 1) - 1));
      // Sent before releaseHeld so that it takes the slot the first freed, and the run cannot finish in between
      // (send counts it in flight before its first await). A pair -n already counted may finish a stopping run;
      // one cut by time, the budget or an interrupt is dropped (its first was the request that counted).
      const pairCounted = this.state === 'stopping' && this.stoppedBy === 'requests';
      if (this.state === 'running' || this.state === 'paused' || pairCounted) second = this.send(slot, then, probe, performance.now(), false);
      else slot.gate.counts.dropped += 1;
    }
    this.releaseHeld(slot);
    if (second) await second;
    return result;
  }

  private releaseHeld(slot: TargetSlot): void {
    const gate = slot.gate;
    while (gate.held.length > 0 && !gate.full && (this.state === 'running' || this.state === 'paused')) {
      const h = gate.held.shift()!;
      void this.send(slot, h.spec, h.probe, h.scheduledAt, true);
    }
    gate.wake();
    this.maybeFinish();
  }

  // --- control -------------------------------------------------------------

  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.pauses.pause(performance.now());
    this.open?.pause();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.pauses.resume(performance.now());
    this.open?.resume();
    this.state = 'running';
    this.open?.schedule();
  }

  reset(): void {
    const now = performance.now();
    this.resetAt = now;
    this.stats.reset(now);
    this.saturation.reset();
    this.results.recentErrors.length = 0;
  }

  /** Stop scheduling; wait up to graceMs for requests in flight, then cancel them. */
  stop(reason: StoppedBy): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    if (this.stoppedBy === null) this.stoppedBy = reason;
    this.state = 'stopping';
    // Stopped by time, not by the plan or -n running out: rates cover the time traffic was being sent, not the drain after.
    if (reason !== null && reason !== 'requests') this.measuredEnd = performance.now();
    this.open?.cancel();
    this.durationTimer?.clear();
    // Sends still held at a full cap are never made: counted as dropped, not silently forgotten.
    for (const slot of this.slots.values()) this.saturation.dropped += slot.gate.dropHeld();
    for (const slot of this.slots.values()) slot.gate.wake();
    this.closed?.wake();
    // probe's Ctrl-C cuts at once, a plain cancel: its requests are the user's to stop, not judged as the relay's timeouts.
    if (reason === 'interrupt' && this.config.probeRules === true) this.abort.abort();
    else this.graceTimer = setTimeout(() => this.abort.abort(new GracePeriodOver(this.config.graceMs, this.results.slowestOk)), this.config.graceMs);
    this.maybeFinish();
  }

  /**
   * The user will not wait for the grace period (watch: Ctrl-C after q): what
   * is in flight is cancelled now, a plain cancel like probe's Ctrl-C, not
   * judged as the relay's timeouts.
   */
  cut(): void {
    this.stop('interrupt');
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.abort.abort();
  }

  private planDone(): boolean {
    return (this.open?.pending ?? 0) === 0 && (this.closed?.running ?? 0) === 0;
  }

  private maybeFinishPlan(): void {
    if (this.state !== 'running') return;
    if (this.planDone() && this.inFlight() === 0 && this.heldCount() === 0) this.stop(null);
  }

  private maybeFinish(): void {
    if (this.state === 'running') {
      if (this.planDone()) this.maybeFinishPlan();
      return;
    }
    if (this.state !== 'stopping' || this.inFlight() > 0) return;
    this.finish();
  }

  inFlight(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.gate.inFlight;
    return n;
  }

  private heldCount(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.gate.held.length;
    return n;
  }

  /** The run is over: no timer may outlive it; the final result is finish.ts's. */
  private finish(): void {
    this.state = 'stopped';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    void finishRun(this, this.post);
  }

  /** The main thread took the last snapshot (ticks.ts, pace.ts). */
  took(): void {
    this.work.run(() => {
      if (this.live()) this.ticker.took();
    });
  }

  /** The windows periodic snapshots compute from now on, and a fresh snapshot with them, between sends (ticks.ts setWindows). */
  windows(windows: readonly WindowName[]): void {
    this.work.run(() => {
      if (this.live()) this.ticker.setWindows(windows);
    });
  }

  /** A tick owed to a gap (gap-work.ts) is not run once the final result has been posted. */
  private live(): boolean {
    return this.state !== 'stopped';
  }

  /** measuredEnd: the end of the span rates are over (the final snapshot's; default now). */
  snapshot(withStats: boolean, measuredEnd?: number): EngineSnapshot {
    return this.ticker.snapshot(withStats, measuredEnd);
  }
}

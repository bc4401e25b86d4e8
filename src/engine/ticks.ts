import { performance } from 'node:perf_hooks';
import type { PauseLog } from '../stats/pauses.js';
import { WINDOW_NAMES, type WindowedStats, type WindowName } from '../stats/windows.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import type { SpendGuard } from '../traffic/budget.js';
import { AlertEvaluator, type AlertTransition } from '../alerts/rules.js';
import type { EngineConfig, EngineSnapshot, EngineState, FromWorker, StoppedBy } from './messages.js';
import type { ResultBook } from './results.js';
import type { SaturationMonitor } from './saturation.js';
import type { SplitJudge } from './split-judge.js';
import type { TargetSlot } from './slot.js';
import { SnapshotPace } from './pace.js';

/** What the ticks and snapshots read of the run (EngineRunner, runner.ts, which alone writes it). */
export interface RunView {
  readonly config: EngineConfig;
  readonly state: EngineState;
  /** performance.now() and Date.now() when the runner was made. */
  readonly startPerf: number;
  readonly startedAt: number;
  /** The plan's first instant; null until the warm-up is over (a run stopped before it measured nothing). */
  readonly planStart: number | null;
  /** The dashboard's pauses. */
  readonly pauses: PauseLog;
  readonly stats: WindowedStats;
  readonly saturation: SaturationMonitor;
  readonly slots: ReadonlyMap<string, TargetSlot>;
  readonly results: ResultBook;
  /** replay --split: routing and --abort-on-fail's judging on the candidate (split-judge.ts). */
  readonly split: SplitJudge | null;
  readonly sent: number;
  /** The progress bar's total (limits.ts runTotals); null when open-ended. */
  readonly total: number | null;
  readonly guard: SpendGuard | null;
  readonly spendRefused: number;
  /** Why the spend guard refused the request that ended the run, for the stop message. */
  readonly spendRefusal: string | null;
  inFlight(): number;
  stop(reason: StoppedBy): void;
}

/** How long of [fromMs, toMs] the run was sending, its pauses left out: whole-run rates divide by it. */
export function sendingMs(run: Pick<RunView, 'pauses'>, fromMs: number, toMs: number): number {
  return Math.max(0, toMs - fromMs - run.pauses.within(fromMs, toMs));
}

/**
 * The run's ticks (alert rules and --abort-on-fail on the current windows)
 * and the snapshots it posts: one per tick, paced by the main thread
 * (pace.ts), and the final one (finish.ts).
 */
export class RunTicker {
  private readonly alerts: AlertEvaluator;
  private transitions: AlertTransition[] = [];
  /** Periodic snapshots wait for the main thread to take the last one (pace.ts). */
  private readonly pace: SnapshotPace;
  /** The windows periodic snapshots compute (EngineConfig.liveWindows); the final one has all four (finish.ts). */
  private windows: readonly WindowName[];

  constructor(
    private readonly run: RunView,
    private readonly post: (msg: FromWorker) => void,
    paced: boolean,
  ) {
    this.pace = new SnapshotPace(paced);
    this.windows = run.config.liveWindows ?? WINDOW_NAMES;
    this.alerts = new AlertEvaluator(run.config.alerts);
  }

  /** Once per tick: alert rules and abortOnFail thresholds on the current windows, then a snapshot. */
  tick(): void {
    const run = this.run;
    const now = performance.now();
    if (run.config.alerts.length > 0) {
      this.transitions.push(...this.alerts.evaluate(now, (w) => run.stats.query(w, now)));
    }
    const elapsed = now - run.startPerf;
    const abortable = run.config.thresholds.filter((t) => t.abortOnFail && elapsed >= t.delayAbortEvalMs);
    if (abortable.length > 0 && run.state === 'running') {
      const failed = run.split
        ? run.split.judge(abortable, now) !== null
        : evaluateThresholds(abortable, run.stats.query('all', now)).some((r) => !r.ok && r.value !== null);
      if (failed) run.stop('abortOnFail');
      // A held ramp (split-judge.ts) has no duration timer: it ends when its last step has been judged.
      else if (run.split?.rampDone) run.stop('duration');
    }
    // The main thread has not taken the last snapshot yet: this one waits (pace.ts), its results and transitions kept for the next.
    if (!this.pace.mayPost()) return;
    this.postSnapshot();
  }

  /** The main thread took the last snapshot: one missed meanwhile is posted now, fresh (pace.ts). */
  took(): void {
    if (this.pace.took() && this.posting()) this.postSnapshot();
  }

  /**
   * The reader now shows other windows (the dashboard's w): a fresh snapshot
   * with them at once, rather than at the next tick, so the frame keeps its
   * old window for milliseconds, not a quarter second (ui/App.tsx). Paced
   * like a tick: if the last snapshot is untaken, the one posted when it is
   * taken has them.
   */
  setWindows(windows: readonly WindowName[]): void {
    this.windows = windows;
    if (this.pace.mayPost() && this.posting()) this.postSnapshot();
  }

  /** Periodic snapshots go out from the run's start until its final one (finish.ts). */
  private posting(): boolean {
    const state = this.run.state;
    return state === 'running' || state === 'paused' || state === 'stopping';
  }

  private postSnapshot(): void {
    this.pace.posted();
    this.post({ type: 'snapshot', snapshot: this.snapshot(this.run.config.liveStats) });
  }

  /** measuredEnd: the end of the span rates are over (the final snapshot's; default now). */
  snapshot(withStats: boolean, measuredEnd?: number): EngineSnapshot {
    const run = this.run;
    const now = performance.now();
    const spanMs = run.planStart === null ? 0 : sendingMs(run, run.planStart, measuredEnd ?? now);
    const batch = run.results.takeBatch();
    return {
      state: run.state,
      startedAt: run.startedAt,
      elapsedMs: now - run.startPerf,
      stats: withStats ? run.stats.snapshot(now, { windows: this.windows }) : null,
      targets: [...run.slots.values()].map((slot) => ({
        ...slot.info,
        schedule: slot.gate.schedule(spanMs),
        backoffUntil: slot.info.backoffUntil !== null && slot.info.backoffUntil > Date.now() ? slot.info.backoffUntil : null,
      })),
      saturation: run.saturation.read(run.inFlight()),
      recentErrors: run.results.recentErrors.slice(),
      progress: { sent: run.sent, done: run.results.done, errors: run.results.errors, total: run.total },
      results: batch.results,
      resultSeqs: batch.seqs,
      alerts: this.alerts.states(),
      alertTransitions: this.takeTransitions(),
      spend: {
        spentUsd: run.guard?.spentUsd() ?? 0,
        unknownUsd: run.guard?.unknownUsd() ?? 0,
        unknownRequests: run.guard?.unknownRequests ?? 0,
        budgetUsd: run.config.budgetUsd,
        refused: run.spendRefused,
        refusal: run.spendRefusal,
      },
      ...(run.split ? { split: run.split.progress(now) } : {}),
    };
  }

  private takeTransitions(): AlertTransition[] {
    const t = this.transitions;
    this.transitions = [];
    return t;
  }
}

/**
 * The canary split's side of the engine (replay --split/--ramp, src/traffic/split.ts):
 * routes each send through the seeded router, and judges --abort-on-fail's
 * thresholds on the candidate alone, over the results of the CURRENT ramp step
 * (sent in it), once MIN_STEP_SAMPLES of them have finished. The whole run's
 * windows would dilute an incident that starts at a later step with the
 * healthy earlier steps, and so stop the ramp a step late or never; a step's
 * first few results are too few to judge a rate on. A split without a ramp is
 * one step: the candidate's results of the whole run. Statistics are the
 * engine's own (stats/windows.ts), reset at each step, so memory stays flat.
 *
 * With --abort-on-fail a ramp moves on only from a step that was judged: when
 * a step's --step is over, the next step starts at the first tick whose
 * judgement of it passes on at least MIN_STEP_SAMPLES results. Until then the
 * step is HELD at its share (SplitProgress.held says so, with the count), so a
 * broken candidate at a small share, too few results to judge in --step, is
 * never handed a larger share unjudged. The run ends when the last step has
 * run its --step and been judged (rampDone). Without --abort-on-fail nothing is
 * judged and the steps go by the clock alone.
 */
import type { RequestResult } from '../core/result.js';
import { WindowedStats } from '../stats/windows.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from '../stats/thresholds.js';
import { MIN_STEP_SAMPLES, SplitRouter, stepAt, type SplitPlan, type SplitProgress } from '../traffic/split.js';

export { MIN_STEP_SAMPLES };

export class SplitJudge {
  private readonly router: SplitRouter;
  private planStart: number | null = null;
  private readonly stats = new WindowedStats();
  /** The 0-based step being judged (0 without a ramp); it moves on in judge() (holds). */
  private step = 0;
  /** When the current step began (the engine's clock); results of sends made before it belong to an earlier step. */
  private stepStart = 0;
  private samples = 0;
  private abort: SplitProgress['abort'] = null;
  /** The last step ran its --step and was judged: the ramp is over (holds). */
  private done = false;

  /** judging: some threshold is abortOnFail; otherwise results are not kept at all. */
  constructor(
    readonly plan: SplitPlan,
    private readonly judging = true,
  ) {
    this.router = new SplitRouter(plan);
  }

  /** Steps wait to be judged (--ramp with --abort-on-fail); otherwise they go by the clock. */
  get holds(): boolean {
    return this.judging && this.plan.ramp !== null;
  }

  /** The ramp's last step has run its --step and been judged (holds only): the run has done what it was for. */
  get rampDone(): boolean {
    return this.done;
  }

  /** The plan's first instant (the engine's clock): steps count from it. */
  begin(planStart: number): void {
    this.planStart = planStart;
    this.stepStart = planStart;
    this.stats.reset(planStart);
  }

  /** The 0-based step in force at `atMs`; null without a ramp. */
  private current(atMs: number): number | null {
    if (this.plan.ramp === null) return null;
    if (this.holds) return this.step;
    return stepAt(this.plan, atMs - (this.planStart ?? atMs));
  }

  /** The target of a send due at `dueMs`. */
  pick(dueMs: number): string {
    return this.router.pickAtStep(this.current(dueMs));
  }

  /** A finished request; only the candidate's, sent in the current step, count. */
  record(target: string, scheduledAt: number, result: RequestResult, nowMs: number): void {
    if (!this.judging || target !== this.router.candidate) return;
    if (scheduledAt < this.stepStart) return;
    this.stats.record(result, nowMs);
    this.samples += 1;
  }

  /**
   * The first of `thresholds` the candidate fails in this step (it is then the run's abort), else null.
   * A step whose time is up and that passes here is over: the ramp moves to the next, or is done.
   */
  judge(thresholds: Threshold[], nowMs: number): ThresholdResult | null {
    if (this.done || this.samples < MIN_STEP_SAMPLES) return null;
    const failed = evaluateThresholds(thresholds, this.stats.query('all', nowMs)).find((r) => !r.ok && r.value !== null) ?? null;
    if (failed) {
      if (this.abort === null) this.abort = { step: this.plan.ramp ? this.step + 1 : null, threshold: failed.expression, value: failed.value };
      return failed;
    }
    const ramp = this.plan.ramp;
    if (this.holds && ramp !== null && nowMs - this.stepStart >= ramp.stepMs) {
      if (this.step + 1 < ramp.sharesPct.length) {
        this.step += 1;
        this.stepStart = nowMs;
        this.samples = 0;
        this.stats.reset(nowMs);
      } else this.done = true;
    }
    return null;
  }

  /** The step's time is up but too few of its results are in to judge it: the ramp holds it. */
  private held(nowMs: number): SplitProgress['held'] {
    const ramp = this.plan.ramp;
    if (!this.holds || ramp === null || this.done || this.abort !== null || this.planStart === null) return null;
    if (nowMs - this.stepStart < ramp.stepMs || this.samples >= MIN_STEP_SAMPLES) return null;
    return { step: this.step + 1, results: this.samples, needed: MIN_STEP_SAMPLES };
  }

  progress(nowMs: number): SplitProgress {
    // After an abort the step reached is the one it stopped at, not the clock's.
    const at = this.abort?.step ?? null;
    const step = this.plan.ramp === null ? null : at !== null ? at - 1 : this.planStart === null ? 0 : this.current(nowMs);
    return this.router.progressAtStep(step, this.abort, this.held(nowMs));
  }
}

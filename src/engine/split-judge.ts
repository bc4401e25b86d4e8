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
 */
import type { RequestResult } from '../core/result.js';
import { WindowedStats } from '../stats/windows.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from '../stats/thresholds.js';
import { SplitRouter, stepAt, type SplitPlan, type SplitProgress } from '../traffic/split.js';

/** A step's candidate results needed before its thresholds may stop the ramp. */
export const MIN_STEP_SAMPLES = 20;

export class SplitJudge {
  private readonly router: SplitRouter;
  private planStart: number | null = null;
  private readonly stats = new WindowedStats();
  /** The 0-based step being judged (0 without a ramp). */
  private step = 0;
  private samples = 0;
  private abort: SplitProgress['abort'] = null;

  /** judging: some threshold is abortOnFail; otherwise results are not kept at all. */
  constructor(
    readonly plan: SplitPlan,
    private readonly judging = true,
  ) {
    this.router = new SplitRouter(plan);
  }

  /** The plan's first instant (the engine's clock): steps count from it. */
  begin(planStart: number): void {
    this.planStart = planStart;
    this.stats.reset(planStart);
  }

  private stepOf(atMs: number): number {
    return stepAt(this.plan, atMs - (this.planStart ?? atMs)) ?? 0;
  }

  /** The target of a send due at `dueMs`. */
  pick(dueMs: number): string {
    return this.router.pick(dueMs - (this.planStart ?? dueMs));
  }

  /** A new step starts afresh. */
  private roll(nowMs: number): void {
    const step = this.stepOf(nowMs);
    if (step === this.step) return;
    this.step = step;
    this.samples = 0;
    this.stats.reset(nowMs);
  }

  /** A finished request; only the candidate's, sent in the current step, count. */
  record(target: string, scheduledAt: number, result: RequestResult, nowMs: number): void {
    if (!this.judging || target !== this.router.candidate) return;
    this.roll(nowMs);
    if (this.stepOf(scheduledAt) !== this.step) return;
    this.stats.record(result, nowMs);
    this.samples += 1;
  }

  /** The first of `thresholds` the candidate fails in this step (it is then the run's abort), else null. */
  judge(thresholds: Threshold[], nowMs: number): ThresholdResult | null {
    this.roll(nowMs);
    if (this.samples < MIN_STEP_SAMPLES) return null;
    const failed = evaluateThresholds(thresholds, this.stats.query('all', nowMs)).find((r) => !r.ok && r.value !== null) ?? null;
    if (failed && this.abort === null) this.abort = { step: this.plan.ramp ? this.step + 1 : null, threshold: failed.expression, value: failed.value };
    return failed;
  }

  progress(nowMs: number): SplitProgress {
    const at = this.abort?.step ?? null;
    // After an abort the step reached is the one it stopped at, not the clock's.
    const elapsed = this.planStart === null ? null : at !== null && this.plan.ramp ? (at - 1) * this.plan.ramp.stepMs : nowMs - this.planStart;
    return this.router.progress(elapsed, this.abort);
  }
}

/**
 * The canary split of `relaymon replay --split direct=90,relay=10 [--ramp
 * 10,50,100 --step 5m]` (README.md "Replay recorded traffic"): each recorded
 * request goes to ONE target, drawn by weight from a seeded generator, so a
 * run with the same seed routes the same lines the same way. The candidate is
 * the last target named; with a ramp its share is the current step's and the
 * others share the rest in their --split proportions. Pure: parsing, shares,
 * steps and the draw; the engine asks `pick` at each send (engine/runner.ts).
 */
import { UsageError } from '../core/errors.js';
import { mulberry32, type Rng } from '../core/random.js';

/** What crosses to the engine in the replay plan (engine/messages.ts TrafficPlan). Plain data. */
export interface SplitPlan {
  /** The targets in --split order; the last is the candidate. */
  targets: string[];
  /** Their weights as given (positive; normalised where used). */
  weights: number[];
  /** The candidate's share per step, in percent (0, 100], and each step's length; null without --ramp. */
  ramp: { sharesPct: number[]; stepMs: number } | null;
  seed: number;
}

/** Where a split run stands, in the engine's snapshots (engine/messages.ts EngineSnapshot.split). */
export interface SplitProgress {
  /** Each target's share of the current step (fractions summing to 1), in --split order. */
  shares: { target: string; share: number }[];
  /** 1-based step reached; null without --ramp. */
  step: number | null;
  steps: number | null;
  /** Set when --abort-on-fail stopped the ramp: the step, the failed threshold and its value there. */
  abort: { step: number | null; threshold: string; value: number | null } | null;
}

function fail(message: string): never {
  throw new UsageError(message);
}

/** `direct=90,relay=10` → names and weights; every rule of the brief's usage errors. */
export function parseSplit(text: string, known: readonly string[]): { targets: string[]; weights: number[] } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const targets: string[] = [];
  const weights: number[] = [];
  for (const part of parts) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) fail(`--split expects NAME=WEIGHT pairs such as direct=90,relay=10, got "${part}"`);
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const weight = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(weight)) fail(`--split: the weight of "${name}" must be a number, got "${raw}"`);
    if (weight <= 0) fail(`--split: the weight of "${name}" must be above 0, got ${raw} (leave a target out instead)`);
    if (targets.includes(name)) fail(`--split names "${name}" twice`);
    if (!known.includes(name)) fail(`--split: unknown target "${name}" (known: ${known.join(', ') || 'none'})`);
    targets.push(name);
    weights.push(weight);
  }
  if (targets.length < 2) fail('--split needs at least two targets, the last being the candidate (e.g. --split direct=90,relay=10)');
  return { targets, weights };
}

/** `10,50,100` → the candidate's share per step, in percent: each in (0, 100], never falling. */
export function parseRamp(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const shares = parts.map((p) => {
    const n = p === '' ? NaN : Number(p.endsWith('%') ? p.slice(0, -1) : p);
    if (!Number.isFinite(n) || n <= 0 || n > 100) fail(`--ramp expects the candidate's share per step in percent, each above 0 and at most 100 (e.g. 10,50,100), got "${p}"`);
    return n;
  });
  for (let i = 1; i < shares.length; i++) {
    if (shares[i]! < shares[i - 1]!) fail(`--ramp must rise step by step: ${shares[i - 1]} is followed by ${shares[i]}`);
  }
  return shares;
}

/** The ramp's whole length: its steps × --step. */
export function rampLengthMs(plan: Pick<SplitPlan, 'ramp'>): number | null {
  return plan.ramp === null ? null : plan.ramp.sharesPct.length * plan.ramp.stepMs;
}

/** 0-based step at `elapsedMs` from the plan's start; the last step holds after the ramp's end. Null without a ramp. */
export function stepAt(plan: Pick<SplitPlan, 'ramp'>, elapsedMs: number): number | null {
  if (plan.ramp === null) return null;
  const i = Math.floor(Math.max(0, elapsedMs) / plan.ramp.stepMs);
  return Math.min(i, plan.ramp.sharesPct.length - 1);
}

/** Each target's share (summing to 1) at a step: the weights normalised, or the ramp's share for the candidate. */
export function sharesAt(plan: Omit<SplitPlan, 'seed'>, step: number | null): number[] {
  const total = plan.weights.reduce((a, b) => a + b, 0);
  if (plan.ramp === null || step === null) return plan.weights.map((w) => w / total);
  const candidate = plan.ramp.sharesPct[step]! / 100;
  const others = plan.weights.slice(0, -1);
  const otherTotal = others.reduce((a, b) => a + b, 0);
  return [...others.map((w) => ((1 - candidate) * w) / otherTotal), candidate];
}

/** Each target's largest share over the ramp's steps (the weights normalised without one): a dry run's cost must not understate. */
export function largestShares(plan: Omit<SplitPlan, 'seed'>): number[] {
  const steps = plan.ramp === null ? [null] : plan.ramp.sharesPct.map((_, i) => i);
  const per = steps.map((step) => sharesAt(plan, step));
  return plan.targets.map((_, i) => Math.max(...per.map((shares) => shares[i]!)));
}

/**
 * One seeded draw per send. The draws come in send order, so the same seed
 * routes the same sends the same way (for a ramp, as long as each send falls
 * in the same step).
 */
export class SplitRouter {
  private readonly rng: Rng;
  private cachedStep: number | null = -1;
  private cumulative: number[] = [];

  constructor(readonly plan: SplitPlan) {
    this.rng = mulberry32(plan.seed);
  }

  get candidate(): string {
    return this.plan.targets.at(-1)!;
  }

  /** The target of the send due `elapsedMs` after the plan's start. */
  pick(elapsedMs: number): string {
    const step = stepAt(this.plan, elapsedMs);
    if (step !== this.cachedStep) {
      this.cachedStep = step;
      let acc = 0;
      this.cumulative = sharesAt(this.plan, step).map((s) => (acc += s));
    }
    const u = this.rng();
    const i = this.cumulative.findIndex((edge) => u < edge);
    // u below 1 always lands somewhere unless rounding left the last edge a hair under 1.
    return this.plan.targets[i === -1 ? this.plan.targets.length - 1 : i]!;
  }

  progress(elapsedMs: number | null, abort: SplitProgress['abort']): SplitProgress {
    const step = elapsedMs === null ? (this.plan.ramp ? 0 : null) : stepAt(this.plan, elapsedMs);
    const shares = sharesAt(this.plan, step);
    return {
      shares: this.plan.targets.map((target, i) => ({ target, share: shares[i]! })),
      step: step === null ? null : step + 1,
      steps: this.plan.ramp?.sharesPct.length ?? null,
      abort,
    };
  }
}

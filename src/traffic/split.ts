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
  /**
   * With --ramp and --abort-on-fail: the step's time is up but it has not been judged yet (fewer
   * candidate results than `needed`), so the ramp holds it (engine/split-judge.ts); else null.
   */
  held: { step: number; results: number; needed: number } | null;
}

function fail(message: string): never {
  throw new UsageError(message);
}

/**
 * A plain decimal number (`90`, `0.5`, `.25`, `1e3`): Number() alone also
 * takes hex (`0x10`), binary and octal, which no one means as a weight or a
 * percentage.
 */
const DECIMAL = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Weights this small (subnormal doubles, e.g. 1e-320) normalise to a share of 0 or lose their precision: never meant. */
const MIN_WEIGHT = 2.2250738585072014e-308;

/** A target with a smaller share than this would, in practice, never be drawn: a usage error, not a silent 0%. */
export const MIN_SHARE = 1e-6;

/** A ramp step's candidate results needed before --abort-on-fail's thresholds may stop the ramp, or let it move on (engine/split-judge.ts). */
export const MIN_STEP_SAMPLES = 20;


/** `direct=90,relay=10` → names and weights; every rule of the brief's usage errors. */
export function parseSplit(text: string, known: readonly string[]): { targets: string[]; weights: number[] } {
  const parts = text.split(',').map((p) => p.trim());
  // One empty item (`--split ""`) falls to the "at least two targets" message below; an empty item among others is a typo.
  if (parts.length > 1 && parts.some((p) => p.length === 0)) fail(`--split has an empty item in "${text}" (expects NAME=WEIGHT pairs such as direct=90,relay=10)`);
  const targets: string[] = [];
  const weights: number[] = [];
  for (const part of parts.filter((p) => p.length > 0)) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) fail(`--split expects NAME=WEIGHT pairs such as direct=90,relay=10, got "${part}"`);
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const weight = DECIMAL.test(raw) ? Number(raw) : raw.startsWith('-') && DECIMAL.test(raw.slice(1)) ? -Number(raw.slice(1)) : NaN;
    if (!Number.isFinite(weight)) fail(`--split: the weight of "${name}" must be a number, got "${raw}"`);
    if (weight <= 0) fail(`--split: the weight of "${name}" must be above 0, got ${raw} (leave a target out instead)`);
    if (weight < MIN_WEIGHT) fail(`--split: the weight of "${name}" is too small to compute with, got ${raw} (leave the target out instead)`);
    if (targets.includes(name)) fail(`--split names "${name}" twice`);
    if (!known.includes(name)) fail(`--split: unknown target "${name}" (known: ${known.join(', ') || 'none'})`);
    targets.push(name);
    weights.push(weight);
  }
  if (targets.length < 2) fail('--split needs at least two targets, the last being the candidate (e.g. --split direct=90,relay=10)');
  // 1e308+1e308 is Infinity: every share would be 0 and every line fall through to the candidate.
  const total = weights.reduce((a, b) => a + b, 0);
  if (!Number.isFinite(total)) fail(`--split: the weights add up to more than a number can hold (${text}); use smaller ones such as 90,10`);
  weights.forEach((w, i) => {
    if (w / total < MIN_SHARE) fail(`--split: "${targets[i]}" would get ${w / total} of the lines, less than one in a million (leave it out, or raise its weight)`);
  });
  return { targets, weights };
}

/** `10,50,100` → the candidate's share per step, in percent: each in (0, 100], each above the one before. */
export function parseRamp(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const shares = parts.map((p) => {
    const bare = p.endsWith('%') ? p.slice(0, -1).trim() : p;
    const n = DECIMAL.test(bare) ? Number(bare) : NaN;
    if (!Number.isFinite(n) || n <= 0 || n > 100) fail(`--ramp expects the candidate's share per step in percent, each above 0 and at most 100 (e.g. 10,50,100), got "${p}"`);
    // As for --split: a share under one in a million (1e-320) is 0 in effect.
    if (n < 1e-4) fail(`--ramp: a step's share of ${p}% is under one in a million (at least 0.0001%)`);
    return n;
  });
  // A step that repeats the last share only adds time at it; --step is for that, so a repeat is taken for a typo.
  for (let i = 1; i < shares.length; i++) {
    if (shares[i]! <= shares[i - 1]!) fail(`--ramp must rise step by step: ${shares[i - 1]} is followed by ${shares[i]}`);
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

/**
 * Each target's share of the run's lines (summing to 1): the weights normalised, or with a ramp the mean of
 * its step shares, each step lasting its --step. A dry run counts each line once at this share; counted at
 * each target's largest step share instead, a ramp's lines were counted up to twice (90% + 50% of them).
 */
export function expectedShares(plan: Omit<SplitPlan, 'seed'>): number[] {
  const steps = plan.ramp === null ? [null] : plan.ramp.sharesPct.map((_, i) => i);
  const per = steps.map((step) => sharesAt(plan, step));
  return plan.targets.map((_, i) => per.reduce((a, shares) => a + shares[i]!, 0) / per.length);
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

  /** The target of the send due `elapsedMs` after the plan's start, the ramp's step going by the clock alone. */
  pick(elapsedMs: number): string {
    return this.pickAtStep(stepAt(this.plan, elapsedMs));
  }

  /** The target of a send made at a 0-based ramp step (null without a ramp). */
  pickAtStep(step: number | null): string {
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
    return this.progressAtStep(elapsedMs === null ? (this.plan.ramp ? 0 : null) : stepAt(this.plan, elapsedMs), abort, null);
  }

  /** Where the run stands at a 0-based ramp step (null without a ramp). */
  progressAtStep(step: number | null, abort: SplitProgress['abort'], held: SplitProgress['held']): SplitProgress {
    const shares = sharesAt(this.plan, step);
    return {
      shares: this.plan.targets.map((target, i) => ({ target, share: shares[i]! })),
      step: step === null ? null : step + 1,
      steps: this.plan.ramp?.sharesPct.length ?? null,
      abort,
      held,
    };
  }
}

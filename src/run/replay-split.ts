/**
 * replay's canary split (--split, --ramp, --step, --abort-on-fail): the flags
 * checked and turned into the plan's SplitPlan (src/traffic/split.ts), and
 * the split's part of the progress line, the text and the JSON. The routing
 * and the ramp's judging run in the engine (src/engine/split-judge.ts).
 */
import { UsageError } from '../core/errors.js';
import { randomSeed } from '../core/random.js';
import type { EngineSnapshot, TargetInfo } from '../engine/messages.js';
import { parseRamp, parseSplit, rampLengthMs, type SplitPlan, type SplitProgress } from '../traffic/split.js';
import { fmtMs } from '../export/format.js';
import { describeThresholdResult } from '../stats/thresholds.js';
import type { CanaryOutput, SplitTargetOutput } from '../export/contracts/index.js';

export interface SplitFlags {
  target?: string[];
  seed?: number;
  split?: string;
  ramp?: string;
  /** ms */
  step?: number;
  abortOnFail?: boolean;
}

/** The split of the run, or null without --split; every bad combination is a UsageError (exit 2) before anything is sent. */
export function splitPlanFrom(flags: SplitFlags, known: readonly string[]): SplitPlan | null {
  if (flags.split === undefined) {
    if (flags.ramp !== undefined) throw new UsageError('--ramp needs --split (e.g. --split direct=90,relay=10 --ramp 10,50,100 --step 5m)');
    if (flags.step !== undefined) throw new UsageError('--step goes with --ramp and --split');
    return null;
  }
  if (flags.target !== undefined && flags.target.length > 0) {
    throw new UsageError('--split and -t/--target exclude each other: --split names the targets and each line goes to one of them');
  }
  const { targets, weights } = parseSplit(flags.split, known);
  if (flags.ramp === undefined && flags.step !== undefined) throw new UsageError('--step goes with --ramp (e.g. --ramp 10,50,100 --step 5m)');
  if (flags.ramp !== undefined && flags.step === undefined) throw new UsageError('--ramp needs --step, the length of each step (e.g. --step 5m)');
  const ramp = flags.ramp === undefined ? null : { sharesPct: parseRamp(flags.ramp), stepMs: flags.step! };
  return { targets, weights, ramp, seed: flags.seed ?? randomSeed() };
}

/** --ramp: how long the run lasts unless --duration says otherwise: every step once. */
export function splitDurationMs(plan: SplitPlan | null, durationMs: number | null): number | null {
  return durationMs ?? (plan ? rampLengthMs(plan) : null);
}

function sentOf(targets: readonly Pick<TargetInfo, 'name' | 'schedule'>[], name: string): number {
  return targets.find((t) => t.name === name)?.schedule.sent ?? 0;
}

const pct = (share: number): string => `${Number((share * 100).toFixed(1))}%`;

/** The split's part of the progress line: each side's sends, and the ramp's step. */
export function splitProgressText(s: Pick<EngineSnapshot, 'split' | 'targets'>): string {
  const split = s.split;
  if (!split) return '';
  const sides = split.shares.map((x) => `${x.target} ${sentOf(s.targets, x.target)}`).join(' · ');
  const candidate = split.shares.at(-1);
  const step = split.step !== null && candidate ? `  step ${split.step}/${split.steps} (${candidate.target} ${pct(candidate.share)})` : '';
  return `  split ${sides}${step}`;
}

/** The JSON's `split` array: each target's weight as given, its share at the step reached, and its sends. */
export function splitJson(plan: SplitPlan, snapshot: Pick<EngineSnapshot, 'split' | 'targets'>): SplitTargetOutput[] {
  return plan.targets.map((target, i) => ({
    target,
    weight: plan.weights[i]!,
    share: snapshot.split?.shares.find((x) => x.target === target)?.share ?? 0,
    sent: sentOf(snapshot.targets, target),
  }));
}

/** The JSON's `canary` object: the candidate, the seed, the ramp and where it stood, and an --abort-on-fail stop. */
export function canaryJson(plan: SplitPlan, progress: SplitProgress | undefined): CanaryOutput {
  return {
    candidate: plan.targets.at(-1)!,
    seed: plan.seed,
    ramp: plan.ramp ? { sharesPct: plan.ramp.sharesPct, stepMs: plan.ramp.stepMs, stepReached: progress?.step ?? 1, steps: plan.ramp.sharesPct.length } : null,
    abort: progress?.abort ?? null,
  };
}

/** The text summary's lines about the split. */
export function splitLines(plan: SplitPlan, snapshot: Pick<EngineSnapshot, 'split' | 'targets'>): string[] {
  const rows = splitJson(plan, snapshot);
  const total = rows.reduce((a, r) => a + r.sent, 0);
  const lines = [
    `split (seed ${plan.seed}; candidate ${plan.targets.at(-1)}): ` +
      rows.map((r) => `${r.target} ${r.sent} sent (${total > 0 ? pct(r.sent / total) : '0%'}; share ${pct(r.share)})`).join(', '),
  ];
  const progress = snapshot.split;
  if (plan.ramp) {
    lines.push(`ramp ${plan.ramp.sharesPct.map((p) => `${p}%`).join(' → ')}, ${fmtMs(plan.ramp.stepMs)} a step: reached step ${progress?.step ?? 1}/${plan.ramp.sharesPct.length}`);
  }
  const abort = progress?.abort;
  if (abort) {
    const where = abort.step !== null ? ` at step ${abort.step}` : '';
    const judged = describeThresholdResult({ expression: abort.threshold, ok: false, value: abort.value });
    lines.push(`stopped${where} (--abort-on-fail): ${plan.targets.at(-1)} failed ${judged}`);
  }
  return lines;
}

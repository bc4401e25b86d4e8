/**
 * replay's canary split (--split, --ramp, --step, --abort-on-fail): the flags
 * checked and turned into the plan's SplitPlan (src/traffic/split.ts), and
 * the split's part of the progress line, the text and the JSON. The routing
 * and the ramp's judging run in the engine (src/engine/split-judge.ts).
 */
import { UsageError } from '../core/errors.js';
import { MAX_TIMER_MS } from '../core/long-timeout.js';
import { randomSeed } from '../core/random.js';
import type { EngineSnapshot, TargetInfo } from '../engine/messages.js';
import { MIN_STEP_SAMPLES, parseRamp, parseSplit, rampLengthMs, type SplitPlan, type SplitProgress } from '../traffic/split.js';
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

const days = (ms: number): string => `${Number((ms / 86_400_000).toPrecision(4))} days`;

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
  // A ramp may last as long as Node keeps one timer (--help and docs/contracts.md say so): found when a 60-day ramp
  // ended before it began. The run's duration timer now waits in steps (core/long-timeout.ts); the bound stays documented.
  if (ramp && ramp.sharesPct.length * ramp.stepMs > MAX_TIMER_MS) {
    throw new UsageError(
      `--ramp with --step: ${ramp.sharesPct.length} step${ramp.sharesPct.length === 1 ? '' : 's'} of ${days(ramp.stepMs)} would last ${days(ramp.sharesPct.length * ramp.stepMs)}; a ramp may last at most ${days(MAX_TIMER_MS)} (${MAX_TIMER_MS} ms, the longest timer Node keeps): use shorter steps`,
    );
  }
  return { targets, weights, ramp, seed: flags.seed ?? randomSeed() };
}

/**
 * --ramp: how long the run lasts unless --duration says otherwise: every step once. A ramp judged by
 * --abort-on-fail (`held`) has no set length: a step is held until it has been judged, and the engine
 * ends the run once the last one has been (engine/split-judge.ts rampDone).
 */
export function splitDurationMs(plan: SplitPlan | null, durationMs: number | null, held = false): number | null {
  return durationMs ?? (plan && !held ? rampLengthMs(plan) : null);
}

function sentOf(targets: readonly Pick<TargetInfo, 'name' | 'schedule'>[], name: string): number {
  return targets.find((t) => t.name === name)?.schedule.sent ?? 0;
}

const pct = (share: number): string => `${Number((share * 100).toFixed(1))}%`;

/**
 * The line on stderr before a split run: each target's share, or with --ramp the candidate's steps and who
 * takes the rest (the candidate's --split weight is unused then, so it is not shown).
 */
export function splitStartLine(plan: SplitPlan, held: boolean): string {
  const candidate = plan.targets.at(-1)!;
  const share = (w: number, total: number): string => `${Number(((w / total) * 100).toFixed(1))}%`;
  if (plan.ramp === null) {
    const total = plan.weights.reduce((a, b) => a + b, 0);
    return `replay: each line to one target: ${plan.targets.map((t, i) => `${t} ${share(plan.weights[i]!, total)}`).join(', ')} (seed ${plan.seed})`;
  }
  const others = plan.targets.slice(0, -1);
  const weights = plan.weights.slice(0, -1);
  const total = weights.reduce((a, b) => a + b, 0);
  const rest = others.length === 1 ? others[0]! : others.map((t, i) => `${t} ${share(weights[i]!, total)} of it`).join(', ');
  const judged = held ? `; a step moves on only once ${MIN_STEP_SAMPLES} of its ${candidate} results pass` : '';
  return `replay: each line to one target: ${candidate} ${plan.ramp.sharesPct.map((p) => `${p}%`).join(' → ')}, ${plan.ramp.stepMs / 1000}s a step, the rest to ${rest}${judged} (seed ${plan.seed})`;
}

/** A step the ramp holds until it can be judged (engine/split-judge.ts). */
export function heldText(held: NonNullable<SplitProgress['held']>): string {
  return `holding step ${held.step}: ${held.results} of ${held.needed} results`;
}

/** The split's part of the progress line: each side's sends, and the ramp's step. */
export function splitProgressText(s: Pick<EngineSnapshot, 'split' | 'targets'>): string {
  const split = s.split;
  if (!split) return '';
  const sides = split.shares.map((x) => `${x.target} ${sentOf(s.targets, x.target)}`).join(' · ');
  const candidate = split.shares.at(-1);
  const step = split.step !== null && candidate ? `  step ${split.step}/${split.steps} (${candidate.target} ${pct(candidate.share)})` : '';
  const held = split.held ? `  ${heldText(split.held)}` : '';
  return `  split ${sides}${step}${held}`;
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
    ramp: plan.ramp
      ? { sharesPct: plan.ramp.sharesPct, stepMs: plan.ramp.stepMs, stepReached: progress?.step ?? 1, steps: plan.ramp.sharesPct.length, held: progress?.held ?? null }
      : null,
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
    const held = progress?.held;
    // The run ended (Ctrl-C, --duration, -n) while a step waited for results: it was never judged, and the ramp never went past it.
    if (held) lines.push(`step ${held.step} was not judged: ${held.results} of the ${held.needed} candidate results it needs (the ramp held it at ${pct(progress?.shares.at(-1)?.share ?? 0)})`);
  }
  const abort = progress?.abort;
  if (abort) {
    const where = abort.step !== null ? ` at step ${abort.step}` : '';
    const judged = describeThresholdResult({ expression: abort.threshold, ok: false, value: abort.value });
    lines.push(`stopped${where} (--abort-on-fail): ${plan.targets.at(-1)} failed ${judged}`);
  }
  return lines;
}

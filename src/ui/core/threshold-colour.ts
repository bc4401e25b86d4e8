/**
 * Colouring a shown value by the thresholds that apply to it: red when one
 * fails, yellow when one passes by less than 10% of its limit, green when all
 * pass comfortably, no colour when there is no threshold or no value. Uses
 * the evaluator's own `compare`, so the dashboard never disagrees with
 * `check` about what fails.
 */
import { compare, type Aggregation, type MetricName, type Threshold } from '../../stats/thresholds.js';

export type ThresholdTone = 'ok' | 'warn' | 'bad' | 'none';

/** How close (as a fraction of the limit) a passing value must be to count as a warning. */
export const WARN_MARGIN = 0.1;

const RANK: Record<ThresholdTone, number> = { none: 0, ok: 1, warn: 2, bad: 3 };

function toneFor(value: number, t: Threshold): ThresholdTone {
  if (!compare(value, t.op, t.value)) return 'bad';
  const margin = Math.abs(t.value) * WARN_MARGIN;
  // A zero limit has no "10% of it"; it is either met or not.
  if (!(margin > 0)) return 'ok';
  switch (t.op) {
    case '<':
    case '<=':
      return value >= t.value - margin ? 'warn' : 'ok';
    case '>':
    case '>=':
      return value <= t.value + margin ? 'warn' : 'ok';
    case '==':
    case '!=':
      // No failing side to approach.
      return 'ok';
  }
}

/** The worst tone over `thresholds` for `value`; 'none' without a value or a threshold. */
export function thresholdColour(value: number | null | undefined, thresholds: readonly Threshold[]): ThresholdTone {
  if (value === null || value === undefined || Number.isNaN(value) || thresholds.length === 0) return 'none';
  let worst: ThresholdTone = 'none';
  for (const t of thresholds) {
    const tone = toneFor(value, t);
    if (RANK[tone] > RANK[worst]) worst = tone;
  }
  return worst;
}

function sameAggregation(a: Aggregation, b: Aggregation): boolean {
  const pa = a.kind === 'med' ? 50 : a.kind === 'p' ? a.p : null;
  const pb = b.kind === 'med' ? 50 : b.kind === 'p' ? b.p : null;
  if (pa !== null || pb !== null) return pa === pb;
  return a.kind === b.kind;
}

/**
 * The thresholds that judge `metric` (with `aggregation`, when given) for a
 * whole target: those naming this target or no target, and no model or probe
 * (a panel shows all models and probes together).
 */
export function thresholdsFor(
  all: readonly Threshold[],
  metric: MetricName,
  target: string,
  aggregation?: Aggregation,
): Threshold[] {
  return all.filter(
    (t) =>
      t.metric === metric &&
      (t.tags.target === undefined || t.tags.target === target) &&
      t.tags.model === undefined &&
      t.tags.probe === undefined &&
      (aggregation === undefined || sameAggregation(t.aggregation, aggregation)),
  );
}

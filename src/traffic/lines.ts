/** How a replay plan's lines map to its targets; shared by the engine's -n (engine/runner.ts) and --dry-run (traffic/dry-run.ts). */
import type { TrafficPlan } from '../engine/messages.js';

/**
 * Each line of the plan goes to exactly one target: a --split, or a replay
 * whose every line carries its one target (a relaymon log back to its recorded
 * targets, lines routed by protocol). Then -n counts the run's sends (N lines
 * of the file, each sent once), not each target's: counted per target, the
 * target with the fewest lines would read on through the file while the
 * others had stopped, and the recorded mix (91/9) would come out 50/50.
 */
export function oneTargetPerLine(plan: TrafficPlan): boolean {
  if (plan.kind !== 'replay') return false;
  return plan.split !== undefined || (plan.entries.length > 0 && plan.entries.every((e) => e.targets?.length === 1));
}

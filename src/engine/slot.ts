import type { ResolvedTarget } from '../core/target.js';
import type { TargetInfo } from './messages.js';
import type { TargetGate } from './gate.js';

/**
 * One target in a run: the target as the run sends to it (its pool sized to
 * the cap), its admission gate, and what the dashboard shows of it. (Not the
 * ok/degraded/down state of src/stats/target-health.ts.)
 */
export interface TargetSlot {
  target: ResolvedTarget;
  gate: TargetGate;
  info: Omit<TargetInfo, 'schedule'>;
}

/**
 * The significance settings of `relaymon compare`, apart from compare.ts:
 * `compare --help` quotes the defaults, and registering a command must not
 * load the statistics (simple-statistics).
 */
export interface CompareOptions {
  /** A difference is significant when its p-value is below alpha ... */
  alpha: number;
  /** ... and it is at least this fraction of the second target's median (a practical floor). */
  minEffect: number;
  confidence: number;
  /** Seed of the bootstrap. */
  seed: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { alpha: 0.01, minEffect: 0.05, confidence: 0.95, seed: 1 };

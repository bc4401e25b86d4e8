/**
 * evaluate's defaults, apart from the rules' code: `evaluate --help` quotes
 * them, and registering a command must load nothing but constants
 * (test/integration/startup-imports.test.ts).
 */
import type { EvaluateConfig } from '../config/schema.js';

/** The comparison's requests to each target: money is real, and 30 a side still gives a p95 with an interval. */
export const DEFAULT_EVALUATE_REQUESTS = 30;

/** The documented defaults of config `evaluate:` (src/config/schema.ts fills the same ones). */
export const DEFAULT_EVALUATE_RULES: EvaluateConfig = {
  require: { servesModels: true, conform: 'all', billingGapPct: 2, errorRatePp: 1, modelIdentity: true, streamConformance: true },
  warn: { ttftP95WithinPct: 20, latencyP95WithinPct: 20 },
};

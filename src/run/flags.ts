/**
 * The values of the flags shared by the sending commands, as their
 * declarations (src/cli/options.ts) parse them: what a run action receives.
 */
import type { ProbeKind, Protocol } from '../core/result.js';

/** Flags shared by every command that talks to a target. */
export interface TargetFlagValues {
  config?: string;
  target?: string;
  baseUrl?: string;
  protocol?: Protocol;
  apiKeyEnv?: string;
  apiKeyHeader?: string;
  /** --timeout in ms. */
  timeout?: number;
  prices?: string;
}

/** The values of the schedule flags (addScheduleOptions), parsed. */
export interface ScheduleFlagValues {
  /** ms */
  duration?: number;
  requests?: number;
  maxInFlight?: number;
  model?: string;
  prompt?: string;
  /** --kind: the probes become this kind (traffic/probes.ts withKind). */
  kind?: ProbeKind;
  maxTokens?: number;
  stream?: boolean;
  /** ms */
  every?: number;
  /** per second */
  rate?: number;
  budgetUsd?: number;
  dryRun?: boolean;
  log?: string;
  logBodies: boolean;
  color: boolean;
}

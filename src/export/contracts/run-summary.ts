/**
 * The run summary: what `check`, `replay` and `watch` print with `--json`
 * and write with `--summary FILE` (docs/contracts.md "Run summary"; built by
 * runSummaryJson in src/export/run-summary-json.ts).
 */
import { z } from 'zod';
import { count, isoTimeSchema, protocolSchema, saturationSchema, stoppedBySchema, summarySchema, thresholdResultSchema } from './common.js';

export const RUN_SUMMARY_COMMANDS = ['check', 'replay', 'watch'] as const;

export const targetScheduleSchema = z
  .strictObject({
    scheduled: count().describe('Every send the plan owed the target; = sent + dropped + skippedBackoff at the end of a run.'),
    sent: count(),
    capWaits: count().describe('Sends that had to wait at a full concurrency cap.'),
    dropped: count().describe('Sends never made: still held at the cap when the run stopped, beyond the hold-back queue, or refused by the spend guard.'),
    skippedBackoff: count().describe('Sends that fell inside a 429 back-off.'),
    achievedRatePerSec: z.number().nonnegative().nullable().describe('sent over the measured span, per second; null before any time passed.'),
  })
  .describe('What became of the sends the plan owed the target.')
  .meta({ id: 'TargetSchedule' });
export type TargetScheduleOutput = z.infer<typeof targetScheduleSchema>;

export const runTargetSchema = z
  .strictObject({
    name: z.string(),
    baseUrl: z.string().describe('The base URL, credentials redacted.'),
    protocol: protocolSchema,
    summary: summarySchema.nullable().describe('null when the target finished no request.'),
    maxInFlight: count().describe("The target's concurrency cap in this run."),
    schedule: targetScheduleSchema.nullable(),
  })
  .meta({ id: 'RunTarget' });
export type RunTargetOutput = z.infer<typeof runTargetSchema>;

export const splitTargetSchema = z
  .strictObject({
    target: z.string(),
    weight: z.number().positive().describe('The weight given in --split.'),
    share: z.number().min(0).max(1).describe("The target's share of the sends at the step reached (the weights normalised; with --ramp, the candidate's step share)."),
    sent: count().describe('Requests sent to the target.'),
  })
  .meta({ id: 'SplitTarget' });
export type SplitTargetOutput = z.infer<typeof splitTargetSchema>;

export const canarySchema = z
  .strictObject({
    candidate: z.string().describe('The last target of --split.'),
    seed: z.int().nonnegative().describe('The seed of the routing draws (--seed, or the one drawn): the same seed routes the same lines the same way.'),
    ramp: z
      .strictObject({
        sharesPct: z.array(z.number()).describe("The candidate's share per step, percent (--ramp)."),
        stepMs: count().describe('Each step\'s length (--step).'),
        stepReached: z.int().positive().describe('1-based step the run reached (the step it stopped at, on an abort).'),
        steps: z.int().positive(),
        held: z
          .strictObject({
            step: z.int().positive().describe('1-based step.'),
            results: count().describe("The candidate's results of that step."),
            needed: z.int().positive().describe('The results a step needs to be judged (20).'),
          })
          .nullable()
          .optional()
          .describe(
            "With --abort-on-fail: the run ended on a step whose time was up but which had too few of the candidate's results to be judged (the ramp held it, never going past it); else null. Absent from summaries of earlier versions.",
          ),
      })
      .nullable()
      .describe('null without --ramp.'),
    abort: z
      .strictObject({
        step: z.int().positive().nullable().describe('1-based step of the abort; null without --ramp.'),
        threshold: z.string().describe('The threshold the candidate failed.'),
        value: z.number().nullable().describe("Its value over the candidate's results of that step."),
      })
      .nullable()
      .describe('Set when --abort-on-fail stopped the run (exit 1).'),
  })
  .describe('replay --split: the canary split.')
  .meta({ id: 'Canary' });
export type CanaryOutput = z.infer<typeof canarySchema>;

export const runSummarySchema = z
  .strictObject({
    command: z.enum(RUN_SUMMARY_COMMANDS),
    startedAt: isoTimeSchema.describe('Wall-clock start of the run, ISO 8601 UTC.'),
    durationMs: count().describe('The whole run, the drain of requests in flight after a stop included.'),
    measuredMs: count().describe('The span rates and cost per hour are over: first scheduled send to the instant sending stopped, less any time the run was paused.'),
    saturation: saturationSchema,
    stoppedBy: stoppedBySchema,
    targets: z.array(runTargetSchema).describe('One per target, in the order they were configured or named.'),
    summary: summarySchema.describe('All targets together.'),
    thresholds: z.array(thresholdResultSchema),
    split: z.array(splitTargetSchema).optional().describe('replay --split only: each target of the split, in --split order.'),
    canary: canarySchema.optional().describe('replay --split only.'),
  })
  .describe('relaymon check|replay|watch --json (and --summary FILE).');
export type RunSummaryOutput = z.infer<typeof runSummarySchema>;

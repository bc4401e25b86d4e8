/**
 * `evaluate --json` (and `--summary FILE`): one verdict per candidate against
 * the reference (docs/contracts.md "evaluate --json"; the verdicts by
 * src/evaluate/rules.ts, the document by src/evaluate/output.ts). The
 * comparison of each candidate is compare's own shape (compare.ts), its
 * conformance rows conform's (conform.ts).
 */
import { z } from 'zod';
import { count, isoTimeSchema, protocolSchema, saturationSchema, stoppedBySchema } from './common.js';
import { compareTargetSchema, metricComparisonSchema } from './compare.js';
import { conformSchema } from './conform.js';

export const VERDICTS = ['ready', 'ready_with_caveats', 'not_ready'] as const;

/**
 * The rule a finding comes from: a key of `evaluate.require` / `evaluate.warn`, `reachable`, `probeChecks` (the
 * checks of a non-text probe in the comparison), or `notJudged` (what could not be judged; a reason when nothing was).
 */
export const FINDING_RULES = [
  'reachable',
  'servesModels',
  'conform',
  'probeChecks',
  'billingGapPct',
  'errorRatePp',
  'modelIdentity',
  'streamConformance',
  'ttftP95WithinPct',
  'latencyP95WithinPct',
  'notJudged',
] as const;

export const findingSchema = z
  .strictObject({
    rule: z.enum(FINDING_RULES),
    message: z.string().describe('One line for people.'),
    evidence: z.string().describe('What was measured, against what.'),
    size: z.number().nullable().describe('How big, in unit; null when it has no size (a missing model, a failed check).'),
    unit: z.enum(['%', 'pp', 'count']).nullable(),
  })
  .meta({ id: 'EvaluateFinding' });

const modelsSchema = z.strictObject({
  listed: z.array(z.string()).nullable().describe('The ids GET /models listed; null when the list could not be read.'),
  error: z.string().nullable().describe('Why the list could not be read; null when it was.'),
});

const tailSchema = z
  .strictObject({
    candidateP95: z.number(),
    referenceP95: z.number(),
    excess: z.number().describe('candidateP95 / referenceP95 − 1.'),
    low: z.number(),
    high: z.number(),
    n: z.strictObject({ candidate: count(), reference: count() }),
  })
  .nullable()
  .describe('The p95 excess over the reference with its 95% bootstrap interval; null with fewer than 10 successful answers a side.');

const candidateCostSchema = z
  .strictObject({
    monthlyUsd: z.number().nullable(),
    referenceMonthlyUsd: z.number().nullable(),
    savingUsd: z.number().nullable().describe('reference − candidate per month; negative: the candidate costs more.'),
    savingFraction: z.number().nullable().describe('savingUsd / referenceMonthlyUsd.'),
    usageRatio: z.strictObject({ input: z.number(), output: z.number(), measured: z.boolean() }),
    unpricedModels: z.array(z.string()),
  })
  .nullable()
  .describe('With --mix: the monthly bill at the measured usage ratio; null without a mix.');

export const evaluateCandidateSchema = z
  .strictObject({
    name: z.string(),
    baseUrl: z.string(),
    protocol: protocolSchema,
    verdict: z.enum(VERDICTS),
    reasons: z.array(findingSchema).describe('What makes it not_ready (broken require rules).'),
    caveats: z.array(findingSchema).describe('What makes it ready_with_caveats (broken warn rules, what the reference does too, what could not be judged).'),
    models: modelsSchema,
    conform: z.strictObject({ pass: count(), fail: count(), notApplicable: count() }).nullable().describe('Its conform rows by status; null when the suite did not run.'),
    comparison: z
      .strictObject({
        alpha: z.number(),
        minEffect: z.number(),
        confidence: z.number(),
        seed: z.number(),
        targets: z.tuple([compareTargetSchema, compareTargetSchema]).describe('[candidate, reference]; differences are candidate − reference.'),
        metrics: z.array(metricComparisonSchema),
        errors: z.strictObject({
          a: z.strictObject({ requests: count(), errors: count(), rate: z.number().min(0).max(1).nullable() }),
          b: z.strictObject({ requests: count(), errors: count(), rate: z.number().min(0).max(1).nullable() }),
          difference: z.number().nullable(),
          pValue: z.number().min(0).max(1).nullable(),
          significant: z.boolean(),
        }),
      })
      .nullable()
      .describe("compare's report of the candidate against the reference; null when nothing was compared."),
    tails: z.strictObject({ ttft: tailSchema, latency: tailSchema }),
    cost: candidateCostSchema,
  })
  .meta({ id: 'EvaluateCandidate' });

const percent = z.number().nonnegative().nullable();

export const evaluateSchema = z
  .strictObject({
    command: z.literal('evaluate'),
    startedAt: isoTimeSchema,
    durationMs: count().describe('The whole evaluation, every phase.'),
    saturation: saturationSchema.nullable().describe("relaymon's own saturation during the comparison; null when it did not run."),
    stoppedBy: stoppedBySchema,
    seed: z.number(),
    reference: z.strictObject({ name: z.string(), baseUrl: z.string(), protocol: protocolSchema, models: modelsSchema }),
    rules: z.strictObject({
      require: z.strictObject({
        servesModels: z.boolean(),
        conform: z.union([z.enum(['all', 'none']), z.array(z.string())]),
        billingGapPct: percent,
        errorRatePp: percent,
        modelIdentity: z.boolean(),
        streamConformance: z.boolean(),
      }),
      warn: z.strictObject({ ttftP95WithinPct: percent, latencyP95WithinPct: percent }),
    }),
    plan: z
      .strictObject({
        phases: z.array(z.strictObject({ phase: z.enum(['models', 'conform', 'compare']), requests: count().nullable(), worstCaseUsd: z.number().nullable() })),
        requests: count().nullable(),
        worstCaseUsd: z.number().nullable().describe('null when a model has no price (its cost is not bounded).'),
        budgetUsd: z.number().nullable(),
      })
      .describe('What was planned before anything was sent.'),
    spentUsd: z.number().describe('Booked by the spend guard over every phase.'),
    candidates: z.array(evaluateCandidateSchema),
    conform: conformSchema.nullable().describe("The conform suite's report over the reference and the candidates; null when it did not run."),
    mix: z.array(z.strictObject({ model: z.string(), inputTokens: z.number(), outputTokens: z.number() })).nullable().describe('The --mix, per month; null without one.'),
  })
  .describe('relaymon evaluate --json (and --summary FILE).');
export type EvaluateOutput = z.infer<typeof evaluateSchema>;
export type EvaluateCandidateOutput = z.infer<typeof evaluateCandidateSchema>;
export type EvaluateFinding = z.infer<typeof findingSchema>;
export type EvaluateTail = NonNullable<EvaluateCandidateOutput['tails']['ttft']>;

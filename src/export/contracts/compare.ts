/**
 * `compare --json` (and `--summary FILE`): the same traffic through two
 * targets, side by side (docs/contracts.md "compare --json"; the report is
 * built by compareResults in src/compare/compare.ts, the head by runCompare
 * in src/cli/compare.ts).
 */
import { z } from 'zod';
import { count, errorTypesSchema, isoTimeSchema, protocolSchema, saturationSchema, stoppedBySchema } from './common.js';

export const COMPARED_METRICS = ['latency', 'ttfb', 'ttft', 'itl', 'tokens_per_s'] as const;

const compareHonestySchema = z.strictObject({
  usageCompared: count().describe('Responses whose reported usage was reconciled.'),
  usageMismatches: count(),
  usageGapRatio: z.number().nullable().describe('(billed − counted) / counted over the reconciled responses; 0.38 is "+38% billed".'),
  usageRatio: z
    .strictObject({ input: z.number().nullable(), output: z.number().nullable() })
    .describe('billed / counted per direction over the responses counted exactly; null without such responses.'),
  modelMismatches: count(),
  namedModels: count().describe('Responses that named a model (the denominator of modelMismatches).'),
  fingerprintChanges: count(),
  streams: count(),
  streamsWithoutUsage: count(),
  streamsOutOfOrder: count(),
  streamsUnterminated: count(),
  streamsUsageDecreased: count(),
});

export const compareTargetSchema = z
  .strictObject({
    name: z.string(),
    baseUrl: z.string(),
    protocol: protocolSchema,
    requests: count().describe('Finished requests (unfinished ones count nowhere).'),
    errors: count(),
    errorTypes: errorTypesSchema,
    inputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number().nullable().describe('null when nothing was priced.'),
    costPer1MTokensUsd: z.number().nullable().describe('Per million tokens billed.'),
    costPer1MCountedTokensUsd: z.number().nullable().describe('Per million tokens relaymon counted (delivered).'),
    honesty: compareHonestySchema,
  })
  .meta({ id: 'CompareTarget' });

const sampleSchema = z.strictObject({ n: count(), p50: z.number().nullable(), p95: z.number().nullable() });

export const metricComparisonSchema = z
  .strictObject({
    metric: z.enum(COMPARED_METRICS),
    unit: z.enum(['ms', 'tokens/s']),
    a: sampleSchema,
    b: sampleSchema,
    difference: z
      .strictObject({ median: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() })
      .describe('median(a) − median(b) with its bootstrap interval; nulls without data.'),
    pValue: z.number().min(0).max(1).nullable().describe('Two-sided Mann–Whitney U; null with fewer than 5 samples a side.'),
    significant: z.boolean(),
  })
  .meta({ id: 'MetricComparison' });

const errorSideSchema = z.strictObject({ requests: count(), errors: count(), rate: z.number().min(0).max(1).nullable() });

export const compareSchema = z
  .strictObject({
    command: z.literal('compare'),
    startedAt: isoTimeSchema,
    durationMs: count(),
    saturation: saturationSchema,
    stoppedBy: stoppedBySchema,
    alpha: z.number(),
    minEffect: z.number(),
    confidence: z.number(),
    seed: z.number(),
    targets: z.tuple([compareTargetSchema, compareTargetSchema]).describe('[first, second] as named in --targets; differences are first − second.'),
    metrics: z.array(metricComparisonSchema),
    errors: z.strictObject({
      a: errorSideSchema,
      b: errorSideSchema,
      difference: z.number().nullable().describe('rate(a) − rate(b).'),
      pValue: z.number().min(0).max(1).nullable().describe("Fisher's exact test, two-sided."),
      significant: z.boolean(),
    }),
  })
  .describe('relaymon compare --json (and --summary FILE).');
export type CompareOutput = z.infer<typeof compareSchema>;

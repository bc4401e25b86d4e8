/**
 * `conform --json`: one row per target × protocol × check
 * (docs/contracts.md "conform --json"; built by src/conform/report.ts, the
 * head by src/run/conform.ts). The names are repeated here rather than
 * imported, as for compare (test/contracts/types.test.ts keeps them equal).
 */
import { z } from 'zod';
import { count, isoTimeSchema, protocolSchema } from './common.js';

export const CONFORM_CHECK_NAMES = [
  'usage_present',
  'usage_monotonic',
  'model_echo',
  'stream_terminated',
  'event_order',
  'error_in_stream',
  'max_tokens_honoured',
  'streams_incrementally',
  'tool_call_deltas',
  'structured_output',
  'cache_reported',
  'reasoning_passthrough',
  'error_shape',
] as const;

export const conformEvidenceSchema = z.strictObject({
  requestId: z.string().nullable().describe("The relay's id of the request the verdict rests on; null when it gave none or nothing was sent."),
  expected: z.string().describe('What a conformant relay does, in words.'),
  got: z.string().describe('What came back (or why the check could not be judged).'),
});

export const conformCheckSchema = z
  .strictObject({
    name: z.enum(CONFORM_CHECK_NAMES),
    protocol: protocolSchema,
    status: z.enum(['pass', 'fail', 'n/a']).describe('n/a: the check could not be judged (not sent, or what it needs was missing for another check\'s reason).'),
    evidence: conformEvidenceSchema,
  })
  .meta({ id: 'ConformCheck' });

export const conformTargetSchema = z
  .strictObject({
    name: z.string(),
    baseUrl: z.string(),
    protocols: z.array(protocolSchema).min(1).describe('The protocols the suite ran for (config `protocols`, else `protocol`; --protocol overrides).'),
    checks: z.array(conformCheckSchema).describe('For each protocol in order, each selected check in list order.'),
  })
  .meta({ id: 'ConformTarget' });

export const conformSchema = z
  .strictObject({
    command: z.literal('conform'),
    startedAt: isoTimeSchema,
    durationMs: count().describe('The whole suite, all targets.'),
    targets: z.array(conformTargetSchema),
    summary: z.strictObject({ pass: count(), fail: count(), notApplicable: count() }).describe('Rows by status, over every target.'),
    spentUsd: z.number().min(0).describe("USD the suite's requests cost (priced answers; with a budget, an answer without a price at its worst case). Above budgetUsd when a relay answered past max_tokens: an answer is charged once it has arrived."),
    budgetUsd: z.number().min(0).nullable().describe('--budget-usd or the config\'s budget.usd; null without one.'),
  })
  .describe('relaymon conform --json.');
export type ConformOutput = z.infer<typeof conformSchema>;
export type ConformTargetOutput = z.infer<typeof conformTargetSchema>;
export type ConformCheckOutput = z.infer<typeof conformCheckSchema>;

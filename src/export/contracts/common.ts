/**
 * The pieces several output contracts share: the closed vocabularies, the
 * `summary` object and the threshold results (docs/contracts.md). Each is a
 * zod schema; the TypeScript type is derived from it, so the type the
 * builders return and the JSON Schema in schema/ have one source.
 */
import { z } from 'zod';
import { ERROR_TYPES, PROTOCOLS } from '../../core/result.js';
import { COUNTERS, type CounterFields } from '../../metrics/catalog.js';

/** A count relaymon made itself (requests, sends): a whole number, never negative. */
export const count = () => z.int().nonnegative();

export const protocolSchema = z.enum(PROTOCOLS).describe('The wire protocol of the target.');

/** errorType as it appears as a key of `errorTypes`: the closed vocabulary, or `unknown` for a failure recorded without one. */
export const ERROR_TYPE_KEYS = [...ERROR_TYPES, 'unknown'] as const;

/** `errorTypes`: failures by errorType. A record with the keys checked by pattern, so its TypeScript type stays Record<string, number>. */
export const errorTypesSchema = z
  .record(z.string().regex(new RegExp(`^(${ERROR_TYPE_KEYS.join('|')})$`)), count())
  .describe('Failed requests by errorType (only the types that occurred).');

/** Why a run ended; null when the traffic plan ran out by itself (engine/messages.ts StoppedBy). */
export const STOP_REASONS = ['duration', 'requests', 'budget', 'abortOnFail', 'interrupt'] as const;
export const stoppedBySchema = z
  .enum(STOP_REASONS)
  .nullable()
  .describe('What ended the run; null when the plan (or the replay file) ran out by itself.');

export const timeStatsSchema = z
  .strictObject({
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
    avg: z.number().nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
  })
  .describe('Percentiles, mean and extremes over successful requests; every field null when there were none.')
  .meta({ id: 'TimeStats' });
export type TimeStatsOutput = z.infer<typeof timeStatsSchema>;

/** The catalogue's counters (src/metrics/catalog.ts), in its order: inputTokens, outputTokens, … */
const summaryCounters = Object.fromEntries(
  COUNTERS.filter((e) => e.key !== 'requests').map((e) => [e.key, z.number().describe(e.summaryHelp ?? e.description)]),
) as { [K in keyof CounterFields]: z.ZodNumber };

export const summarySchema = z
  .strictObject({
    requests: count().describe('Requests that finished (successes and relay errors); unfinished ones are not in it.'),
    errors: count().describe('Failed requests.'),
    errorRate: z.number().min(0).max(1).describe('errors / requests; 0 when there were no requests.'),
    errorTypes: errorTypesSchema,
    unfinished: count().describe('Requests relaymon itself cut short when the run stopped: in none of requests, errors, errorTypes or the timings.'),
    latencyMs: timeStatsSchema.describe('end − actual send.'),
    latencyScheduledMs: timeStatsSchema.describe('end − scheduled send (coordinated-omission corrected).'),
    ttfbMs: timeStatsSchema.describe('response headers − send.'),
    ttftMs: timeStatsSchema.describe('first token on any channel − send.'),
    ttftContentMs: timeStatsSchema.describe('first visible content token − send.'),
    itlMs: timeStatsSchema.describe('per-request (last − first visible token) / (visible tokens − 1).'),
    outputTokensPerSecond: timeStatsSchema.describe('per-request decode speed, tokens per second.'),
    ...summaryCounters,
    costUsd: z.number().nullable().describe('Sum of the known costs (a lower bound when some were unpriced); null when no request had one.'),
    unpricedRequests: count().describe('Requests whose cost is unknown and so missing from costUsd.'),
  })
  .describe('The summary of a run or of one target: timings over successful requests only.')
  .meta({ id: 'Summary' });
export type SummaryOutput = z.infer<typeof summarySchema>;

export const thresholdResultSchema = z
  .strictObject({
    expression: z.string().describe('The threshold in canonical CLI form, e.g. ttft:p(95)<800.'),
    ok: z.boolean(),
    value: z.number().nullable().describe("The observed value in the metric's unit (ms, fraction, per second, USD, count); null when there was no data (which fails)."),
    implied: z.literal(true).optional().describe('Present, true, on a threshold relaymon added itself (errors:rate<0.05).'),
  })
  .meta({ id: 'ThresholdResult' });
export type ThresholdResultOutput = z.infer<typeof thresholdResultSchema>;

export const saturationSchema = z
  .strictObject({
    saturatedMs: count().describe('Time relaymon itself was the bottleneck, ms (0 when never).'),
    eventLoopDelayP99MaxMs: z.number().nonnegative().describe("The worst tick's event-loop delay p99 in the measuring thread, ms."),
    sendLagMaxMs: z.number().nonnegative().describe('The latest a send left after its scheduled instant, not counting waits at a cap or a 429 back-off, ms.'),
  })
  .describe("The whole run's account of relaymon's own saturation.")
  .meta({ id: 'Saturation' });
export type SaturationOutput = z.infer<typeof saturationSchema>;

/** startedAt: ISO 8601 UTC, as Date.toISOString() writes it. */
export const isoTimeSchema = z.iso.datetime();

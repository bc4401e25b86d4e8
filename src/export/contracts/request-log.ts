/**
 * One line of the request log (`--log FILE`): a JSON object per finished
 * request (docs/contracts.md "Request log"; written by RequestLog.format in
 * src/export/request-log.ts).
 */
import { z } from 'zod';
import { isoTimeSchema, protocolSchema } from './common.js';
import { requestResultSchema } from './request-result.js';

export const requestLogLineSchema = z
  .strictObject({
    v: z.literal(1).describe('Format version.'),
    t: z.number().describe("ms from the start of the run to this request's send."),
    time: isoTimeSchema.describe('Wall-clock time of the send, ISO 8601 UTC.'),
    target: z.string(),
    probe: z.string().nullable().describe('The probe name; null for replayed and ad-hoc requests.'),
    protocol: protocolSchema,
    body: z.record(z.string(), z.unknown()).optional().describe('The request body that was sent; absent with --no-log-bodies.'),
    result: requestResultSchema,
  })
  .describe('One line of the relaymon request log (--log FILE).');
export type RequestLogLine = z.infer<typeof requestLogLineSchema>;

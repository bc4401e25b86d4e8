/**
 * `probe --json`: `{target, requests, summary, thresholds}` (docs/contracts.md
 * "probe --json"; built by probeJson in src/export/probe-text.ts).
 */
import { z } from 'zod';
import { summarySchema, thresholdResultSchema } from './common.js';
import { requestFieldsSchema } from './request-result.js';
import { PROBE_JSON_FIELDS } from '../../core/result.js';

/** The fields of a request in `probe --json`, in contract order (core/result.ts PROBE_JSON_FIELDS). */
const PICK = Object.fromEntries(PROBE_JSON_FIELDS.map((k) => [k, true])) as { [K in (typeof PROBE_JSON_FIELDS)[number]]: true };

export const probeRequestSchema = requestFieldsSchema.pick(PICK).meta({ id: 'ProbeRequest' });
export type ProbeRequestOutput = z.infer<typeof probeRequestSchema>;

export const probeSchema = z
  .strictObject({
    target: z.string().describe("The target's name (`default` when it came from flags or the environment)."),
    requests: z.array(probeRequestSchema).describe('One per finished request, in the order they were sent.'),
    summary: summarySchema,
    thresholds: z.array(thresholdResultSchema),
  })
  .describe('relaymon probe --json.');
export type ProbeOutput = z.infer<typeof probeSchema>;

/**
 * The JSON Schemas of the output contracts, one file per output in schema/,
 * generated from the zod schemas (scripts/gen-schema.mjs writes them,
 * test/contracts/schema-files.test.ts checks the committed files are current).
 * draft-07 like schema/relaymon.config.schema.json: what most validators read.
 */
import { z } from 'zod';
import { runSummarySchema } from './run-summary.js';
import { probeSchema } from './probe.js';
import { compareSchema } from './compare.js';
import { requestLogLineSchema } from './request-log.js';
import { conformSchema } from './conform.js';
import { evaluateSchema } from './evaluate.js';

export const CONTRACT_SCHEMAS = [
  { file: 'schema/run-summary.schema.json', title: 'relaymon run summary', schema: runSummarySchema },
  { file: 'schema/probe.schema.json', title: 'relaymon probe --json', schema: probeSchema },
  { file: 'schema/compare.schema.json', title: 'relaymon compare --json', schema: compareSchema },
  { file: 'schema/request-log.schema.json', title: 'relaymon request log line', schema: requestLogLineSchema },
  { file: 'schema/conform.schema.json', title: 'relaymon conform --json', schema: conformSchema },
  { file: 'schema/evaluate.schema.json', title: 'relaymon evaluate --json', schema: evaluateSchema },
] as const;

/** Each schema file's path (relative to the repository) and its text. */
export function buildContractSchemas(): { file: string; text: string }[] {
  return CONTRACT_SCHEMAS.map(({ file, title, schema }) => {
    const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' });
    const { $schema, ...rest } = json;
    const doc = { $schema, title, ...rest };
    return { file, text: `${JSON.stringify(doc, null, 2)}\n` };
  });
}

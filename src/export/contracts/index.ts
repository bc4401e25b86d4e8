/**
 * Output contracts: the JSON relaymon writes for scripts to read, as zod
 * schemas with their types derived from them. schema/*.schema.json are
 * generated from these (json-schema.ts, `npm run gen:schema`);
 * docs/contracts.md describes them.
 */
export * from './common.js';
export * from './request-result.js';
export * from './run-summary.js';
export * from './probe.js';
export * from './compare.js';
export * from './request-log.js';
export * from './conform.js';
export * from './evaluate.js';
export { CONTRACT_SCHEMAS, buildContractSchemas } from './json-schema.js';

/**
 * The probe's defaults, apart from the schema: the commands' --help quotes
 * them, and registering a command must not load zod (schema.ts).
 */
export const DEFAULT_PROBE_PROMPT = 'Reply with OK';
export const DEFAULT_PROBE_MAX_TOKENS = 16;

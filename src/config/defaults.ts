/**
 * The probes' defaults, apart from the schema (schema.ts, probe-kinds.ts
 * re-export them): the commands' --help quotes them, and building a probe's
 * request (traffic/probes.ts) must not load zod when there is no config file.
 */
export const DEFAULT_PROBE_PROMPT = 'Reply with OK';
export const DEFAULT_PROBE_MAX_TOKENS = 16;

/**
 * Probe kinds' defaults (traffic/probes.ts builds each kind's request): small,
 * so a probe of any kind costs little, and each works with no config at all.
 */
export const DEFAULT_LONG_TOKENS = 4_000;
/** Above the 1,024-token minimum OpenAI and Anthropic's larger models cache; some models need longer (cache.tokens). */
export const DEFAULT_CACHE_TOKENS = 1_200;
export const MIN_CACHE_TOKENS = 1_100;
export const DEFAULT_REASONING_EFFORT = 'low';
/** Anthropic's smallest thinking budget. */
export const DEFAULT_REASONING_BUDGET = 1_024;
export const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
/** Most tokens a `long` probe may declare: a typo of an extra zero must not send a prompt that costs dollars. */
export const MAX_LONG_TOKENS = 200_000;

/**
 * The config of probe kinds (probes.NAME.kind and each kind's options), part
 * of the probe schema in config/schema.ts. Each kind works with no options:
 * traffic/probes.ts and traffic/kinds.ts hold what it sends by default.
 */
import { z } from 'zod';
import { PROBE_KINDS } from '../core/result.js';
import { schemaProblem } from '../core/json-schema.js';
import {
  DEFAULT_CACHE_TOKENS,
  DEFAULT_LONG_TOKENS,
  DEFAULT_REASONING_BUDGET,
  DEFAULT_REASONING_EFFORT,
  MAX_LONG_TOKENS,
  MIN_CACHE_TOKENS,
  REASONING_EFFORTS,
} from './defaults.js';

/** A tool's or a response's schema: a JSON schema of an object, which ajv can compile. */
const objectSchema = (what: string) =>
  z.record(z.string(), z.unknown(), { error: `expected ${what} as a JSON schema object, e.g. {type: object, properties: {...}}` }).superRefine((schema, ctx) => {
    if (schema['type'] !== 'object') {
      ctx.addIssue({ code: 'custom', message: `expected ${what} with type: object (providers accept only object schemas here)` });
      return;
    }
    const problem = schemaProblem(schema);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `expected a valid JSON schema: ${problem}` });
  });

export const toolDefSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a function name of 1 to 64 letters, digits, "_" or "-"' })
    .describe('Function name the model calls'),
  description: z.string().default('').describe('What the function does, for the model'),
  parameters: objectSchema('parameters').describe('JSON schema of the arguments (type: object)'),
});

export const probeKindOptionsShape = {
  kind: z
    .enum(PROBE_KINDS, { error: `expected one of ${PROBE_KINDS.join(', ')}` })
    .optional()
    .describe('Default text. What to ask beyond plain text: tools, json, cache, reasoning or long (README.md "Probe kinds")'),
  tools: z.array(toolDefSchema).min(1).optional().describe('kind tools: the functions offered (default: one small get_weather function)'),
  json: z
    .strictObject({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a name of 1 to 64 letters, digits, "_" or "-"' }).optional(),
      schema: objectSchema('json.schema').describe('JSON schema the answer must match (type: object)'),
    })
    .optional()
    .describe('kind json: the structured-output schema (default: a small city/country/population object)'),
  cache: z
    .strictObject({
      tokens: z
        .int({ error: `expected a whole number of tokens of at least ${MIN_CACHE_TOKENS}` })
        .min(MIN_CACHE_TOKENS, { error: `expected at least ${MIN_CACHE_TOKENS} tokens: providers cache only prefixes of 1,024 tokens or more` })
        .max(MAX_LONG_TOKENS, { error: `expected at most ${MAX_LONG_TOKENS} tokens` }),
    })
    .optional()
    .describe(`kind cache: size of the repeated prefix (default ${DEFAULT_CACHE_TOKENS} tokens)`),
  long: z
    .strictObject({
      tokens: z
        .int({ error: 'expected a whole number of tokens above 0' })
        .positive({ error: 'expected a whole number of tokens above 0' })
        .max(MAX_LONG_TOKENS, { error: `expected at most ${MAX_LONG_TOKENS} tokens` }),
    })
    .optional()
    .describe(`kind long: size of the prompt (default ${DEFAULT_LONG_TOKENS} tokens)`),
  reasoning: z
    .strictObject({
      effort: z.enum(REASONING_EFFORTS, { error: `expected one of ${REASONING_EFFORTS.join(', ')}` }).optional(),
      budgetTokens: z
        .int({ error: `expected a whole number of tokens of at least ${DEFAULT_REASONING_BUDGET}` })
        .min(DEFAULT_REASONING_BUDGET, { error: `expected at least ${DEFAULT_REASONING_BUDGET} tokens (Anthropic's smallest thinking budget)` })
        .optional(),
    })
    .optional()
    .describe(`kind reasoning: effort (OpenAI, default ${DEFAULT_REASONING_EFFORT}) and budgetTokens (Anthropic, default ${DEFAULT_REASONING_BUDGET})`),
};

/** Which kind each kind option belongs to: an option set on a probe of another kind is an error, not ignored. */
export const KIND_OPTIONS = { tools: 'tools', json: 'json', cache: 'cache', long: 'long', reasoning: 'reasoning' } as const;

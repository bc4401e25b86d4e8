import { z } from 'zod';
import { PROTOCOLS } from '../core/result.js';
import { KIND_OPTIONS, probeKindOptionsShape } from './probe-kinds.js';
import {
  PROM_LABEL_RE,
  durationSchema,
  envNameSchema,
  headerNameSchema,
  httpUrlSchema,
  nameSchema,
  rateSchema,
  urlOrEnvSchema,
} from './primitives.js';

/**
 * The whole relaymon.config.yaml shape (README.md "Configuration"). Every
 * object is strict, so a typo ("baseURL", "timeout") is an error rather than a
 * silently ignored setting. Durations and rates stay as written; parse them
 * with core/units. Thresholds and alert expressions are kept raw: src/stats
 * owns their grammar.
 */

import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from './defaults.js';

export { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT };

/** Header names that carry credentials: their values must come from `${VAR}`, never from the file. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie']);

const positiveInt = () => z.int({ error: 'expected a whole number above 0' }).positive();

export const timeoutsSchema = z
  .strictObject({
    connect: durationSchema({ min: 'positive' }).optional(),
    firstToken: durationSchema({ min: 'positive' }).optional(),
    idle: durationSchema({ min: 'positive' }).optional(),
    total: durationSchema({ min: 'positive' }).optional(),
  })
  .describe('Per-request timeouts; each a duration ("5s") or milliseconds');


/**
 * The largest priceMultiplier: relays sell at a fraction of list price up to a
 * few times it; a thousand times list is no one's price but a typo (an
 * exponent). With it a bill stays finite and its dollars readable: 1e308 once
 * made a check's cost cell read "$9.888000000…" (the exponent cut off) and
 * `relaymon cost` call a priced model "unpriced".
 */
export const MAX_PRICE_MULTIPLIER = 1000;

export const targetSchema = z
  .strictObject({
    baseUrl: httpUrlSchema.describe('Prefix up to and including the version segment, e.g. https://relay.example/v1'),
    protocol: z.enum(PROTOCOLS).default('openai').describe('Wire protocol: openai (Chat Completions), anthropic (Messages) or openai-responses (Responses API)'),
    protocols: z
      .array(z.enum(PROTOCOLS))
      .min(1)
      .optional()
      .describe('Protocols `relaymon conform` checks on this target, e.g. [openai, openai-responses]; default [protocol]'),
    apiKeyEnv: envNameSchema.optional().describe('Name of the environment variable holding the key'),
    apiKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the key (must not be readable by group or others: chmod 600); relative to this file, ~ allowed'),
    apiKeyHeader: headerNameSchema
      .optional()
      .describe('Header carrying the key; default authorization (Bearer) for openai, x-api-key for anthropic'),
    headers: z
      .record(headerNameSchema, z.string())
      .optional()
      .describe('Extra request headers; values may use ${VAR} to take secrets from the environment'),
    priceMultiplier: z
      .number({ error: 'expected a number above 0' })
      .positive()
      .max(MAX_PRICE_MULTIPLIER, { error: `expected at most ${MAX_PRICE_MULTIPLIER} (a relay at that many times list price is a typo, not a price)` })
      .optional()
      .describe('Scale list prices, e.g. 0.15 for a relay at 15% of list'),
    concurrency: positiveInt().optional().describe('Most requests in flight to this target (default 8; --max-in-flight overrides it; a closed loop of -c N raises the default, not a value set here)'),
    timeouts: timeoutsSchema.optional(),
    maxResponseBytes: positiveInt().optional().describe('Cut off larger responses as response_too_large'),
  })
  .superRefine((t, ctx) => {
    if (t.apiKeyEnv !== undefined && t.apiKeyFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['apiKeyFile'],
        message: 'expected either apiKeyEnv or apiKeyFile, not both',
      });
    }
    for (const [name, value] of Object.entries(t.headers ?? {})) {
      if (CREDENTIAL_HEADERS.has(name.toLowerCase()) && !value.includes('${')) {
        // The value is deliberately not echoed: it is probably a key.
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: 'expected "${ENV_VAR}": credentials never go in the config file; put the secret in an environment variable',
        });
      }
    }
  });

export const probeMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const probeSchema = z
  .strictObject({
    model: z.string().min(1).describe('Model to request'),
    prompt: z.string().min(1).optional().describe(`Single user message (default "${DEFAULT_PROBE_PROMPT}", or the kind's own question)`),
    messages: z.array(probeMessageSchema).min(1).optional().describe('Full message list, instead of prompt'),
    maxTokens: positiveInt().optional().describe(`max_tokens (default ${DEFAULT_PROBE_MAX_TOKENS}; tools and json 128, reasoning budgetTokens + 512)`),
    ...probeKindOptionsShape,
    stream: z.boolean().default(true),
    every: durationSchema({ min: 'positive' }).optional().describe('Send at a constant interval; or use rate'),
    rate: rateSchema.optional(),
    targets: z.array(nameSchema).min(1).optional().describe('Target names; default all targets'),
    seed: z.int({ error: 'expected a whole number' }).optional(),
  })
  .superRefine((p, ctx) => {
    for (const [option, kind] of Object.entries(KIND_OPTIONS)) {
      if (p[option as keyof typeof KIND_OPTIONS] !== undefined && p.kind !== kind) {
        ctx.addIssue({ code: 'custom', path: [option], message: `expected kind: ${kind} for ${option} to apply (this probe's kind is ${p.kind ?? 'text'})` });
      }
    }
    const budget = p.reasoning?.budgetTokens;
    if (p.kind === 'reasoning' && budget !== undefined && p.maxTokens !== undefined && p.maxTokens <= budget) {
      ctx.addIssue({ code: 'custom', path: ['maxTokens'], message: `expected maxTokens above reasoning.budgetTokens (${budget}): the thinking budget is part of max_tokens` });
    }
    if (p.prompt !== undefined && p.messages !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'expected either prompt or messages, not both' });
    }
    if (p.every !== undefined && p.rate !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rate'],
        message: 'expected either every (constant interval) or rate (Poisson), not both',
      });
    }
  })
  // A text probe with neither prompt nor messages sends the default prompt, so `model` alone is a working probe.
  // Other kinds ask their own question (traffic/probes.ts) unless the probe gives one.
  .transform((p) => ((p.kind ?? 'text') === 'text' && p.prompt === undefined && p.messages === undefined ? { ...p, prompt: DEFAULT_PROBE_PROMPT } : p));

export const thresholdEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({
    threshold: z.string().min(1),
    abortOnFail: z.boolean().optional(),
    delayAbortEval: durationSchema({ min: 'zero' }).optional(),
  }),
]);

export const ALERT_WINDOWS = ['1m', '5m', '15m'] as const;
export const NOTIFY_CHANNELS = ['bell', 'webhook', 'alertmanager'] as const;

export const alertSchema = z.strictObject({
  name: z.string().min(1).optional().describe("Alertmanager's alertname; derived from the threshold if absent"),
  threshold: z.string().min(1).describe('Threshold expression that must hold, e.g. ttft{target:relay}:p(95)<800'),
  window: z.enum(ALERT_WINDOWS),
  for: durationSchema({ min: 'zero' }).describe('How long the threshold must fail before the alert fires'),
  notify: z.array(z.enum(NOTIFY_CHANNELS)).optional(),
  minRequests: z.int({ error: 'expected a whole number of at least 0' }).nonnegative().optional().describe('Do not evaluate with fewer requests in the window'),
  labels: z
    .record(z.string().regex(PROM_LABEL_RE, { error: 'expected a label name of letters, digits and "_"' }), z.string())
    .optional(),
});

export const notifySchema = z.strictObject({
  webhook: urlOrEnvSchema.optional().describe('Webhook URL (a secret: prefer "${SLACK_WEBHOOK_URL}")'),
  alertmanager: urlOrEnvSchema.optional().describe('Alertmanager base URL, e.g. http://127.0.0.1:9093'),
});

export const budgetSchema = z.strictObject({
  // 0 would refuse every request (the run stops before it starts), so it is refused here like a negative amount.
  usd: z
    .number({ error: 'expected a number of dollars above 0' })
    .positive({ error: 'expected a number of dollars above 0 (0 would refuse every request; remove budget for none)' })
    .describe('Stop when the estimated spend reaches this many US dollars'),
});

const toleranceSchema = z.strictObject({
  tokens: z.number({ error: 'expected a number of tokens of at least 0' }).nonnegative().optional(),
  percent: z.number({ error: 'expected a percentage of at least 0' }).nonnegative().optional(),
});

export const honestySchema = z
  .strictObject({
    usageTolerance: toleranceSchema
      .optional()
      .describe('Billing reconciliation for exact counts (OpenAI models): a gap beyond tokens + percent % of the count is a usage_mismatch (default 4 tokens + 5%)'),
    estimateTolerance: toleranceSchema
      .optional()
      .describe('The same for estimated counts (models without a public tokenizer; default 32 tokens + 50%)'),
  })
  .describe('Relay honesty checks');

/**
 * `relaymon evaluate`'s verdict rules (README "Deciding on a relay"): a broken
 * `require` makes a candidate not_ready, a broken `warn` ready_with_caveats.
 * The defaults are the documented ones; src/evaluate/rules.ts applies them.
 * conform's check names are checked by the evaluate run (config may not import
 * src/conform): a name it does not know is a config error there, naming this key.
 */
const percentSchema = (what: string) => z.number({ error: `expected a percentage of at least 0 (${what})` }).nonnegative({ error: `expected a percentage of at least 0 (${what})` });

export const evaluateSchema = z
  .strictObject({
    require: z
      .strictObject({
        servesModels: z.boolean({ error: 'expected true or false' }).default(true).describe("The candidate's GET /models lists every model of the mix and the probe model"),
        conform: z
          .union([z.enum(['all', 'none']), z.array(z.string().min(1)).min(1)], { error: 'expected all, none, or a list of conform check names' })
          .default('all')
          .describe('Conform checks the candidate must pass: all, none, or a list of check names (only those are sent)'),
        billingGapPct: percentSchema('tokens billed beyond relaymon\'s count, over the reference\'s gap').nullable().default(2).describe("Most tokens billed beyond relaymon's own count, in % above the reference's gap; null: not judged"),
        errorRatePp: percentSchema('percentage points').nullable().default(1).describe("Most error rate above the reference's, in percentage points; null: not judged"),
        modelIdentity: z.boolean({ error: 'expected true or false' }).default(true).describe('Every answer names the model asked for (no substitution)'),
        streamConformance: z.boolean({ error: 'expected true or false' }).default(true).describe('No stream without usage, out of order, unterminated or with decreasing usage (beyond what the reference does)'),
      })
      .prefault({}),
    warn: z
      .strictObject({
        ttftP95WithinPct: percentSchema('TTFT p95 above the reference\'s').nullable().default(20).describe("TTFT p95 at most this % above the reference's; null: not judged"),
        latencyP95WithinPct: percentSchema('latency p95 above the reference\'s').nullable().default(20).describe("Latency p95 at most this % above the reference's; null: not judged"),
      })
      .prefault({}),
  })
  .describe('relaymon evaluate: the rules of its verdict per candidate');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored'),
    targets: z.record(nameSchema, targetSchema).optional(),
    probes: z.record(nameSchema, probeSchema).optional(),
    thresholds: z
      .record(z.string().min(1), z.array(thresholdEntrySchema))
      .optional()
      .describe('k6 style: metric (with optional {tag:value}) -> expressions that must hold'),
    alerts: z.array(alertSchema).optional(),
    notify: notifySchema.optional(),
    budget: budgetSchema.optional(),
    prices: z.string().min(1).optional().describe('LiteLLM-format price JSON, relative to this file'),
    honesty: honestySchema.optional(),
    evaluate: evaluateSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const targetNames = Object.keys(c.targets ?? {});
    for (const [probeName, probe] of Object.entries(c.probes ?? {})) {
      (probe.targets ?? []).forEach((name, i) => {
        if (!targetNames.includes(name)) {
          const known = targetNames.length > 0 ? `one of ${targetNames.join(', ')}` : 'a target, but no targets are defined';
          ctx.addIssue({
            code: 'custom',
            path: ['probes', probeName, 'targets', i],
            message: `expected ${known}, got "${name}"`,
          });
        }
      });
    }
    const seen = new Set<string>();
    (c.alerts ?? []).forEach((alert, i) => {
      if (alert.name !== undefined) {
        if (seen.has(alert.name)) {
          ctx.addIssue({ code: 'custom', path: ['alerts', i, 'name'], message: `expected a unique name, "${alert.name}" is used twice` });
        }
        seen.add(alert.name);
      }
      for (const channel of ['webhook', 'alertmanager'] as const) {
        if (alert.notify?.includes(channel) && c.notify?.[channel] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['alerts', i, 'notify'],
            message: `expected notify.${channel} to be set, since this alert notifies ${channel}`,
          });
        }
      }
    });
  });

export type RelaymonConfig = z.output<typeof configSchema>;
export type RelaymonConfigInput = z.input<typeof configSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type ProbeConfig = z.output<typeof probeSchema>;
export type { ReasoningEffort } from './defaults.js';
export type ThresholdEntry = z.output<typeof thresholdEntrySchema>;
export type AlertConfig = z.output<typeof alertSchema>;
export type NotifyConfig = z.output<typeof notifySchema>;
export type HonestyConfig = z.output<typeof honestySchema>;
export type EvaluateConfig = z.output<typeof evaluateSchema>;
export type AlertWindow = (typeof ALERT_WINDOWS)[number];
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

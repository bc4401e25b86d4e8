/**
 * The defaults of each probe kind (traffic/probes.ts builds the requests):
 * the question it asks, the tool and schema it offers, and the long text of
 * `long` and `cache` probes. Pure and deterministic: the same size gives the
 * same text, run after run, so a cache prefix is byte-identical and a bill can
 * be compared with the last one.
 */
import type { ProbeKind } from '../core/result.js';
import type { ToolDef } from '../protocol/adapter.js';
import { countTextTokens, estimateInputTokens } from '../tokens/estimate.js';

/** The default `tools` probe's function: a required string and a required enum, so the schema check has teeth. */
export const DEFAULT_TOOL: ToolDef = {
  name: 'get_weather',
  description: 'Get the current weather in a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name, e.g. Paris' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit' },
    },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
};

/** The default `json` probe's schema: every property required and no others, as OpenAI's strict mode wants. */
export const DEFAULT_JSON_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    country: { type: 'string' },
    population_millions: { type: 'number' },
  },
  required: ['city', 'country', 'population_millions'],
  additionalProperties: false,
};

export const KIND_PROMPTS: Record<Exclude<ProbeKind, 'text'>, string> = {
  tools: 'What is the weather in Paris right now, in celsius? Use the get_weather function.',
  json: 'Give the capital of France, its country and its population in millions, as JSON.',
  cache: 'Reply with OK',
  reasoning: 'How many times does the letter r appear in the word strawberry? Think it through, then answer with the number only.',
  long: 'Reply with OK',
};

/** max_tokens by kind when the probe sets none: room for a tool call or a small JSON object; reasoning is set from its budget. */
export const KIND_MAX_TOKENS: Partial<Record<ProbeKind, number>> = { tools: 128, json: 128 };

/** A reasoning probe's max_tokens is its thinking budget plus this much for the answer (Anthropic needs max_tokens > budget_tokens). */
export const REASONING_HEADROOM_TOKENS = 512;

const FILLER = [
  'The river carries fine silt from the northern mountains down to the quiet delta',
  'A careful clerk counts every line of the ledger twice before closing the book',
  'Morning fog lifts slowly from the harbour as the first boats head out to sea',
  'The old library keeps its maps in long drawers that smell of cedar and dust',
  'Engineers measured the bridge at dawn, when the steel was coolest and shortest',
  'In the orchard the pears ripen a week after the apples and a week before the quinces',
  'A train leaves the valley station every hour and climbs through seven tunnels',
  'The recipe asks for flour, water, salt and patience, in roughly that order',
];

/** Sentence i, numbered so that no two sentences are the same (a provider may deduplicate repeated text). */
function sentence(i: number): string {
  return `Sentence ${i + 1}: ${FILLER[i % FILLER.length]!}.`;
}

const sized = new Map<string, string>();

/**
 * Numbered sentences whose prompt, with `others` (the rest of the messages),
 * counts about `tokens` tokens with the o200k tokenizer and the chat template
 * (tokens/estimate.ts), the count the spend guard and the dry run use. The
 * largest number of whole sentences that does not go over, found by bisection
 * on the real count (sentences do not tokenize to a fixed length).
 */
export function sizedText(tokens: number, others: readonly string[] = []): string {
  const key = `${tokens}\u0000${others.join('\u0000')}`;
  const hit = sized.get(key);
  if (hit !== undefined) return hit;
  const overhead = estimateInputTokens(others.map((content) => ({ role: 'user', content })));
  const want = Math.max(1, tokens - overhead - 4);
  const text = (n: number): string => Array.from({ length: n }, (_, i) => sentence(i)).join(' ');
  // ~20 tokens a sentence: start the search around there, then bisect.
  let lo = 1;
  let hi = Math.max(2, Math.ceil(want / 10));
  while (countTextTokens(text(hi)) <= want) hi *= 2;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (countTextTokens(text(mid)) <= want) lo = mid;
    else hi = mid;
  }
  const out = text(lo);
  sized.set(key, out);
  return out;
}

/**
 * `relaymon cost --mix FILE`: a monthly bill per target from a traffic mix
 * (model → input and output tokens per month), the price table, each
 * target's price multiplier and its measured usage ratio (how many tokens it
 * bills per token relaymon counts), and the saving between targets. Pure:
 * the CLI reads the files.
 */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.js';
import type { PriceTable } from '../pricing/table.js';

export interface MixEntry {
  model: string;
  /** Tokens per month, as an honest provider would count them. */
  inputTokens: number;
  outputTokens: number;
}

const SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

/**
 * The most tokens a month one model's input or output may have in a mix:
 * 10^15 (a thousand trillion). The largest providers report about that many
 * tokens a month over all their products and customers together, so a mix
 * above it is a typo (an exponent, a unit twice), not a team's traffic. Below
 * it every bill stays finite and exact to the cent: 1,000 models
 * (MAX_MIX_MODELS) × 2 × 10^15 tokens at any list price is far from
 * Number.MAX_VALUE, where 1e308 tokens made the bill Infinity and the saving NaN.
 */
export const MAX_MIX_TOKENS = 1e15;

/**
 * A value as the user wrote it: JSON.stringify would print Infinity and NaN as
 * null, and String(1e309) is "Infinity", so a number is looked up in the text
 * (the first `key: literal` that parses to it).
 */
function shown(v: unknown, text = '', key = ''): string {
  if (typeof v !== 'number') return JSON.stringify(v) ?? String(v);
  if (key !== '') {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const m of text.matchAll(new RegExp(`${escaped}["']?\\s*:\\s*([-+]?\\.?[0-9][0-9._eE+-]*)`, 'g'))) {
      if (Object.is(Number(m[1]!.replace(/_/g, '')), v)) return m[1]!;
    }
  }
  return String(v);
}

/** 50000000, "50_000_000", "50M", "1.5b", "800k". `text` and `key` find a number as written, for the message. */
function tokenCount(v: unknown, where: string, text = '', key = ''): number {
  let n = NaN;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:[._]\d+)*)\s*([kmb])?\s*$/i.exec(v);
    if (m) n = Number(m[1]!.replace(/_/g, '')) * (m[2] ? SUFFIX[m[2].toLowerCase()]! : 1);
  }
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${where}: expected a number of tokens per month (e.g. 50000000 or "50M"), got ${shown(v, text, key)}`);
  if (n > MAX_MIX_TOKENS) {
    throw new UsageError(`${where}: ${shown(v, text, key)} tokens per month is more than any real traffic; at most 1000000000000000 (10^15) per model`);
  }
  return n;
}

/**
 * The largest mix read, and the most models in one. A real mix names the few
 * models a team uses (tens of bytes a line); without a bound a wrong file
 * (`/dev/zero`, a 200,000-model list) held a run for a minute and 740 MB
 * before it printed anything, and its reasons named every model.
 */
export const MAX_MIX_BYTES = 1024 * 1024;
export const MAX_MIX_MODELS = 1000;

export function mixTooLarge(source: string): string {
  return `${source}: the mix file is larger than ${MAX_MIX_BYTES / 1024 / 1024} MiB, the most relaymon reads (a mix is a line per model)`;
}

const INPUT_KEYS = ['input', 'inputTokens', 'input_tokens', 'prompt_tokens'];
const OUTPUT_KEYS = ['output', 'outputTokens', 'output_tokens', 'completion_tokens'];

/** A YAML or JSON map of model → {input, output} tokens per month. */
export function parseMix(text: string, source: string): MixEntry[] {
  // readMixText (mix-file.ts) stops reading past the limit; text read another way is held to it here.
  if (Buffer.byteLength(text, 'utf8') > MAX_MIX_BYTES) throw new UsageError(mixTooLarge(source));
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${source}: not YAML or JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${source}: expected a map of model → { input, output } tokens per month, e.g. "gpt-4o: { input: 50M, output: 10M }"`);
  }
  const models = Object.keys(data).length;
  if (models > MAX_MIX_MODELS) throw new UsageError(`${source}: the mix names ${models} models; at most ${MAX_MIX_MODELS} (one entry per model the traffic uses)`);
  const out: MixEntry[] = [];
  for (const [model, entry] of Object.entries(data)) {
    const where = `${source}: ${model}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new UsageError(`${where}: expected { input, output } tokens per month`);
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !INPUT_KEYS.includes(k) && !OUTPUT_KEYS.includes(k));
    if (unknown.length > 0) throw new UsageError(`${where}: unknown field "${unknown[0]}" (expected input and output)`);
    const inKey = INPUT_KEYS.find((k) => k in e);
    const outKey = OUTPUT_KEYS.find((k) => k in e);
    if (inKey === undefined && outKey === undefined) throw new UsageError(`${where}: expected input and/or output tokens per month`);
    out.push({
      model,
      inputTokens: inKey === undefined ? 0 : tokenCount(e[inKey], `${where}.${inKey}`, text, inKey),
      outputTokens: outKey === undefined ? 0 : tokenCount(e[outKey], `${where}.${outKey}`, text, outKey),
    });
  }
  if (out.length === 0) throw new UsageError(`${source}: the mix names no model`);
  return out;
}

export interface UsageRatio {
  input: number;
  output: number;
  /** measured from a comparison or request log, else assumed honest (1). */
  measured: boolean;
}

export interface CostTarget {
  name: string;
  priceMultiplier: number;
}

export interface ModelProjection {
  model: string;
  /** Tokens the target would bill: the mix × its usage ratio. */
  billedInputTokens: number;
  billedOutputTokens: number;
  /** null: the model has no price. */
  monthlyUsd: number | null;
}

export interface TargetProjection {
  name: string;
  priceMultiplier: number;
  usageRatio: UsageRatio;
  models: ModelProjection[];
  /** Sum over the priced models; null when none is priced. */
  monthlyUsd: number | null;
  unpricedModels: string[];
}

export interface Saving {
  target: string;
  /** The cheapest target's name. */
  cheapest: string;
  /** What this target costs a month more than the cheapest. */
  monthlyUsd: number;
  /** monthlyUsd / this target's bill. */
  fraction: number | null;
}

export interface CostProjection {
  mix: MixEntry[];
  targets: TargetProjection[];
  cheapest: string | null;
  savings: Saving[];
}

export function projectCost(
  mix: readonly MixEntry[],
  targets: readonly CostTarget[],
  prices: PriceTable,
  measured: ReadonlyMap<string, { input: number | null; output: number | null }> = new Map(),
): CostProjection {
  const projected = targets.map((t): TargetProjection => {
    const m = measured.get(t.name);
    const ratio: UsageRatio = {
      input: m?.input ?? 1,
      output: m?.output ?? 1,
      measured: m !== undefined && (m.input !== null || m.output !== null),
    };
    const models = mix.map((e): ModelProjection => {
      const billedInputTokens = e.inputTokens * ratio.input;
      const billedOutputTokens = e.outputTokens * ratio.output;
      const usd = prices.cost(e.model, { inputTokens: billedInputTokens, outputTokens: billedOutputTokens, cachedInputTokens: 0, reasoningTokens: 0 }, t.priceMultiplier);
      return { model: e.model, billedInputTokens, billedOutputTokens, monthlyUsd: usd };
    });
    const priced = models.filter((x) => x.monthlyUsd !== null);
    return {
      name: t.name,
      priceMultiplier: t.priceMultiplier,
      usageRatio: ratio,
      models,
      monthlyUsd: priced.length === 0 ? null : priced.reduce((s, x) => s + x.monthlyUsd!, 0),
      unpricedModels: models.filter((x) => x.monthlyUsd === null).map((x) => x.model),
    };
  });
  // Bills are compared only over the same models: an unpriced model left out of one bill must be left out of all.
  const priced = projected.filter((p) => p.monthlyUsd !== null);
  const sameGaps = priced.every((p) => p.unpricedModels.join('\u0000') === priced[0]!.unpricedModels.join('\u0000'));
  const complete = sameGaps ? priced : priced.filter((p) => p.unpricedModels.length === 0);
  const cheapest = complete.length === 0 ? null : complete.reduce((best, p) => (p.monthlyUsd! < best.monthlyUsd! ? p : best));
  const savings = cheapest
    ? complete
        .filter((p) => p !== cheapest)
        .map((p) => ({
          target: p.name,
          cheapest: cheapest.name,
          monthlyUsd: p.monthlyUsd! - cheapest.monthlyUsd!,
          fraction: p.monthlyUsd! > 0 ? (p.monthlyUsd! - cheapest.monthlyUsd!) / p.monthlyUsd! : null,
        }))
    : [];
  return { mix: [...mix], targets: projected, cheapest: cheapest?.name ?? null, savings };
}

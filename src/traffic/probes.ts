import type { ProbeConfig } from '../config/schema.js';
import {
  DEFAULT_CACHE_TOKENS,
  DEFAULT_LONG_TOKENS,
  DEFAULT_PROBE_MAX_TOKENS,
  DEFAULT_PROBE_PROMPT,
  DEFAULT_REASONING_BUDGET,
  DEFAULT_REASONING_EFFORT,
  type ReasoningEffort,
} from '../config/defaults.js';
import type { ProbeKind } from '../core/result.js';
import { parseDuration, parseRate } from '../core/units.js';
import type { ChatMessage, RequestSpec } from '../protocol/adapter.js';
import { DEFAULT_JSON_SCHEMA, DEFAULT_TOOL, KIND_MAX_TOKENS, KIND_PROMPTS, REASONING_HEADROOM_TOKENS, sizedText } from './kinds.js';

/**
 * Config probes → one plan per probe × target. Pure: the engine turns each
 * plan into a Schedule (constantSchedule / poissonSchedule) on its own clock.
 */

/** A probe with neither `every` nor `rate` fires every 10 s: frequent enough to see trouble, cheap enough to leave running. */
export const DEFAULT_PROBE_INTERVAL_MS = 10_000;

export type ProbeScheduleSpec = { kind: 'every'; intervalMs: number } | { kind: 'rate'; ratePerSec: number };

export interface ProbePlan {
  probe: string;
  target: string;
  spec: RequestSpec;
  schedule: ProbeScheduleSpec;
  /** Seeds the Poisson gaps of this probe × target (unused for `every`). */
  seed: number;
}

export function probeSchedule(probe: Pick<ProbeConfig, 'rate' | 'every'>): ProbeScheduleSpec {
  if (probe.rate !== undefined) return { kind: 'rate', ratePerSec: parseRate(probe.rate) };
  if (probe.every !== undefined) return { kind: 'every', intervalMs: parseDuration(probe.every) };
  return { kind: 'every', intervalMs: DEFAULT_PROBE_INTERVAL_MS };
}

/** What a request is built from: a config probe, or the flags of a run without one. */
export type ProbeRequestInput = Pick<ProbeConfig, 'model' | 'prompt' | 'messages' | 'maxTokens' | 'tools' | 'json' | 'cache' | 'long' | 'reasoning'> & {
  kind?: ProbeKind;
  stream?: boolean;
};

/**
 * The request a probe sends, by its kind. Every kind works with nothing but a
 * model: its question, its tool or schema and its sizes have defaults
 * (traffic/kinds.ts). A `cache` probe is a pair: the spec returned is the
 * first request, and carries the second in `expect.then`.
 */
export function probeSpec(probe: ProbeRequestInput): RequestSpec {
  const kind = probe.kind ?? 'text';
  const own: ChatMessage[] | null = probe.messages
    ? probe.messages.map((m) => ({ role: m.role, content: m.content }))
    : probe.prompt !== undefined
      ? [{ role: 'user', content: probe.prompt }]
      : null;
  const question = own ?? [{ role: 'user', content: kind === 'text' ? DEFAULT_PROBE_PROMPT : KIND_PROMPTS[kind] }];
  const base: RequestSpec = {
    model: probe.model,
    messages: question,
    maxTokens: probe.maxTokens ?? KIND_MAX_TOKENS[kind] ?? DEFAULT_PROBE_MAX_TOKENS,
    stream: probe.stream ?? true,
  };
  switch (kind) {
    case 'text':
      return base;
    case 'tools': {
      const tools = probe.tools ?? [DEFAULT_TOOL];
      // The default question asks for the default tool; a probe's own tools get a question that names the first.
      const messages = own ?? (probe.tools ? [{ role: 'user' as const, content: `Call the ${tools[0]!.name} function with suitable arguments.` }] : question);
      return { ...base, messages, tools: tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })), toolChoice: 'required', expect: { kind } };
    }
    case 'json':
      return {
        ...base,
        responseSchema: { name: probe.json?.name ?? 'answer', schema: probe.json?.schema ?? DEFAULT_JSON_SCHEMA },
        expect: { kind },
      };
    case 'reasoning': {
      const budgetTokens = probe.reasoning?.budgetTokens ?? DEFAULT_REASONING_BUDGET;
      const effort: ReasoningEffort = probe.reasoning?.effort ?? DEFAULT_REASONING_EFFORT;
      return { ...base, maxTokens: probe.maxTokens ?? budgetTokens + REASONING_HEADROOM_TOKENS, reasoning: { effort, budgetTokens }, expect: { kind } };
    }
    case 'long': {
      // The question goes after the long text, so a relay that keeps only the head or only the tail shows in the bill.
      const tokens = probe.long?.tokens ?? DEFAULT_LONG_TOKENS;
      const last = question[question.length - 1]!;
      const text = sizedText(tokens, question.map((m) => m.content));
      return { ...base, messages: [...question.slice(0, -1), { role: last.role, content: `${text}\n\n${last.content}` }], expect: { kind } };
    }
    case 'cache': {
      // The long part is a system message before the question, the prefix providers cache (cachePrefix marks it for Anthropic).
      const tokens = probe.cache?.tokens ?? DEFAULT_CACHE_TOKENS;
      const prefix: ChatMessage = { role: 'system', content: sizedText(tokens, question.map((m) => m.content)) };
      const shared: RequestSpec = { ...base, messages: [prefix, ...question], cachePrefix: true };
      const second: RequestSpec = { ...shared, expect: { kind, pair: 'second' } };
      return { ...shared, expect: { kind, pair: 'first', then: second } };
    }
  }
}

/**
 * `--kind` over a configured probe: the probe becomes that kind with the
 * kind's defaults. Its own question stays unless it is the text default (which
 * would not ask for a tool, a schema or reasoning); options of its old kind go.
 */
export function withKind(probe: ProbeConfig, kind: ProbeKind | undefined): ProbeConfig {
  if (kind === undefined || (probe.kind ?? 'text') === kind) return probe;
  const { tools: _tools, json: _json, cache: _cache, long: _long, reasoning: _reasoning, prompt, ...rest } = probe;
  return prompt === undefined || prompt === DEFAULT_PROBE_PROMPT ? { ...rest, kind } : { ...rest, kind, prompt };
}

/**
 * `targetNames` are the targets in play for this run (after --target). A probe
 * listing targets sends to those of them that are in play; one without a list
 * sends to all. Plans come out in config order: probes, then targets.
 *
 * Seeds: each probe × target gets its own seed, mixed from the probe's `seed`
 * (or `runSeed` when the probe has none) and both names. Two targets must not
 * share one Poisson stream: identical arrival instants would make their
 * latencies look correlated when they are not. A configured `seed` makes the
 * whole schedule reproducible run after run.
 */
export function planProbes(
  probes: Readonly<Record<string, ProbeConfig>> | undefined,
  targetNames: readonly string[],
  runSeed = 0,
): ProbePlan[] {
  const plans: ProbePlan[] = [];
  for (const [name, probe] of Object.entries(probes ?? {})) {
    const targets = probe.targets ? probe.targets.filter((t) => targetNames.includes(t)) : targetNames;
    if (targets.length === 0) continue;
    const schedule = probeSchedule(probe);
    const base = probe.seed ?? runSeed;
    for (const target of targets) {
      plans.push({ probe: name, target, spec: probeSpec(probe), schedule, seed: mixSeed(base, name, target) });
    }
  }
  return plans;
}

/** FNV-1a over the names, started from the seed, then a murmur3 finaliser: a 32-bit seed that moves with every input. */
export function mixSeed(seed: number, ...parts: readonly string[]): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0xff, 0x01000193) >>> 0; // separator, so ("ab","c") ≠ ("a","bc")
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

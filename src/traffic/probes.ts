import type { ProbeConfig } from '../config/schema.js';
import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from '../config/schema.js';
import { parseDuration, parseRate } from '../core/units.js';
import type { ChatMessage, RequestSpec } from '../protocol/adapter.js';

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

export function probeSchedule(probe: ProbeConfig): ProbeScheduleSpec {
  if (probe.rate !== undefined) return { kind: 'rate', ratePerSec: parseRate(probe.rate) };
  if (probe.every !== undefined) return { kind: 'every', intervalMs: parseDuration(probe.every) };
  return { kind: 'every', intervalMs: DEFAULT_PROBE_INTERVAL_MS };
}

export function probeSpec(probe: ProbeConfig): RequestSpec {
  const messages: ChatMessage[] = probe.messages
    ? probe.messages.map((m) => ({ role: m.role, content: m.content }))
    : [{ role: 'user', content: probe.prompt ?? DEFAULT_PROBE_PROMPT }];
  return {
    model: probe.model,
    messages,
    maxTokens: probe.maxTokens ?? DEFAULT_PROBE_MAX_TOKENS,
    stream: probe.stream ?? true,
  };
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

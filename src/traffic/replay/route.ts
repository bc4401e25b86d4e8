/**
 * Where the lines of a recorded relaymon log go when no --target was given:
 * each line to the target it was recorded against, when that target is in
 * the config (a log recorded against two relays replays against the same two,
 * each line to its own); other lines to the default target, as any other
 * file's lines would go. Pure.
 */
import type { Protocol } from '../../core/result.js';
import type { ReplayItem } from './replay-file.js';

export interface Routing {
  /** The targets the run uses, in the config's order. */
  targets: string[];
  /** The target of each item, by item index. */
  lineTargets: string[];
  /** Lines sent to each target because they were recorded against it. */
  routed: Record<string, number>;
  /** Recorded target names that are not in the config, with how many lines named them (those lines go to the fallback). */
  unknown: Record<string, number>;
}

/**
 * Null when no line names a configured target (nothing to route: every line
 * goes to the default target as before).
 */
export function routeRecorded(items: readonly ReplayItem[], configured: readonly string[], fallback: string): Routing | null {
  const known = new Set(configured);
  if (!items.some((i) => i.target !== undefined && known.has(i.target))) return null;
  const routed: Record<string, number> = {};
  const unknown: Record<string, number> = {};
  const lineTargets = items.map((i) => {
    if (i.target !== undefined && known.has(i.target)) {
      routed[i.target] = (routed[i.target] ?? 0) + 1;
      return i.target;
    }
    if (i.target !== undefined) unknown[i.target] = (unknown[i.target] ?? 0) + 1;
    return fallback;
  });
  const used = new Set(lineTargets);
  return { targets: configured.filter((n) => used.has(n)), lineTargets, routed, unknown };
}

/** One stderr line saying where the lines go, so a routed replay never surprises. */
export function describeRouting(r: Routing, fallback: string): string {
  const to = Object.entries(r.routed).map(([t, n]) => `${n} to "${t}"`);
  const lost = Object.entries(r.unknown);
  const rest = lost.length > 0 ? `; ${lost.reduce((a, [, n]) => a + n, 0)} recorded against ${lost.map(([t]) => `"${t}"`).join(', ')} (not in the config) to "${fallback}"` : '';
  return `replay: each line goes to the target it was recorded against: ${to.join(', ')}${rest} (-t sends every line to the targets you name instead)`;
}

/**
 * Where the lines go when no --target was given and no line names a recorded
 * target: a line whose protocol the default target does not speak (a Batch
 * file mixing /v1/chat/completions and /v1/responses) goes to the first
 * configured target that speaks it; every other line to the default target.
 * Null when every line can go to the default target (nothing to route). A
 * line no target speaks stays with the default target, whose protocol check
 * reports it.
 */
export function routeByProtocol(
  items: readonly ReplayItem[],
  configured: readonly { name: string; protocol: Protocol }[],
  fallback: { name: string; protocol: Protocol },
): Routing | null {
  const speaker = (p: Protocol): string | undefined => (p === fallback.protocol ? fallback.name : configured.find((t) => t.protocol === p)?.name);
  if (!items.some((i) => i.protocol !== null && i.protocol !== fallback.protocol && speaker(i.protocol) !== undefined)) return null;
  const routed: Record<string, number> = {};
  const lineTargets = items.map((i) => {
    const to = i.protocol === null ? fallback.name : (speaker(i.protocol) ?? fallback.name);
    if (to !== fallback.name) routed[to] = (routed[to] ?? 0) + 1;
    return to;
  });
  const used = new Set(lineTargets);
  return { targets: configured.map((t) => t.name).filter((n) => used.has(n)), lineTargets, routed, unknown: {} };
}

/** One stderr line saying which lines went elsewhere than the default target, and why. */
export function describeProtocolRouting(r: Routing, fallback: string): string {
  const to = Object.entries(r.routed).map(([t, n]) => `${n} to "${t}"`);
  return `replay: lines go to a target that speaks their protocol: ${to.join(', ')}, the rest to "${fallback}" (-t sends every line to the targets you name instead)`;
}

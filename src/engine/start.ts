import type { RelayClient } from '../client/index.js';
import type { EngineConfig } from './messages.js';
import { effectiveCap, TargetGate } from './gate.js';
import type { TargetSlot } from './slot.js';
import { collectBeforeStart, GapCollector, watchScavenges } from './gap-gc.js';
import { firstSpecs, WARM_WAIT_MS, warmCounts } from './warm.js';

/**
 * The steps of a run's start before its clock starts (EngineRunner.start in
 * runner.ts keeps their order: load → prepare → gap collector → warm-up →
 * collection → 'started' → the plan's first instant; BENCHMARKS.md measured
 * it). Each is a function of the config, the slots and the client; the
 * runner keeps what they make.
 */

/** The run's targets, by name: each as the run sends to it, its admission gate, and what the dashboard shows of it. */
export function makeSlots(config: EngineConfig): Map<string, TargetSlot> {
  const slots = new Map<string, TargetSlot>();
  for (const t of config.targets) {
    // The pool is made from this target (RelayClient), so it holds every request the cap lets out.
    const cap = effectiveCap(t, config.plan);
    const target = { ...t, concurrency: cap };
    slots.set(t.name, {
      target,
      gate: new TargetGate(target, cap),
      info: { name: t.name, baseUrl: t.baseUrl, protocol: t.protocol, cap, backoffs: 0, backoffSkipped: 0, backoffUntil: null },
    });
  }
  return slots;
}

/**
 * The run has send instants worth keeping: an open loop, not probe's (a few
 * requests on the main thread, whose start is its wall time). A closed loop
 * has no instants. What keeps instants (the gap collector here, the dry run
 * in dry-run.ts) is for these runs only.
 */
export function keepsInstants(config: EngineConfig): boolean {
  const plan = config.plan;
  return config.probeRules !== true && !(plan.kind === 'replay' && plan.mode.kind === 'closed');
}

/**
 * Scavenges between the open loop's sends (gap-gc.ts), and the watch that
 * feeds it the scavenges it sees (unwatch ends it); only where the run
 * keepsInstants. Made before the warm-up, so that the scavenges of loading and warming
 * under this machine's load tell it how long one takes here, and the
 * collector is fetched (a vm context, ~1 ms, once per thread) long before
 * the first instant's lead.
 */
export function gapCollector(config: EngineConfig): { gap: GapCollector; unwatch: () => void } | null {
  if (!keepsInstants(config)) return null;
  const gap = new GapCollector();
  return { gap, unwatch: watchScavenges((ms, at) => gap.seen(ms, at)) };
}

/**
 * Before the first instant: the connections the first instants need are
 * opened (engine/warm.ts, client/spares.ts), the send path is run once per
 * protocol and request shape against a local stand-in (client/rehearse.ts),
 * and, where the run has one, its dry run goes through the run's own code
 * (dry-run.ts), so the run's first request leaves on its instant like the
 * rest instead of opening its connection and running cold code then. None
 * sends anything to a relay but TCP/TLS handshakes; together they hold the
 * start back at most WARM_WAIT_MS, and a failure is left for the first
 * request to meet, as without them.
 *
 * `dryRun`: the run's dry run, or null. `dry`: this is a dry runner's own
 * warm-up: its connections only (it is the rehearsal, and the run it
 * rehearses collects after it).
 */
export async function warmUp(
  client: RelayClient,
  slots: ReadonlyMap<string, TargetSlot>,
  config: EngineConfig,
  steps: { dryRun: (() => Promise<unknown>) | null; dry: boolean },
): Promise<void> {
  const caps = new Map([...slots].map(([name, slot]) => [name, slot.gate.cap]));
  const counts = warmCounts(config.plan, caps, config.stopAfter.requests);
  const connects = [...counts].map(([name, n]) => client.warm(slots.get(name)!.target, n, WARM_WAIT_MS));
  if (steps.dry) {
    await Promise.all(connects);
    return;
  }
  const shapes = new Map<string, Promise<void>>();
  for (const [name, spec] of firstSpecs(config.plan)) {
    const target = slots.get(name)?.target;
    // Its body, URL and headers built now, not on its instant (the rehearsal and the dry run send to stand-ins).
    if (target) client.preload(target, spec);
    const shape = `${target?.protocol}:${spec.stream}`;
    if (target && !shapes.has(shape)) shapes.set(shape, client.rehearse(target, spec, WARM_WAIT_MS).catch(() => undefined));
  }
  await Promise.all([...connects, ...shapes.values()]);
  // The garbage of loading and warming is collected now, not on the first sends (gap-gc.ts); probe's single
  // thread sends a request or a few and exits, so it is left alone. Before the dry run, not after it: with
  // the full collection between the dry run and the first instant, the first send left 0.01–0.11 ms (200/s)
  // and 0.06–0.20 ms (20/s) later than the median of the rest over 6 runs of 10 engines; with it before,
  // −0.10–+0.02 and +0.03–+0.09 over 4 (bench/engine.mjs firstRequestRuns; BENCHMARKS.md "Issue 14's
  // seventh round"). The dry run is then the last code to run before the first instant.
  if (config.probeRules !== true) collectBeforeStart();
  // After the rehearsals: the dry run's first send should find the request's own path warm, as the run's will.
  if (steps.dryRun) await steps.dryRun();
  // What the warm-up left queued (the stand-in closing, sockets' events) runs now, not at the first instant.
  await new Promise((resolve) => setImmediate(resolve));
}

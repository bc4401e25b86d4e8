/**
 * How many connections to open per target before a run's first send instant
 * (the client opens them: client/spares.ts). Pure: the plan and the caps in,
 * a count per target out.
 *
 * Every request sent before the first answer comes back needs a connection
 * of its own; after that, a finished request's connection is reused. An LLM
 * answer through a relay rarely comes back within a quarter of a second, so
 * the sends due in the first WARM_SPAN_MS are the ones that would each open a
 * connection on their own instant: a closed loop's N workers (all sending at
 * the start), an open loop's sends due in that span (rate × span), never more
 * than the target's cap (the pool never holds more), than -n lets out, or
 * than WARM_MAX (a burst of handshakes at the start is itself a load on the
 * relay and on this machine). At least one per target of the plan, so the
 * first request never opens its own. Later connections are opened by the
 * pool as the run needs them, as before, and count their connect time.
 */
import type { RequestSpec } from '../protocol/adapter.js';
import type { TrafficPlan } from './messages.js';
import { closedLoopCursor, openLoopSources, planTargets } from './sources.js';

export const WARM_SPAN_MS = 250;
export const WARM_MAX = 64;
/**
 * The longest a warm-up may hold back the schedule's start. On loopback or a
 * LAN a connect takes well under a millisecond, TCP+TLS to a distant relay a
 * few hundred; a relay that does not answer at all costs the run this second
 * once, and its first request then meets the connect failure as without a
 * warm-up.
 */
export const WARM_WAIT_MS = 1000;

/** Connections to open per target before the first instant (targets absent from `caps` are skipped). */
export function warmCounts(plan: TrafficPlan, caps: ReadonlyMap<string, number>, requests: number | null): Map<string, number> {
  const counts = new Map<string, number>();
  const limit = (name: string): number => Math.min(caps.get(name) ?? 0, WARM_MAX, requests ?? Infinity);
  const add = (name: string): boolean => {
    const n = counts.get(name) ?? 0;
    if (!caps.has(name) || n >= limit(name)) return false;
    counts.set(name, n + 1);
    return true;
  };
  if (plan.kind === 'replay' && plan.mode.kind === 'closed') {
    // The N workers take the first N lines at once; each line goes to its targets.
    const next = closedLoopCursor(plan.entries, plan.loop);
    for (let i = 0; i < Math.min(plan.mode.concurrency, requests ?? Infinity); i++) {
      const entry = next();
      if (!entry) break;
      for (const name of entry.targets ?? plan.targets) add(name);
    }
  } else {
    for (const source of openLoopSources(plan, 0)) {
      for (let due = source.peek(); due !== null && due < WARM_SPAN_MS; due = source.peek()) {
        // A source whose targets are all at their limit adds nothing more; stop reading it.
        if (!source.take().targets.map(add).some(Boolean)) break;
      }
    }
  }
  // A target whose first send falls later still gets the connection that send needs.
  for (const name of planTargets(plan)) if (!counts.has(name)) add(name);
  return counts;
}

/** The first request the plan sends to each of its targets: the shape a rehearsal of the send path should have (client/rehearse.ts). */
export function firstSpecs(plan: TrafficPlan): Map<string, RequestSpec> {
  const firsts = new Map<string, RequestSpec>();
  const take = (targets: readonly string[], spec: RequestSpec): void => {
    for (const name of targets) if (!firsts.has(name)) firsts.set(name, spec);
  };
  if (plan.kind === 'replay' && plan.mode.kind === 'closed') {
    for (const entry of plan.entries) {
      take(entry.targets ?? plan.targets, entry.spec);
      if (firsts.size >= planTargets(plan).length) break;
    }
    return firsts;
  }
  const wanted = planTargets(plan).length;
  for (const source of openLoopSources(plan, 0)) {
    // A replay's lines may each name their own target: read on until every target had one (a bounded look).
    for (let i = 0; i < 1000 && firsts.size < wanted && source.peek() !== null; i++) {
      const send = source.take();
      take(send.targets, send.spec);
    }
  }
  return firsts;
}

/**
 * How far ahead of the moment an open-loop plan is made its first instant
 * lies (engine/runner.ts): making the plan's sources, the open loop and the
 * run's timers took ~0.3 ms in the engine worker (more when that code runs
 * for the first time), and a first send due the moment the plan was made left
 * that much late where every later one waits for its instant on the timer.
 */
export const FIRST_INSTANT_LEAD_MS = 3;

import { EngineRunner } from '../../src/engine/runner.js';
import type { EngineConfig, EngineFinal, EngineSnapshot, FromWorker, TrafficPlan } from '../../src/engine/messages.js';
import type { RequestSpec } from '../../src/protocol/adapter.js';

import type { OpenLoopHost } from '../../src/engine/open-loop.js';
import { SaturationMonitor } from '../../src/engine/saturation.js';
import { TargetGate } from '../../src/engine/gate.js';
import type { TargetSlot } from '../../src/engine/slot.js';
import { target } from './target.js';
import type { ResolvedTarget } from '../../src/core/target.js';

export { target };

export const SMALL_SPEC: RequestSpec = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Reply with OK' }],
  maxTokens: 16,
  stream: true,
};

export interface InProcessRun {
  runner: EngineRunner;
  snapshots: EngineSnapshot[];
  done: Promise<EngineFinal>;
  /** performance.now() when the runner said it started (null until it has). */
  startedAt: number | null;
}

/** A small test run's engine config: no log, thresholds, alerts or budget; results and live stats on. */
export function engineConfig(targets: ResolvedTarget[], plan: TrafficPlan, over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    targets,
    priceFiles: [],
    plan,
    tickMs: 100,
    stopAfter: { durationMs: null, requests: null },
    graceMs: 2000,
    log: null,
    thresholds: [],
    secrets: [],
    emitResults: true,
    budgetUsd: null,
    alerts: [],
    liveStats: true,
    ...over,
  };
}

/** The engine in this thread (the worker wiring is tested through the CLI). */
export function startRunner(targets: ResolvedTarget[], plan: TrafficPlan, over: Partial<EngineConfig> = {}): InProcessRun {
  const snapshots: EngineSnapshot[] = [];
  let resolve!: (f: EngineFinal) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<EngineFinal>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const run: { startedAt: number | null } = { startedAt: null };
  const post = (msg: FromWorker): void => {
    if (msg.type === 'started') run.startedAt = performance.now();
    else if (msg.type === 'snapshot') snapshots.push(msg.snapshot);
    else if (msg.type === 'final') resolve(msg.final);
    else if (msg.type === 'error') reject(new Error(msg.message));
  };
  const runner = new EngineRunner(engineConfig(targets, plan, over), post);
  runner.start().catch(reject);
  return {
    runner,
    snapshots,
    done,
    get startedAt() {
      return run.startedAt;
    },
  };
}

/**
 * An open loop's host with one target 'a' (cap 4) that records each send as 'send' in `events` and never
 * sends anything: for tests of what the open loop tells its gap listeners (engine/gap-gc.ts, gap-work.ts).
 */
export function recordingHost(events: string[], planRanOut: () => void = () => undefined): OpenLoopHost {
  const t = target('a', 'http://127.0.0.1:9');
  const slot: TargetSlot = { target: t, gate: new TargetGate(t, 4), info: { name: 'a', baseUrl: t.baseUrl, protocol: t.protocol, cap: 4, backoffs: 0, backoffSkipped: 0, backoffUntil: null } };
  return {
    state: 'running',
    saturation: new SaturationMonitor(),
    slot: () => slot,
    quotaMet: () => false,
    splitTo: () => null,
    send: () => {
      events.push('send');
      return Promise.resolve(null);
    },
    planRanOut,
  };
}

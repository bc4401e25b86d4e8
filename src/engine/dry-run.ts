/**
 * A dry run of the run itself before its first instant: a throwaway runner
 * (runner.ts) with the same plan and targets, pointed at a stand-in on
 * 127.0.0.1 (client/rehearse.ts), sends the plan's first request to each
 * target and ends.
 *
 * Why a whole run and not only a request: the connections are warm and the
 * request's own path rehearsed (warm.ts, client/rehearse.ts), yet the run's
 * first send still left 1–2 ms after its instant where the others left
 * 0.4–0.6 ms after theirs (BENCHMARKS.md, "first request"). Traced in the
 * worker, the extra was spread over the code between the instant and the
 * client (the open loop's fire, the runner's send, the gate, the spend
 * guard, the counters): each of those functions ran for the first time on
 * the instant, and V8 compiles a function on its first call. With every
 * function compiled up front (`--no-lazy`) most of the extra went. Running
 * the run's own code once, on the same classes, compiles exactly what the
 * first send will run, with no list of functions to keep in step with it.
 *
 * The dry runner shares nothing with the run but code: its own client,
 * pools, gates, statistics and spend guard; no log, no alerts, no
 * thresholds, no results; its targets carry no key, no extra header and no
 * query string (client/rehearse.ts standInTarget). It never reaches a relay,
 * so a run behind a proxy (whose pools would send it to the proxy) does
 * without it, as does a closed loop (no instants) and probe (its one thread
 * sends a request or a few, and its start is its wall time).
 */
import type { AddressInfo, Server } from 'node:net';
import type { EngineConfig, FromWorker, StoppedBy } from './messages.js';
import { proxied } from '../client/connections.js';
import { closeStandIn, standIn, standInTarget } from '../client/rehearse.js';
import { WARM_WAIT_MS } from './warm.js';
import { keepsInstants } from './start.js';

/** How long the dry run may go on: a plan whose first send is due later than this (a slow Poisson start) leaves it with nothing sent. */
export const DRY_RUN_MS = 100;

export interface DryRunner {
  start(): Promise<void>;
  stop(reason: StoppedBy): void;
}

export type DryRunnerFactory = (config: EngineConfig, post: (msg: FromWorker) => void) => DryRunner;

/** Whether a run does a dry run before its first instant (the module comment says when not). */
export function wantsDryRun(config: EngineConfig): boolean {
  return keepsInstants(config) && !proxied();
}

/** The run's config for its dry run against a stand-in on 127.0.0.1:`port`. */
export function dryConfig(config: EngineConfig, port: number): EngineConfig {
  return {
    ...config,
    targets: config.targets.map((t) => standInTarget(t, port, WARM_WAIT_MS)),
    log: null,
    emitResults: false,
    alerts: [],
    thresholds: [],
    stopAfter: { requests: 1, durationMs: DRY_RUN_MS },
    graceMs: DRY_RUN_MS,
    liveStats: false,
  };
}

/**
 * Runs `config`'s dry run (a runner made by `make`, with `dryConfig`) and
 * resolves when it has ended, with the requests it sent to the stand-in;
 * never rejects. Bounded: a dry runner that has not ended after
 * WARM_WAIT_MS is stopped and left behind.
 */
export async function dryRun(config: EngineConfig, make: DryRunnerFactory, server: () => Promise<Server> = standIn): Promise<{ sent: number }> {
  let stand: Server;
  try {
    stand = await server();
  } catch {
    return { sent: 0 };
  }
  const port = (stand.address() as AddressInfo).port;
  try {
    return await new Promise<{ sent: number }>((resolve) => {
      let bound: NodeJS.Timeout | null = null;
      const end = (sent: number): void => {
        if (bound) clearTimeout(bound);
        resolve({ sent });
      };
      const runner = make(dryConfig(config, port), (msg) => {
        if (msg.type === 'final') end(msg.final.snapshot.progress.sent);
        else if (msg.type === 'error') end(0);
      });
      bound = setTimeout(() => {
        runner.stop('interrupt');
        end(0);
      }, WARM_WAIT_MS);
      runner.start().catch(() => end(0));
    });
  } finally {
    // Its connections dropped too: a dry runner left behind at the bound may still be sending a large body.
    await closeStandIn(stand);
  }
}

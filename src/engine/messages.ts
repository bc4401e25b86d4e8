/**
 * The engine's message protocol between the main thread (terminal, output) and
 * the worker (scheduler, client, aggregator). Small and tagged, as autocannon
 * does it; results cross the thread boundary in batches once per tick, never
 * one message per request, and a snapshot waits until the main thread took
 * the last one (pace.ts). Everything here is plain data (structured clone).
 */
import type { ErrorType, Protocol, RequestResult } from '../core/result.js';
import type { ExitCode } from '../core/errors.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { SomeWindows, StatsSnapshot, WindowName } from '../stats/windows.js';
import type { Threshold, ThresholdResult } from '../stats/thresholds.js';
import type { AlertRule, AlertStateView, AlertTransition } from '../alerts/rules.js';
import type { SplitPlan, SplitProgress } from '../traffic/split.js';

export type EngineState = 'starting' | 'running' | 'paused' | 'stopping' | 'stopped';

/** Why a run ended; null when the traffic plan ran out by itself. A contract value (README.md "Replay recorded traffic", the JSON shape). */
export type StoppedBy = null | 'duration' | 'requests' | 'budget' | 'abortOnFail' | 'interrupt';

/** One scheduled stream of probe traffic: a probe × a target. */
export interface ProbeStream {
  probe: string;
  target: string;
  spec: RequestSpec;
  schedule: { kind: 'every'; intervalMs: number } | { kind: 'rate'; ratePerSec: number };
  seed: number;
}

export interface ReplayEntry {
  line: number;
  offsetMs: number | null;
  spec: RequestSpec;
  /** The targets this line goes to (a recorded log's own target); absent: every target of the plan. */
  targets?: string[];
}

export type ReplayMode =
  | { kind: 'original'; speed: number }
  | { kind: 'rate'; ratePerSec: number; poisson: boolean; seed: number }
  | { kind: 'closed'; concurrency: number };

export type TrafficPlan =
  | { kind: 'probes'; streams: ProbeStream[] }
  /** split: replay --split, each line to one of `targets` drawn by weight (traffic/split.ts; it overrides entries' targets). */
  | { kind: 'replay'; entries: ReplayEntry[]; mode: ReplayMode; loop: boolean; targets: string[]; split?: SplitPlan };

export interface EngineConfig {
  targets: ResolvedTarget[];
  /** Price files laid over the built-in table, in order (a PriceTable does not cross threads). */
  priceFiles: string[];
  plan: TrafficPlan;
  /** Snapshot period; default 250 ms (4 per second). */
  tickMs: number;
  /** requests: N requests to EACH target (in a replay, N lines of the file, each sent to every target). */
  stopAfter: { durationMs: number | null; requests: number | null };
  /** How long a stop waits for requests in flight before cancelling them. */
  graceMs: number;
  log: { path: string; logBodies: boolean } | null;
  /** Thresholds evaluated in the worker on the 'all' window, where the histograms live. */
  thresholds: Threshold[];
  /** Secrets registered in the main thread; the worker's redactor must know them too. */
  secrets: string[];
  /** Include every finished RequestResult in snapshots (exporters, request log readers, honesty checks). */
  emitResults: boolean;
  /** Spend guard: no request is sent whose worst-case cost would take the spend over this. */
  budgetUsd: number | null;
  /** Alert rules, evaluated in the worker at every tick on the engine's windows. */
  alerts: AlertRule[];
  /**
   * Whether periodic snapshots carry window statistics. Computing every window
   * costs milliseconds in the worker and delays sends due meanwhile, so headless
   * runs that only show progress turn it off; the final snapshot always has them.
   */
  liveStats: boolean;
  /**
   * The windows periodic snapshots compute when liveStats is on (default all
   * four). Each costs the worker its percentiles at every tick (8 targets ×
   * 2 models at 400 results/s: over 4× as long for all four as for 1m alone;
   * BENCHMARKS.md "Aggregator"), so a run asks for the window it shows and
   * the health window (run/pipeline.ts liveWindowsFor), and a 'windows'
   * message changes them when the dashboard's `w` does. The final snapshot
   * has all four.
   */
  liveWindows?: readonly WindowName[];
  /**
   * probe's rules (run/probe.ts), absent for every other command: Ctrl-C
   * cancels the requests in flight at once, with no grace period (they are
   * reported as cancelled); the first request the spend guard refuses ends the
   * run even while others are in flight; and a 429's retry-after is reported,
   * not waited out (probe sends its N requests as asked).
   */
  probeRules?: boolean;
}

export interface RecentError {
  /** Wall clock, epoch ms. */
  time: number;
  target: string;
  model: string;
  errorType: ErrorType;
  httpStatus: number | null;
  requestId: string | null;
  message: string | null;
}

export interface Saturation {
  /** Event-loop delay in the worker over the last tick, ms. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  inFlight: number;
  /** Sends held back because a target's concurrency cap was full (cumulative). */
  capWaits: number;
  /** Sends later than 5 ms after their scheduled instant (cumulative). */
  lateSends: number;
  /** Lateness of sends (actual − scheduled) over the run so far, ms. */
  sendLagMs: { p50: number | null; p99: number | null; max: number | null };
  /** Scheduled sends dropped because the hold-back queue was full (cumulative). */
  dropped: number;
  saturated: boolean;
  reasons: string[];
}

/**
 * The whole run's account of the client's own saturation (engine/saturation-account.ts):
 * how long relaymon itself was the bottleneck, and how bad it got. Held-back
 * sends at a target's cap are not in it (TargetSchedule says those).
 */
export interface RunSaturation {
  /** Time in ticks where the worker's event-loop delay p99, or an unheld send's lateness, passed 20 ms. */
  saturatedMs: number;
  /** The worst tick's event-loop delay p99 (beyond the sampling period), ms. */
  eventLoopDelayP99MaxMs: number;
  /** The latest any send left after its scheduled instant, not counting waits at a cap or a 429 back-off, ms. */
  sendLagMaxMs: number;
}

/**
 * What became of the sends the plan owed a target. scheduled = sent + dropped +
 * skippedBackoff at the end of a run; while it runs, the sends held at a full
 * cap are the difference. capWaits counts sends that had to wait at the cap
 * (held in the open loop, a worker waiting in the closed loop); dropped, the
 * sends never made: held when the run stopped, beyond the hold-back queue, or
 * refused by the spend guard.
 */
export interface TargetSchedule {
  scheduled: number;
  sent: number;
  capWaits: number;
  dropped: number;
  skippedBackoff: number;
  /** sent over the measured span, per second; null before any time has passed. */
  achievedRatePerSec: number | null;
}

export interface TargetInfo {
  name: string;
  baseUrl: string;
  protocol: Protocol;
  /** The most requests in flight at once in this run (--max-in-flight, the config, or a closed loop's N). */
  cap: number;
  schedule: TargetSchedule;
  /** 429 back-offs honoured (cumulative) and the instant (epoch ms) the current one ends, if any. */
  backoffs: number;
  backoffSkipped: number;
  backoffUntil: number | null;
}

export interface EngineSnapshot {
  state: EngineState;
  /** Wall clock of the run's start, epoch ms. */
  startedAt: number;
  elapsedMs: number;
  /** Null in periodic snapshots when the run asked for no live statistics (liveStats false); the windows asked for (liveWindows) otherwise. */
  stats: StatsSnapshot<SomeWindows> | null;
  targets: TargetInfo[];
  saturation: Saturation;
  recentErrors: RecentError[];
  /** Requests sent and finished so far; total planned when known (replay without --loop). */
  progress: { sent: number; done: number; errors: number; total: number | null };
  /** RequestResults finished since the previous snapshot (when emitResults); every one, however many ticks the main thread missed (pace.ts). */
  results: RequestResult[];
  /** The send order (1 = the run's first send) of each of `results`, index for index: probe numbers its rows by it. */
  resultSeqs?: number[];
  alerts: AlertStateView[];
  /** Alert state changes since the previous snapshot, for the notifier in the main thread (every one: pace.ts). */
  alertTransitions: AlertTransition[];
  /** `refusal`: why the spend guard refused the request that stopped the run (null when the spend itself reached the budget). */
  spend: {
    /** Booked by the guard; unknownUsd of it is the upper bound held for unknownRequests failed requests of unknown cost (traffic/budget.ts bookedCost). */
    spentUsd: number;
    unknownUsd?: number;
    unknownRequests?: number;
    budgetUsd: number | null;
    refused: number;
    refusal?: string | null;
  };
  /** replay --split: the shares, the ramp's step and an --abort-on-fail stop (engine/split-judge.ts). */
  split?: SplitProgress;
}

export interface EngineFinal {
  snapshot: Omit<EngineSnapshot, 'stats'> & { stats: StatsSnapshot };
  stoppedBy: StoppedBy;
  durationMs: number;
  /**
   * The span rates and cost per hour are over: from the start to the instant
   * sending stopped when a duration, Ctrl-C, the budget or an abortOnFail
   * threshold ended the run (not the drain of requests in flight after it);
   * the whole run when the plan or -n ran out.
   */
  measuredMs: number;
  thresholds: ThresholdResult[];
  /** True when at least one request to any target got an HTTP answer. */
  anyHttpAnswer: boolean;
  saturation: RunSaturation;
}

export type ToWorker =
  | { type: 'start'; config: EngineConfig }
  | { type: 'stop'; reason: StoppedBy }
  /** Stop, and cancel what is in flight now rather than after the grace period (runner.ts cut). */
  | { type: 'cut' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  /** The windows periodic snapshots compute from now on (EngineConfig.liveWindows); a fresh snapshot follows. */
  | { type: 'windows'; windows: WindowName[] }
  /** The main thread has taken the last snapshot (engine/pace.ts: the next one is posted only after it). */
  | { type: 'took' };

export type FromWorker =
  | { type: 'started' }
  | { type: 'snapshot'; snapshot: EngineSnapshot }
  | { type: 'final'; final: EngineFinal }
  /** A fatal error inside the worker; the message is secret-free and meant for the user. */
  | { type: 'error'; message: string; exitCode: ExitCode };

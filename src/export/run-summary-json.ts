/**
 * The run summary JSON of check, replay and watch (README.md "`check --json`"),
 * made from the engine's final result.
 */
import type { EngineFinal, RunSaturation, TargetSchedule } from '../engine/messages.js';
import type { ResolvedTarget } from '../core/target.js';
import type { Summary } from '../stats/summary.js';
import type { ThresholdResult } from '../stats/thresholds.js';
import type { RunSummaryOutput } from './contracts/index.js';

import { toSummary } from '../stats/summary.js';
/** The `summary` object from a window's statistics: it lives with the statistics (stats/summary.ts). */
export { toSummary };

/** A target object of the run summary; maxInFlight and schedule are absent in summaries made before a run (tests, readers of old files). */
export interface RunTargetJson {
  name: string;
  baseUrl: string;
  protocol: ResolvedTarget['protocol'];
  summary: Summary | null;
  maxInFlight?: number;
  schedule?: TargetSchedule | null;
}

export interface RunSummary {
  command: string;
  startedAt: string;
  durationMs: number;
  measuredMs?: number;
  /** Absent only in summaries made before a run (tests, readers of old files). */
  saturation?: RunSaturation;
  stoppedBy: EngineFinal['stoppedBy'];
  targets: RunTargetJson[];
  summary: Summary;
  thresholds: ThresholdResult[];
}

/**
 * `{command, startedAt, durationMs, measuredMs, saturation, stoppedBy, targets, summary, thresholds}` for check, replay and watch.
 * measuredMs is the span rates and cost per hour are over (EngineFinal.measuredMs); saturation, how long relaymon
 * itself was the bottleneck; each target carries its cap (maxInFlight) and what became of the sends owed to it (schedule).
 */
export function runSummaryJson(command: RunSummaryOutput['command'], targets: readonly ResolvedTarget[], final: EngineFinal): RunSummaryOutput {
  const snap = final.snapshot;
  return {
    command,
    startedAt: new Date(snap.startedAt).toISOString(),
    durationMs: Math.round(final.durationMs),
    measuredMs: Math.round(final.measuredMs),
    saturation: saturationJson(final.saturation),
    stoppedBy: final.stoppedBy,
    targets: targets.map((t) => {
      const cell = snap.stats.targets.find((c) => c.target === t.name);
      const info = snap.targets.find((i) => i.name === t.name);
      return {
        name: t.name,
        baseUrl: t.baseUrl,
        protocol: t.protocol,
        summary: cell ? toSummary(cell.windows.all) : null,
        maxInFlight: info?.cap ?? t.concurrency,
        schedule: info?.schedule ?? null,
      };
    }),
    summary: toSummary(snap.stats.windows.all),
    thresholds: final.thresholds,
  };
}

/** The run's saturation account as the JSON carries it: whole milliseconds, a tenth for the maxima. */
export function saturationJson(s: RunSaturation): RunSaturation {
  const tenth = (ms: number): number => Math.round(ms * 10) / 10;
  return { saturatedMs: Math.round(s.saturatedMs), eventLoopDelayP99MaxMs: tenth(s.eventLoopDelayP99MaxMs), sendLagMaxMs: tenth(s.sendLagMaxMs) };
}

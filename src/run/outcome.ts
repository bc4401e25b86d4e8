/**
 * How a run ends for the user: the exit code (README.md "Exit codes") and the
 * notes on stderr that explain it. Pure: decided from the engine's final
 * result (or probe's results) alone.
 */
import type { EngineFinal } from '../engine/messages.js';
import type { ProbeCheck, RequestResult } from '../core/result.js';
import type { ThresholdResult } from '../stats/thresholds.js';
import type { WindowStats } from '../stats/windows.js';
import { EXIT, type ExitCode } from '../core/errors.js';
import { saturationNote } from '../export/saturation-text.js';

/** What the exit code is decided from: the part of EngineFinal it reads (tests build it by hand). */
export interface FinalFacts {
  thresholds: readonly Pick<ThresholdResult, 'ok'>[];
  anyHttpAnswer: boolean;
  snapshot: { stats: { windows: { all: Pick<WindowStats, 'requests' | 'unfinished' | 'errorTypes'> } } };
}

/** Said on stderr when relaymon itself was the bottleneck for part of the run; the exit code does not change. */
export function saturationMessage(command: string, final: EngineFinal): string | null {
  const note = saturationNote(final.saturation, final.durationMs);
  return note === null ? null : `${command}: ${note}\n`;
}

/** Said on stderr when a run ends unreachable (exit 3), so the text does not read like a failed threshold. */
export function unreachableNote(command: string, final: FinalFacts): string | null {
  if (!isUnreachable(final)) return null;
  const types = Object.entries(final.snapshot.stats.windows.all.errorTypes).sort((a, b) => b[1] - a[1]);
  const why = types.length > 0 ? ` (${types.map(([t, n]) => `${t} ×${n}`).join(', ')})` : '';
  return `${command}: unreachable: no request got an HTTP answer from any target${why}; exit 3\n`;
}

/**
 * Requests still unanswered when the grace period ran out are neither errors
 * nor timings (core/stop.ts), so a verdict cannot see them: say how many,
 * on stderr, so a run that cut many short does not pass unremarked.
 */
export function unfinishedNote(command: string, final: FinalFacts, graceMs: number | null): string | null {
  const all = final.snapshot.stats.windows.all;
  if (all.unfinished === 0) return null;
  const seen = all.requests + all.unfinished;
  const cut = graceMs === null ? 'cut when Ctrl-C or SIGTERM ended the wait for them' : `cut after its ${graceMs / 1000} s grace period`;
  return (
    `${command}: ${all.unfinished} of ${seen} requests were still unanswered when the run stopped (${cut}): ` +
    `neither errors nor timings, so no threshold judged them; a longer --duration lets slow answers finish\n`
  );
}

/** Requests finished and none got an HTTP answer from any target (exit 3). */
function isUnreachable(final: FinalFacts): boolean {
  // Requests relaymon cut short itself (unfinished) say nothing of whether the relay answers.
  return final.snapshot.stats.windows.all.requests > 0 && !final.anyHttpAnswer;
}

/** Exit code of an engine run: the contract of README.md "Exit codes". */
export function runExitCode(final: FinalFacts, interrupted: boolean): ExitCode {
  if (interrupted) return EXIT.interrupted;
  if (isUnreachable(final)) return EXIT.unreachable;
  if (final.thresholds.some((t) => !t.ok)) return EXIT.failed;
  return EXIT.ok;
}

/**
 * probe's exit code: every request must succeed and pass its checks (probe
 * kinds: a failed check leaves the request ok, but the probe failed what it
 * was sent to find out), not only the thresholds hold.
 * `refusedAll`: the spend guard refused the first request, so none ran: a vacuous pass is a failure.
 * (A budget that stops probing part-way has done its job.)
 */
export function probeExitCode(
  results: readonly (Pick<RequestResult, 'ok' | 'httpStatus'> & { checks?: readonly Pick<ProbeCheck, 'ok'>[] })[],
  thresholdsOk: boolean,
  interrupted: boolean,
  refusedAll: boolean,
): ExitCode {
  if (interrupted) return EXIT.interrupted;
  if (results.length > 0 && results.every((r) => r.httpStatus === null)) return EXIT.unreachable;
  if (!thresholdsOk || refusedAll || results.some((r) => !r.ok || (r.checks ?? []).some((c) => !c.ok))) return EXIT.failed;
  return EXIT.ok;
}

/** The notes a run ends with on stderr, in this order: requests cut unfinished, relaymon's own saturation, unreachable. */
export function endNotes(command: string, final: EngineFinal, graceMs: number | null): string[] {
  return [unfinishedNote(command, final, graceMs), saturationMessage(command, final), unreachableNote(command, final)].filter((n): n is string => n !== null);
}

/** The exit code of a pipeline run (run/pipeline.ts): a quit from the dashboard is a pass; otherwise runExitCode. */
export function pipelineExitCode(outcome: { final: FinalFacts; interrupted: boolean; quitByUser: boolean }): ExitCode {
  if (outcome.quitByUser) return EXIT.ok;
  return runExitCode(outcome.final, outcome.interrupted);
}

/** `relaymon check`: the configured probes for a while, thresholds evaluated, exit code = verdict. */
import type { ExitCode } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import { IMPLIED_ERRORS_THRESHOLD, impliedExpressions, withImpliedThresholds, type Threshold } from '../stats/thresholds.js';
import { compileAlertRules } from '../alerts/rules.js';
import { junitXml } from '../export/junit.js';
import { checkText } from '../export/check-text.js';
import { runHonesty } from '../export/honesty-text.js';
import { budgetEndMessage, budgetEndNote } from '../traffic/budget.js';
import { checkOutputPaths, contextInputs, processIo, refuseClobbering, writeOutputFile } from './io.js';
import { metricsAddress, startMetrics, type MetricsFlags } from './metrics.js';
import { priceFiles, runThresholds } from './context.js';
import { printDryRun, runOutputs, scheduledRun, type ScheduledFlags } from './scheduled.js';
import { runPipeline } from './pipeline.js';
import { endNotes, pipelineExitCode } from './outcome.js';
import { runSummaryJson } from '../export/run-summary-json.js';
import type { EngineFinal } from '../engine/messages.js';
import { DEFAULT_CHECK_DURATION } from './defaults.js';
import { reportSink } from './report-write.js';

export interface CheckFlags extends ScheduledFlags, MetricsFlags {
  threshold: string[];
  /** false with --no-default-thresholds. */
  defaultThresholds?: boolean;
  json?: boolean;
  summary?: string;
  junit?: string;
  report?: string;
}

export async function runCheck(flags: CheckFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  metricsAddress(flags); // a bad --metrics-port is a usage error before anything else happens
  checkOutputPaths(runOutputs(flags));
  const report = reportSink(flags.report);
  const run = await scheduledRun(flags, { defaultDuration: parseDuration(DEFAULT_CHECK_DURATION) });
  refuseClobbering(contextInputs(run.ctx, flags), runOutputs(flags));
  const userThresholds: Threshold[] = runThresholds(run.ctx, flags.threshold);
  const thresholds = withImpliedThresholds(userThresholds, flags.defaultThresholds !== false);
  const defaults = impliedExpressions(thresholds);
  const rules = compileAlertRules(run.ctx.config?.alerts, run.ctx.configPath ?? 'config');
  if (flags.dryRun) return printDryRun(run, io, flags);
  if (defaults.length > 0 && !flags.json) io.err(`check: no errors threshold given; ${IMPLIED_ERRORS_THRESHOLD} is implied (--no-default-thresholds drops it)\n`);

  const metrics = await startMetrics(flags, run.targets, { err: (t) => io.err(t) });
  let outcome;
  try {
    outcome = await runPipeline(
      {
        targets: run.targets,
        priceFiles: priceFiles(run.ctx.config, flags.prices),
        plan: run.plan,
        stopAfter: { durationMs: run.durationMs, requests: run.requests },
        log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
        thresholds,
        budgetUsd: run.budgetUsd,
        alerts: rules,
      },
      io,
      { command: 'check', notify: run.ctx.config?.notify, metrics, ...report?.runOptions() },
    );
  } finally {
    await metrics?.close();
  }
  const { final } = outcome;

  const json = runSummaryJson('check', run.targets, final);
  if (flags.json) io.out(JSON.stringify(json, null, 2) + '\n');
  else io.out(checkText(json, { defaults, color: io.color, honesty: runHonesty(final.snapshot.stats), stopNote: budgetEndNote(final.stoppedBy, final.snapshot.spend) ?? nothingSentNote(final) }));
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  if (flags.junit) writeOutputFile(flags.junit, junitXml(json, { defaults }), '--junit');
  const budgetEnd = budgetEndMessage('check', final.stoppedBy, final.snapshot.spend);
  if (budgetEnd !== null) io.err(budgetEnd);
  for (const note of endNotes('check', final, outcome.graceMs)) io.err(note);
  const exitCode = pipelineExitCode(outcome);
  report?.finish({ command: 'check', final, targets: run.targets, exitCode, summary: json });
  return exitCode;
}

/** Interrupted before its first send (a Ctrl-C while it loaded): why every threshold below reads "no data" and fails. */
function nothingSentNote(final: EngineFinal): string | null {
  return final.stoppedBy === 'interrupt' && final.snapshot.progress.sent === 0 ? 'before any request was sent (a threshold with no data fails)' : null;
}

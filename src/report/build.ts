/**
 * ReportData from what there is: a run's (or a request log's) collected
 * results, or a --json/--summary file of check, replay, watch, compare or
 * conform. Pure: the caller reads files and decides the verdict's exit code.
 */
import type { ThresholdResult } from '../stats/thresholds.js';
import type { CompareOutput, ConformOutput, EvaluateOutput, RunSummaryOutput } from '../export/contracts/index.js';
import { VERSION } from '../version.js';
import type { Collected } from './collect.js';
import type { ChartSpec, ReportCanary, ReportData, ReportTarget, ReportVerdict } from './data.js';

interface Head {
  command: string;
  source: ReportData['source'];
  startedAt: string | null;
  durationMs: number | null;
  stoppedBy: string | null;
  now?: Date;
}

function base(h: Head): ReportData {
  return {
    v: 1,
    command: h.command,
    source: h.source,
    startedAt: h.startedAt,
    durationMs: h.durationMs,
    stoppedBy: h.stoppedBy,
    generatedAt: (h.now ?? new Date()).toISOString(),
    version: VERSION,
    verdict: null,
    targets: [],
    charts: [],
    compare: null,
    conform: null,
    evaluate: null,
    notes: [],
  };
}

/** A replay --split summary's split and canary, for the report's canary section; null for any other run. */
export function canaryOf(json: Pick<RunSummaryOutput, 'split' | 'canary'>): ReportCanary | null {
  return json.split && json.canary ? { split: json.split, canary: json.canary } : null;
}

/** From collected results (a run's or a log's), with the verdict the caller decided. */
export function fromCollected(
  h: Head,
  c: Collected,
  verdict: ReportVerdict | null,
  extra: { compare?: CompareOutput; conform?: ConformOutput; notes?: string[]; canary?: ReportCanary | null } = {},
): ReportData {
  return {
    ...base(h),
    verdict,
    targets: c.targets,
    charts: c.charts,
    compare: extra.compare ?? null,
    conform: extra.conform ?? null,
    notes: extra.notes ?? [],
    ...(extra.canary ? { canary: extra.canary } : {}),
  };
}

const NO_SAMPLES = 'A summary file holds no per-request data: run `relaymon report` on the run\'s request log (--log FILE) for distributions and time series.';

function verdictOf(thresholds: readonly ThresholdResult[], aborted: boolean): ReportVerdict {
  // A file's exit code is not in it; its thresholds decide 0 or 1 (README "Exit codes": a failed threshold is 1),
  // and so does a canary --abort-on-fail stop, which exits 1 even when the whole run's thresholds held (docs/contracts.md).
  return { thresholds: [...thresholds], exitCode: aborted || thresholds.some((t) => !t.ok) ? 1 : 0, origin: 'file' };
}

export function fromRunSummary(json: RunSummaryOutput, file: string, now?: Date): ReportData {
  const d = base({ command: json.command, source: { kind: 'summary', file }, startedAt: json.startedAt, durationMs: json.durationMs, stoppedBy: json.stoppedBy, ...(now ? { now } : {}) });
  const targets: ReportTarget[] = json.targets.map((t) => ({ name: t.name, baseUrl: t.baseUrl, protocol: t.protocol, summary: t.summary, honesty: null, honestyLines: [], failedChecks: {} }));
  const canary = canaryOf(json);
  return { ...d, verdict: verdictOf(json.thresholds, (json.canary?.abort ?? null) !== null), targets, notes: [NO_SAMPLES], ...(canary ? { canary } : {}) };
}

export function fromCompare(json: CompareOutput, file: string, now?: Date): ReportData {
  const d = base({ command: 'compare', source: { kind: 'summary', file }, startedAt: json.startedAt, durationMs: json.durationMs, stoppedBy: json.stoppedBy, ...(now ? { now } : {}) });
  return { ...d, compare: json, notes: [NO_SAMPLES] };
}

export function fromConform(json: ConformOutput, file: string | null, now?: Date): ReportData {
  const d = base({ command: 'conform', source: file === null ? { kind: 'run', file: null } : { kind: 'summary', file }, startedAt: json.startedAt, durationMs: json.durationMs, stoppedBy: null, ...(now ? { now } : {}) });
  const exitCode = json.summary.fail > 0 ? 1 : 0;
  return { ...d, conform: json, verdict: { thresholds: [], exitCode, origin: file === null ? 'run' : 'file' } };
}

/**
 * evaluate: its verdicts, and from a run (collected results) the charts of
 * every target and, per candidate, its distributions beside the reference's
 * (`candidateCharts`, ids by evaluateChartPrefix). A --json/--summary file
 * (`collected` null) gives the tables only.
 */
export function fromEvaluate(json: EvaluateOutput, run: { collected: Collected; candidateCharts: ChartSpec[]; exitCode: number } | null, file: string | null, now?: Date): ReportData {
  const d = base({ command: 'evaluate', source: file === null ? { kind: 'run', file: null } : { kind: 'summary', file }, startedAt: json.startedAt, durationMs: json.durationMs, stoppedBy: json.stoppedBy, ...(now ? { now } : {}) });
  // An evaluate file's exit code is not in it: a not_ready candidate is exit 1 (docs/contracts.md "Exit codes").
  const exitCode = run?.exitCode ?? (json.candidates.some((c) => c.verdict === 'not_ready') ? 1 : 0);
  const verdict: ReportVerdict = { thresholds: [], exitCode, origin: file === null ? 'run' : 'file' };
  if (run === null) return { ...d, evaluate: json, conform: json.conform, verdict, notes: [NO_SAMPLES] };
  return { ...d, evaluate: json, conform: json.conform, verdict, targets: run.collected.targets, charts: [...run.collected.charts, ...run.candidateCharts] };
}

/** The id prefix of candidate i's charts. */
export function evaluateChartPrefix(i: number): string {
  return `ev${i}-`;
}

/**
 * ReportData from what there is: a run's (or a request log's) collected
 * results, or a --json/--summary file of check, replay, watch, compare or
 * conform. Pure: the caller reads files and decides the verdict's exit code.
 */
import type { ThresholdResult } from '../stats/thresholds.js';
import type { CompareOutput, ConformOutput, RunSummaryOutput } from '../export/contracts/index.js';
import { VERSION } from '../version.js';
import type { Collected } from './collect.js';
import type { ReportData, ReportTarget, ReportVerdict } from './data.js';

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
    notes: [],
  };
}

/** From collected results (a run's or a log's), with the verdict the caller decided. */
export function fromCollected(h: Head, c: Collected, verdict: ReportVerdict | null, extra: { compare?: CompareOutput; conform?: ConformOutput; notes?: string[] } = {}): ReportData {
  return { ...base(h), verdict, targets: c.targets, charts: c.charts, compare: extra.compare ?? null, conform: extra.conform ?? null, notes: extra.notes ?? [] };
}

const NO_SAMPLES = 'A summary file holds no per-request data: run `relaymon report` on the run\'s request log (--log FILE) for distributions and time series.';

function verdictOf(thresholds: readonly ThresholdResult[]): ReportVerdict {
  // A file's exit code is not in it; its thresholds decide 0 or 1 (README "Exit codes": a failed threshold is 1).
  return { thresholds: [...thresholds], exitCode: thresholds.some((t) => !t.ok) ? 1 : 0, origin: 'file' };
}

export function fromRunSummary(json: RunSummaryOutput, file: string, now?: Date): ReportData {
  const d = base({ command: json.command, source: { kind: 'summary', file }, startedAt: json.startedAt, durationMs: json.durationMs, stoppedBy: json.stoppedBy, ...(now ? { now } : {}) });
  const targets: ReportTarget[] = json.targets.map((t) => ({ name: t.name, baseUrl: t.baseUrl, protocol: t.protocol, summary: t.summary, honesty: null, honestyLines: [], failedChecks: {} }));
  return { ...d, verdict: verdictOf(json.thresholds), targets, notes: [NO_SAMPLES] };
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

/**
 * Writing a report, for `relaymon report` and for --report FILE on check,
 * replay, compare, watch and conform: the one function that renders the
 * HTML (src/report/html.ts) and writes it through the run's output writer
 * (redacted, atomic: run/io.ts), and the one hook a run uses to collect its
 * results for it (reportSink).
 */
import type { EngineFinal, EngineSnapshot } from '../engine/messages.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestResult } from '../core/result.js';
import type { CompareOutput, ConformOutput, EvaluateOutput, RunSummaryOutput } from '../export/contracts/index.js';
import { ReportCollector } from '../report/collect.js';
import { canaryOf, evaluateChartPrefix, fromCollected, fromConform, fromEvaluate } from '../report/build.js';
import { chartLibrary } from '../report/assets.js';
import { renderReport } from '../report/html.js';
import type { ReportData } from '../report/data.js';
import { checkOutputPath, writeOutputFile, type OutputFile } from './io.js';

export const REPORT_FLAG = '--report';

/** Renders and writes the report; returns the bytes written. */
/** The report's size in bytes, or null when it could not be written (reported as an output failure, exit 2). */
export function writeReport(path: string, data: ReportData, flag: string, resultsOnStdout = true): number | null {
  const html = renderReport(data, chartLibrary());
  return writeOutputFile(path, html, flag, resultsOnStdout) ? Buffer.byteLength(html) : null;
}

/** The report file as one of a run's outputs (refuseClobbering). */
export function reportOutput(path: string | undefined): OutputFile {
  return { flag: REPORT_FLAG, path };
}

/** What a run ends with, for its report. */
export interface RunEnd {
  command: string;
  final: EngineFinal;
  targets: readonly ResolvedTarget[];
  exitCode: number;
  /** check, replay, watch: the verdict (thresholds) comes from it. */
  summary?: RunSummaryOutput;
  compare?: CompareOutput;
  /** Every result of the run, when the command kept them itself (compare): then the sink observed nothing. */
  results?: readonly RequestResult[];
  notes?: string[];
}

/**
 * The --report hook of a sending run: its snapshots carry every finished
 * result (emitResults), which go into a ReportCollector as they come; at the
 * end, the run's own verdict and the collected figures make the report.
 */
export class ReportSink {
  private readonly collector = new ReportCollector();
  readonly emitResults = true;

  constructor(readonly path: string) {}

  /** What the run's pipeline takes (RunOptions of run/pipeline.ts): every result in the snapshots, each handed here. */
  runOptions(): { emitResults: true; onSnapshot: (s: EngineSnapshot) => void } {
    return { emitResults: true, onSnapshot: (s) => this.observe(s) };
  }

  observe(s: Pick<EngineSnapshot, 'results'>): void {
    for (const r of s.results) this.collector.add(r);
  }

  finish(end: RunEnd): void {
    if (end.results) for (const r of end.results) this.collector.add(r);
    // The final snapshot's results never reach onSnapshot (run/pipeline.ts).
    else this.observe(end.final.snapshot);
    const meta = new Map(end.targets.map((t) => [t.name, { baseUrl: t.baseUrl, protocol: t.protocol }]));
    const collected = this.collector.finish(meta);
    const data = fromCollected(
      {
        command: end.command,
        source: { kind: 'run', file: null },
        startedAt: new Date(end.final.snapshot.startedAt).toISOString(),
        durationMs: Math.round(end.final.durationMs),
        stoppedBy: end.final.stoppedBy,
      },
      collected,
      end.compare ? { thresholds: [], exitCode: end.exitCode, origin: 'run' } : { thresholds: end.summary?.thresholds ?? end.final.thresholds, exitCode: end.exitCode, origin: 'run' },
      { ...(end.compare ? { compare: end.compare } : {}), ...(end.notes ? { notes: end.notes } : {}), canary: end.summary ? canaryOf(end.summary) : null },
    );
    writeReport(this.path, data, REPORT_FLAG);
  }
}

/** A sink when --report was given, else null. Its path is checked with the run's other outputs (scheduled.ts runOutputs). */
export function reportSink(path: string | undefined): ReportSink | null {
  return path === undefined ? null : new ReportSink(path);
}

/** conform --report: its rows, no timings. */
export function writeConformReport(path: string | undefined, report: ConformOutput, exitCode: number): void {
  if (path === undefined) return;
  const data = fromConform(report, null);
  writeReport(path, { ...data, verdict: data.verdict ? { ...data.verdict, exitCode } : null }, REPORT_FLAG);
}

/**
 * evaluate --report: the comparison's results collected as they come (the
 * models and conform phases send outside the engine and have no timings to
 * chart); at the end, the verdicts and a page per candidate with its
 * distributions beside the reference's.
 */
export class EvaluateReportSink {
  private readonly collector = new ReportCollector();

  constructor(readonly path: string) {}

  observe(s: Pick<EngineSnapshot, 'results'>): void {
    for (const r of s.results) this.collector.add(r);
  }

  finish(json: EvaluateOutput, targets: readonly ResolvedTarget[], exitCode: number): void {
    const meta = new Map(targets.map((t) => [t.name, { baseUrl: t.baseUrl, protocol: t.protocol }]));
    const candidateCharts = json.candidates.flatMap((c, i) => this.collector.distributionsOf([c.name, json.reference.name], evaluateChartPrefix(i)));
    const collected = this.collector.finish(meta);
    writeReport(this.path, fromEvaluate(json, { collected, candidateCharts, exitCode }, null), REPORT_FLAG);
  }
}

export function evaluateReportSink(path: string | undefined): EvaluateReportSink | null {
  if (path === undefined) return null;
  checkOutputPath(path, REPORT_FLAG);
  return new EvaluateReportSink(path);
}

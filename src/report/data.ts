/**
 * What a report shows, as one plain object: built from a run, a request log
 * or a --json/--summary file (build.ts, source.ts), embedded in the HTML as
 * JSON for the charts and drawn as tables (html.ts). Nothing here is a
 * statistic of its own: summaries come from src/stats, verdicts from
 * src/stats/thresholds.ts, comparisons and conformance rows from the outputs
 * of compare and conform.
 */
import type { ThresholdResult } from '../stats/thresholds.js';
import type { Summary } from '../stats/summary.js';
import type { HonestyWindow } from '../stats/windows.js';
import type { CanaryOutput, CompareOutput, ConformOutput, EvaluateOutput, SplitTargetOutput } from '../export/contracts/index.js';

/** One chart: a shared x and one line per series (uPlot's data layout). */
export interface ChartSpec {
  id: string;
  title: string;
  /** 'log': a logarithmic x (distributions); 'time': epoch seconds. */
  x: { kind: 'log' | 'time'; label: string; values: number[] };
  y: { label: string; unit: 'ms' | 'fraction' | 'per_s' | 'share' };
  series: { label: string; values: (number | null)[]; /** Lines of one group (a target) share a colour. */ group: number; dash?: boolean }[];
}

export interface ReportTarget {
  name: string;
  baseUrl: string | null;
  protocol: string | null;
  summary: Summary | null;
  honesty: HonestyWindow | null;
  /** One line per finding (export/honesty-text.ts), empty when the relay's usage matched. */
  honestyLines: string[];
  /** Failed probe checks by name (tools, json, cache, …); from results only. */
  failedChecks: Record<string, number>;
}

export interface ReportVerdict {
  thresholds: ThresholdResult[];
  exitCode: number | null;
  /**
   * 'run': the verdict the run itself gave; 'recomputed': evaluated again from a
   * request log (the thresholds given to `relaymon report` and the config's);
   * 'file': read from a --json/--summary file.
   */
  origin: 'run' | 'recomputed' | 'file';
}

export interface ReportData {
  v: 1;
  command: string;
  /** Where the figures came from: the run itself, or the file `relaymon report` read. */
  source: { kind: 'run' | 'log' | 'summary'; file: string | null };
  startedAt: string | null;
  durationMs: number | null;
  stoppedBy: string | null;
  generatedAt: string;
  version: string;
  verdict: ReportVerdict | null;
  targets: ReportTarget[];
  charts: ChartSpec[];
  compare: CompareOutput | null;
  conform: ConformOutput | null;
  /** evaluate: the verdict per candidate; each candidate's charts are the ChartSpecs whose id starts with evaluateChartPrefix(i). */
  evaluate: EvaluateOutput | null;
  /** Said above the tables: what this report cannot show and why. */
  notes: string[];
  /** replay --split: the split, the ramp and an --abort-on-fail stop, as in the summary's `split` and `canary`; absent otherwise. */
  canary?: ReportCanary;
}

export interface ReportCanary {
  split: SplitTargetOutput[];
  canary: CanaryOutput;
}

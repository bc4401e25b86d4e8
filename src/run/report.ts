/**
 * `relaymon report FILE -o report.html`: a request log (re-judged: the
 * thresholds given here and the config's, labelled "recomputed"), or a
 * --json/--summary file of check, replay, watch, compare or conform, as one
 * self-contained HTML file. A long log shows progress by the rule of
 * run/progress.ts.
 */
import { performance } from 'node:perf_hooks';
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import { fmtMs } from '../export/format.js';
import { checkThresholdTargets, parseThreshold, withImpliedThresholds, type Threshold } from '../stats/thresholds.js';
import { compareSchema, conformSchema, evaluateSchema, runSummarySchema } from '../export/contracts/index.js';
import { ReportCollector } from '../report/collect.js';
import { fromCollected, fromCompare, fromConform, fromEvaluate, fromRunSummary } from '../report/build.js';
import { detectInput, EXPECTED_INPUT, readJsonFile, streamLog, type LogProgress } from '../report/read.js';
import type { ReportData } from '../report/data.js';
import { checkOutputPath, contextInputs, processIo, refuseClobbering, writeStderr, type Io } from './io.js';
import { signalWord } from './signals.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { RelaymonConfig } from '../config/schema.js';
import { resolveBaseUrl } from '../config/targets.js';
import { registerSecret } from '../core/redact.js';
import type { Protocol } from '../core/result.js';
import { parseThresholdMap } from '../stats/thresholds-parse.js';
import type { TargetFlagValues } from './flags.js';
import { createProgress } from './progress.js';
import { runExitCode } from './outcome.js';
import { writeReport } from './report-write.js';

export interface ReportFlags extends Omit<TargetFlagValues, 'target' | 'timeout'> {
  output: string;
  threshold: string[];
  /** false with --no-default-thresholds. */
  defaultThresholds?: boolean;
  color: boolean;
}

/**
 * Ctrl-C or SIGTERM while a long log is read: nothing partial is worth
 * keeping (the file is written whole, atomically, at the end), so the
 * command ends at once, with the interrupt's exit code (docs/contracts.md).
 */
function exitOnInterrupt(): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    writeStderr(`\nrelaymon report: ${signalWord(signal)}; no report written\n`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export async function runReport(file: string, flags: ReportFlags): Promise<ExitCode> {
  const release = exitOnInterrupt();
  try {
    return await report(file, flags);
  } finally {
    release();
  }
}

async function report(file: string, flags: ReportFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  checkOutputPath(flags.output, '--output');
  const ctx = await reportContext(flags);
  refuseClobbering([{ path: file, label: `the file being reported (${file})` }, ...contextInputs(ctx, flags)], [{ flag: '--output', path: flags.output }]);
  const input = detectInput(file);
  const data = input.kind === 'log' ? await fromLog(file, input.bytes, flags, ctx, io) : fromJson(file, readJsonFile(file, input.bytes), flags);
  // The file is report's only result: a failure to write it says nothing of stdout.
  const bytes = writeReport(flags.output, data, '--output', false);
  if (bytes === null) return EXIT.usage;
  const what = data.source.kind === 'log' ? `${data.targets.reduce((n, t) => n + (t.summary?.requests ?? 0) + (t.summary?.unfinished ?? 0), 0)} requests, ` : '';
  io.out(`relaymon report: wrote ${flags.output} (${what}${Math.round(bytes / 1024)} KB)\n`);
  return EXIT.ok;
}

/**
 * What a report takes from the context: the config file and its thresholds,
 * and its targets' names, URLs and protocols (the rows of a request log).
 */
interface ReportContext {
  config: RelaymonConfig | null;
  configPath: string | null;
  thresholds: Threshold[];
  targets: { name: string; baseUrl: string; protocol: Protocol }[];
}

/**
 * The config's thresholds (and its targets' names and URLs) when there is a
 * config file; without one, nothing: a report sends nothing, so it needs no
 * target, must not ask for --base-url, and needs no key. The targets are
 * read from the file, not resolved for sending (config/targets.ts
 * resolveTargets): a colleague rendering a shared file has not set the
 * variables its apiKeyEnv and headers name. The keys that are set are still
 * made known to the redactor, as a run would, in case a file carries one.
 */
async function reportContext(flags: ReportFlags): Promise<ReportContext> {
  const configPath = findConfigFile({ cwd: process.cwd(), explicit: flags.config, env: process.env });
  if (configPath === null) return { config: null, configPath: null, thresholds: [], targets: [] };
  const config = await loadConfig(configPath);
  const thresholds = config.thresholds ? parseThresholdMap(config.thresholds, configPath) : [];
  const targets = Object.entries(config.targets ?? {}).map(([name, t]) => {
    if (t.apiKeyEnv !== undefined) registerSecret(process.env[t.apiKeyEnv]);
    // Its notes (a trimmed endpoint) are for a run that sends; the report only labels rows with the URL.
    return { name, baseUrl: resolveBaseUrl(t.baseUrl, t.protocol, `targets.${name}.baseUrl`, []), protocol: t.protocol };
  });
  return { config, configPath, thresholds, targets };
}

function fromJson(file: string, value: unknown, flags: ReportFlags): ReportData {
  if (flags.threshold.length > 0) throw new UsageError(`--threshold re-judges a request log; ${file} is a summary file, whose verdict is already in it`);
  const command = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['command'] : undefined;
  const parsed =
    command === 'compare' ? compareSchema.safeParse(value) : command === 'evaluate' ? evaluateSchema.safeParse(value) : command === 'conform' ? conformSchema.safeParse(value) : command === 'check' || command === 'replay' || command === 'watch' ? runSummarySchema.safeParse(value) : null;
  if (parsed === null) throw new UsageError(`${file}: not a request log or a --json/--summary file of check, replay, watch, compare, conform or evaluate (${EXPECTED_INPUT})`);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? ` (${issue.path.join('.') || 'top level'}: ${issue.message})` : '';
    throw new UsageError(`${file}: a ${String(command)} --json file of another shape than this relaymon writes${where}`);
  }
  const v = parsed.data;
  if (v.command === 'compare') return fromCompare(v, file);
  if (v.command === 'conform') return fromConform(v, file);
  if (v.command === 'evaluate') return fromEvaluate(v, null, file);
  return fromRunSummary(v, file);
}

function progressLine(p: LogProgress, total: number, elapsedMs: number): string {
  const secs = elapsedMs / 1000;
  const rate = secs > 0 ? p.lines / secs : 0;
  const share = total > 0 ? Math.min(1, p.bytesRead / total) : 1;
  const width = 24;
  const filled = Math.round(share * width);
  const mb = (b: number): string => (b / 1048576).toFixed(1);
  const eta = share > 0 && share < 1 ? (elapsedMs / share) * (1 - share) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.lines} lines, ${mb(p.bytesRead)}/${mb(total)} MB  ${Math.round(rate)} lines/s  ETA ${share >= 1 ? '0s' : fmtMs(eta)}`;
}

async function fromLog(file: string, bytes: number, flags: ReportFlags, ctx: ReportContext, io: Io): Promise<ReportData> {
  const user: Threshold[] = [...ctx.thresholds, ...flags.threshold.map((t) => parseThreshold(t))];
  const thresholds = withImpliedThresholds(user, flags.defaultThresholds !== false);
  let collector: ReportCollector | null = null;
  let firstTime: string | null = null;
  const t0 = performance.now();
  const progress = createProgress(io, 'report');
  const read = await streamLog(
    file,
    (line) => {
      if (collector === null) {
        // The run's start: the first line's send less its offset from the start.
        const origin = line.result.startedAt - line.t;
        collector = new ReportCollector(origin);
        firstTime = new Date(origin).toISOString();
      }
      collector.add(line.result);
    },
    (p) => {
      const elapsed = performance.now() - t0;
      progress.update(elapsed, () => progressLine(p, bytes, elapsed));
    },
  );
  progress.done();
  if (read.badCount > 0) {
    for (const b of read.bad) io.err(`${file}:${b.line}: ${b.reason}\n`);
    if (read.badCount > read.bad.length) io.err(`… and ${read.badCount - read.bad.length} more bad lines\n`);
    io.err(`${file}: skipped ${read.badCount} bad line${read.badCount === 1 ? '' : 's'}\n`);
  }
  const c = collector as ReportCollector | null;
  if (c === null) throw new UsageError(`${file}: no request-log line in it; ${EXPECTED_INPUT}`);
  const meta = new Map(ctx.targets.map((t) => [t.name, { baseUrl: t.baseUrl, protocol: t.protocol }]));
  const collected = c.finish(meta);
  // {target:…} tags may name the log's targets as well as the config's.
  checkThresholdTargets(thresholds, [...new Set([...Object.keys(ctx.config?.targets ?? {}), ...ctx.targets.map((t) => t.name), ...collected.targets.map((t) => t.name)])]);
  const results = c.thresholds(thresholds);
  const exitCode = runExitCode({ thresholds: results, anyHttpAnswer: collected.anyHttpAnswer, snapshot: { stats: { windows: { all: collected.all } } } }, false);
  const notes = [`Verdict recomputed from the log: ${thresholds.length} threshold${thresholds.length === 1 ? '' : 's'} (given to relaymon report, the config's, and the implied errors guard unless --no-default-thresholds), judged on all ${collected.requests} requests.`];
  return fromCollected(
    { command: 'request log', source: { kind: 'log', file }, startedAt: firstTime, durationMs: Math.round(collected.endMs - collected.originMs), stoppedBy: null },
    collected,
    { thresholds: results, exitCode, origin: 'recomputed' },
    { notes },
  );
}

/** `relaymon probe`: a few requests through one target, a row each, then the summary and thresholds. */
import type { RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RelaymonConfig } from '../config/schema.js';
import type { ProbeKind } from '../core/result.js';
import { probeSpec, withKind } from '../traffic/probes.js';
import { preference } from './preferences.js';
import { UsageError, type ExitCode } from '../core/errors.js';
import type { RequestSpec } from '../protocol/adapter.js';
import type { Threshold } from '../stats/thresholds.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import { queryFromResults } from '../stats/summary.js';
import { summarize } from '../stats/summary.js';
import { probeChecksText, probeHonestyText, probeJson, probeRow, probeRowsHeader, ROW_PREFIX_WIDTH, summaryText, thresholdLines } from '../export/probe-text.js';
import { checkOutputPath, contextInputs, processIo, refuseClobbering } from './io.js';
import type { TargetFlagValues } from './flags.js';
import type { MockServer } from '../mock/server.js';
import { budgetEndMessage } from '../traffic/budget.js';
import { budgetFrom, loadContext, priceFiles, runThresholds, withMaxInFlight } from './context.js';
import { runPipeline } from './pipeline.js';
import { assertCanSend } from '../core/can-send.js';
import { probeExitCode } from './outcome.js';
import { DEFAULT_PROBE_MODEL } from './defaults.js';

/** Snapshot period of a probe run: rows are printed from snapshots. */
const PROBE_TICK_MS = 50;

/** probe's flags, parsed by their declarations (cli/probe.ts). */
export interface ProbeFlags extends TargetFlagValues {
  log?: string;
  logBodies: boolean;
  budgetUsd?: number;
  model?: string;
  prompt?: string;
  kind?: ProbeKind;
  maxTokens?: number;
  stream?: boolean;
  requests: number;
  concurrency: number;
  maxInFlight?: number;
  threshold: string[];
  json?: boolean;
  color: boolean;
  demo?: boolean;
}

export async function runProbe(flags: ProbeFlags): Promise<ExitCode> {
  // -n, -c, --max-tokens and --model are parsed and checked by their flags (cli/probe.ts).
  const n = flags.requests;
  const concurrency = Math.min(n, flags.concurrency);
  // The simulated relay (src/mock, ~20 modules) is loaded for --demo only.
  const demo = flags.demo ? await (await import('../mock/server.js')).startMock({ scenario: 'healthy', jitter: true }) : null;
  try {
    return await probeWith(flags, n, concurrency, demo);
  } finally {
    await demo?.close();
  }
}

/** Flags win, then the config's probe for this target, then preferences, then small defaults; --kind rebuilds the probe as that kind. */
async function buildSpec(flags: ProbeFlags, config: RelaymonConfig | null, target: ResolvedTarget): Promise<RequestSpec> {
  const probes = Object.values(config?.probes ?? {});
  const configProbe = probes.find((p) => p.targets?.includes(target.name)) ?? probes.find((p) => !p.targets) ?? probes[0];
  const probe = configProbe ? withKind(configProbe, flags.kind) : null;
  return probeSpec({
    ...(probe ?? {}),
    model: flags.model ?? probe?.model ?? (await preference('defaultModel')) ?? DEFAULT_PROBE_MODEL[target.protocol],
    ...(probe === null && flags.kind !== undefined ? { kind: flags.kind } : {}),
    ...(flags.prompt !== undefined ? { prompt: flags.prompt, messages: undefined } : {}),
    ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
    stream: flags.stream ?? probe?.stream ?? true,
  });
}

/** A cache pair is two requests and is never split: -n rounds up to whole pairs. */
export function requestsFor(spec: RequestSpec, n: number): number {
  return spec.expect?.then ? 2 * Math.ceil(n / 2) : n;
}

async function probeWith(flags: ProbeFlags, n: number, concurrency: number, demo: MockServer | null): Promise<ExitCode> {
  checkOutputPath(flags.log, '--log');
  const io = processIo({ color: flags.color !== false && (await preference('color')) !== false });
  // The demo ignores config files and the environment: it must work on a fresh machine with nothing set.
  const ctx = demo ? await loadContext({ baseUrl: demo.url, config: undefined }, {}, { ignoreConfig: true, quiet: true }) : await loadContext(flags);
  // Thresholds are parsed once every secret is known, so an expression that echoes one is redacted.
  const thresholds: Threshold[] = runThresholds(ctx, flags.threshold);
  refuseClobbering(contextInputs(ctx, demo ? {} : flags), [{ flag: '--log', path: flags.log }]);
  const configured = withMaxInFlight(ctx.targets.slice(0, 1), flags.maxInFlight)[0];
  if (!configured) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');
  if (ctx.targets.length > 1 && !flags.json) {
    io.err(`probing target "${configured.name}" (configured: ${ctx.targets.map((t) => t.name).join(', ')}; choose with --target)\n`);
  }
  // The pool must hold every request in flight: one queued inside the client would count its wait as latency.
  // A cap the user chose (--max-in-flight, the config) is kept: -c above it runs that many at once.
  const workers = configured.concurrencyChosen === true ? Math.min(concurrency, configured.concurrency) : concurrency;
  const target = { ...configured, concurrency: Math.max(configured.concurrency, workers) };
  const spec = await buildSpec(flags, ctx.config, target);
  const requests = requestsFor(spec, n);

  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  const idWidth = io.stdoutIsTty ? Math.max(8, (process.stdout.columns || 80) - ROW_PREFIX_WIDTH - 1) : Infinity;
  assertCanSend(); // before the table's header: no header above an error that sends nothing
  if (!flags.json) {
    const kind = spec.expect ? `  kind ${spec.expect.kind}${spec.expect.then ? ` (${requests / 2} pair${requests === 2 ? '' : 's'}: ${requests} requests)` : ''}` : '';
    io.out(`relaymon probe → ${target.name} (${target.protocol}) ${target.baseUrl}  model ${spec.model}  ${spec.stream ? 'stream' : 'no-stream'}${kind}\n`);
    io.out(probeRowsHeader());
  }
  // A closed loop of `workers` over the one request, looped, -n of them (engine/closed-loop.ts), under probe's rules.
  const done: { seq: number; result: RequestResult }[] = [];
  const onResults = (results: readonly RequestResult[], seqs: readonly number[] | undefined): void => {
    results.forEach((r, i) => {
      const seq = seqs?.[i] ?? done.length + 1;
      done.push({ seq, result: r });
      if (!flags.json) io.out(probeRow(seq, r, io.color, idWidth));
    });
  };
  const { final, interrupted } = await runPipeline(
    {
      targets: [target],
      priceFiles: demo ? [] : priceFiles(ctx.config, flags.prices),
      plan: { kind: 'replay', entries: [{ line: 1, offsetMs: null, spec }], mode: { kind: 'closed', concurrency: workers }, loop: true, targets: [target.name] },
      stopAfter: { durationMs: null, requests },
      log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
      thresholds: [],
      budgetUsd,
      alerts: [],
      probeRules: true,
    },
    io,
    {
      command: 'probe',
      progress: false,
      emitResults: true,
      // Rows follow the answers closely; a probe has few requests, so frequent snapshots cost nothing.
      tickMs: PROBE_TICK_MS,
      // A stop (-n met, the budget) waits for the requests in flight as probe always has: until their own timeouts.
      graceMs: target.timeouts.totalMs,
      onSnapshot: (snap) => onResults(snap.results, snap.resultSeqs),
      // A probe draws nothing while it measures: its engine runs on this thread, and it starts no worker
      // (docs/architecture.md, "Threads"). --demo keeps the worker: its simulated relay answers from this thread.
      inProcess: demo === null,
    },
  );
  onResults(final.snapshot.results, final.snapshot.resultSeqs);
  const budgetEnd = budgetEndMessage('probe', final.stoppedBy, final.snapshot.spend);
  if (budgetEnd !== null) io.err(budgetEnd);
  const results = done.sort((a, b) => a.seq - b.seq).map((d) => d.result);
  const durationMs = final.measuredMs;
  const summary = summarize(results);
  const thresholdResults = evaluateThresholds(thresholds, queryFromResults(results, durationMs));

  if (flags.json) {
    io.out(JSON.stringify(probeJson(target.name, results, summary, thresholdResults), null, 2) + '\n');
  } else {
    // Under the header: a table with no rows would read as a probe still waiting.
    if (results.length === 0 && interrupted) io.out('(interrupted before any request was sent)\n');
    // The rows say what was sent; without this line the ones never sent would go unmentioned.
    else if (interrupted && results.length < requests) io.out(`(interrupted: ${requests - results.length} of ${requests} requests not sent)\n`);
    if (results.length > 1) io.out('\n' + summaryText(summary));
    const checks = probeChecksText(results, io.color);
    if (checks !== '') io.out('\n' + checks);
    const honesty = probeHonestyText(results, io.color);
    if (honesty !== '') io.out('\n' + honesty);
    if (thresholdResults.length > 0) io.out('\n' + thresholdLines(thresholdResults, io.color));
  }
  return probeExitCode(results, thresholdResults.every((t) => t.ok), interrupted, final.stoppedBy === 'budget' && results.length === 0);
}

/** `relaymon probe`: a few requests through one target, a row each, then the summary and thresholds. */
import type { RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RelaymonConfig } from '../config/schema.js';
import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from '../config/schema.js';
import { probeSpec } from '../traffic/probes.js';
import { getPreference } from '../config/preferences.js';
import { setMaxListeners } from 'node:events';
import { UsageError, type ExitCode } from '../core/errors.js';
import type { RequestSpec } from '../protocol/types.js';
import { RelayClient } from '../client/index.js';
import type { Threshold } from '../stats/thresholds.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import { queryFromResults } from '../stats/query.js';
import { summarize } from '../stats/summary.js';
import { probeHonestyText, probeJson, probeRow, probeRowsHeader, ROW_PREFIX_WIDTH, summaryText, thresholdLines } from '../export/probe-text.js';
import { contextInputs, processIo, refuseClobbering } from '../cli/io.js';
import { onInterrupt } from '../cli/signals.js';
import type { TargetFlagValues } from '../cli/options.js';
import { startMock, type MockServer } from '../mock/server.js';
import { SpendGuard, budgetStopMessage } from '../traffic/budget.js';
import { RequestLog } from '../export/request-log.js';
import { adapterFor } from '../protocol/index.js';
import { budgetFrom, loadContext, runThresholds, withMaxInFlight } from './context.js';
import { probeExitCode } from './outcome.js';
import { DEFAULT_PROBE_MODEL } from './defaults.js';

/** probe's flags, parsed by their declarations (cli/probe.ts). */
export interface ProbeFlags extends TargetFlagValues {
  log?: string;
  logBodies: boolean;
  budgetUsd?: number;
  model?: string;
  prompt?: string;
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
  const demo = flags.demo ? await startMock({ scenario: 'healthy', jitter: true }) : null;
  try {
    return await probeWith(flags, n, concurrency, demo);
  } finally {
    await demo?.close();
  }
}

/** Flags win, then the config's probe for this target, then preferences, then small defaults. */
function buildSpec(flags: ProbeFlags, config: RelaymonConfig | null, target: ResolvedTarget): RequestSpec {
  const probes = Object.values(config?.probes ?? {});
  const configProbe = probes.find((p) => p.targets?.includes(target.name)) ?? probes.find((p) => !p.targets) ?? probes[0];
  const base = configProbe ? probeSpec(configProbe) : null;
  return {
    model: flags.model ?? base?.model ?? getPreference('defaultModel') ?? DEFAULT_PROBE_MODEL[target.protocol],
    messages: flags.prompt !== undefined ? [{ role: 'user', content: flags.prompt }] : (base?.messages ?? [{ role: 'user', content: DEFAULT_PROBE_PROMPT }]),
    maxTokens: flags.maxTokens ?? base?.maxTokens ?? DEFAULT_PROBE_MAX_TOKENS,
    stream: flags.stream ?? base?.stream ?? true,
  };
}

async function probeWith(flags: ProbeFlags, n: number, concurrency: number, demo: MockServer | null): Promise<ExitCode> {
  const io = processIo({ color: flags.color !== false && getPreference('color') !== false });
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
  const spec = buildSpec(flags, ctx.config, target);

  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  const guard = new SpendGuard(budgetUsd, ctx.prices);
  let budgetStop: string | null = null;
  const log = flags.log ? RequestLog.open(flags.log, { logBodies: flags.logBodies }) : null;
  const body = log ? adapterFor(target.protocol).buildBody(spec) : null;
  const client = new RelayClient(ctx.prices);
  await client.prepare([spec.model]); // the counting worker loads its tables before the first send
  const abort = new AbortController();
  setMaxListeners(Math.max(10, concurrency + 1), abort.signal);
  let interrupted = false;
  const release = onInterrupt(() => {
    interrupted = true;
    abort.abort();
  });

  const startedAt = performance.now();
  const results: RequestResult[] = [];
  const idWidth = io.stdoutIsTty ? Math.max(8, (process.stdout.columns || 80) - ROW_PREFIX_WIDTH - 1) : Infinity;
  if (!flags.json) {
    io.out(`relaymon probe → ${target.name} (${target.protocol}) ${target.baseUrl}  model ${spec.model}  ${spec.stream ? 'stream' : 'no-stream'}\n`);
    io.out(probeRowsHeader());
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!interrupted && budgetStop === null && next < n) {
      const admitted = guard.admit(target, spec);
      if (!admitted.ok) {
        budgetStop = admitted.reason;
        break;
      }
      const index = next++;
      const r = await client.execute(target, spec, { signal: abort.signal, probe: null });
      guard.settle(admitted.reservedUsd, r.costUsd);
      results[index] = r;
      log?.write({ t: r.startedAt - wallStart, time: new Date(r.startedAt).toISOString(), target: r.target, probe: null, protocol: r.protocol, body: body ?? undefined, result: r });
      if (!flags.json) io.out(probeRow(index + 1, r, io.color, idWidth));
    }
  };
  const wallStart = Date.now();
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    release();
    log?.close();
    await client.close();
  }
  if (budgetStop !== null) io.err(budgetStopMessage('probe', { spentUsd: guard.spentUsd(), budgetUsd, refusal: budgetStop }));
  const done = results.filter((r): r is RequestResult => r !== undefined);
  const durationMs = performance.now() - startedAt;
  const summary = summarize(done);
  const thresholdResults = evaluateThresholds(thresholds, queryFromResults(done, durationMs));

  if (flags.json) {
    io.out(JSON.stringify(probeJson(target.name, done, summary, thresholdResults), null, 2) + '\n');
  } else {
    if (done.length > 1) io.out('\n' + summaryText(summary));
    const honesty = probeHonestyText(done, io.color);
    if (honesty !== '') io.out('\n' + honesty);
    if (thresholdResults.length > 0) io.out('\n' + thresholdLines(thresholdResults, io.color));
  }
  return probeExitCode(done, thresholdResults.every((t) => t.ok), interrupted, budgetStop !== null && done.length === 0);
}

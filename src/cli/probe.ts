import { Option, type Command } from 'commander';
import type { Protocol, RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RelaymonConfig } from '../config/schema.js';
import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from '../config/schema.js';
import { probeSpec } from '../traffic/probes.js';
import { getPreference } from '../config/preferences.js';
import { setMaxListeners } from 'node:events';
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import { parsePositiveInt } from '../core/units.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { RelayClient } from '../client/index.js';
import type { Threshold } from '../stats/thresholds.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import { queryFromResults } from '../stats/query.js';
import { summarize } from '../stats/summary.js';
import { probeHonestyText, probeJson, probeRow, probeRowsHeader, ROW_PREFIX_WIDTH, summaryText, thresholdLines } from '../export/probe-text.js';
import { addTargetOptions, budgetFrom, contextInputs, loadContext, MAX_IN_FLIGHT_HELP, runThresholds, withMaxInFlight, type TargetFlagValues } from './context.js';
import { processIo, refuseClobbering } from './io.js';
import { onInterrupt } from './signals.js';
import { startMock, type MockServer } from '../mock/server.js';
import { SpendGuard, budgetStopMessage } from '../traffic/budget.js';
import { RequestLog } from '../export/request-log.js';
import { adapterFor } from '../protocol/index.js';

interface ProbeFlags extends TargetFlagValues {
  log?: string;
  logBodies: boolean;
  budgetUsd?: string;
  model?: string;
  prompt?: string;
  maxTokens?: string;
  stream?: boolean;
  requests: string;
  concurrency: string;
  maxInFlight?: string;
  threshold: string[];
  json?: boolean;
  color: boolean;
  demo?: boolean;
}

/** Small, cheap models: a probe through a paid relay costs the user money. */
export const DEFAULT_PROBE_MODEL: Record<Protocol, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5' };

export function registerProbe(program: Command): void {
  const cmd = program
    .command('probe')
    .description('send a few requests through a relay and show what each cost in time and money')
    .option('-m, --model <model>', `model to ask for (default: the config's probe, your defaultModel preference, else ${DEFAULT_PROBE_MODEL.openai} / ${DEFAULT_PROBE_MODEL.anthropic})`)
    .option('--prompt <text>', `the user message (default: the config's probe, else "${DEFAULT_PROBE_PROMPT}")`)
    .option('--max-tokens <n>', `max_tokens of each request; keep it small, probes cost money (default: the config's probe, else ${DEFAULT_PROBE_MAX_TOKENS})`)
    .option('--stream', 'stream the response (the default)')
    .option('--no-stream', 'ask for one whole JSON response instead')
    .option('-n, --requests <n>', 'how many requests', '1')
    .option('-c, --concurrency <n>', 'requests in flight at once', '1')
    .option('--max-in-flight <n>', `${MAX_IN_FLIGHT_HELP}; -c above it waits for a free slot`)
    .addOption(new Option('--threshold <expr>', 'k6-style check, repeatable, e.g. "ttft:p(95)<800" (config thresholds apply too)').argParser(collect).default([], 'none'))
    .option('--json', 'print one JSON object {target, requests, summary, thresholds} instead of text')
    .option('--demo', 'probe a built-in simulated relay started in-process (no key, no config, no cost)')
    .option('--budget-usd <usd>', 'never send a request whose worst-case cost would take the spend over this many USD (above 0)')
    .option('--log <file>', 'write one JSON line per request to FILE, afresh (the request log; replayable)')
    .option('--no-log-bodies', 'leave prompts out of the log')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
  addTargetOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  relaymon probe --demo -n 8                           # the built-in simulated relay, in-process
  relaymon mock --port 8787 &                          # a simulated relay, no key needed
  relaymon probe --base-url http://127.0.0.1:8787/v1 -n 5
  OPENAI_BASE_URL=https://relay.example/v1 OPENAI_API_KEY=... relaymon probe --model gpt-4o
  relaymon probe --protocol anthropic --model claude-haiku-4-5   # ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY
  relaymon probe -t relay -n 20 -c 4 --threshold "ttft:p(95)<800" --json

itl and tok/s cover the visible answer (not the reasoning): itl = (last − first visible
token) / (visible tokens − 1), tok/s = 1000 × (visible tokens − 1) / (last − first visible
token), none for a one-token or buffered answer. The summary's timings are over successful
requests only; failures count in errors.

Exit codes: 0 all requests ok and thresholds hold; 1 a request failed or a threshold
was breached; 2 bad usage or config, or an output not written; 3 no request got an HTTP answer; 130 interrupted.`,
  );
  cmd.action(async (flags: ProbeFlags) => {
    process.exitCode = await runProbe(flags);
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function runProbe(flags: ProbeFlags): Promise<ExitCode> {
  const n = parsePositiveInt(flags.requests, '--requests');
  const concurrency = Math.min(n, parsePositiveInt(flags.concurrency, '--concurrency'));
  if (flags.maxTokens !== undefined) parsePositiveInt(flags.maxTokens, '--max-tokens');
  if (flags.model !== undefined && flags.model.trim() === '') throw new UsageError('--model must name a model');
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
    maxTokens: flags.maxTokens !== undefined ? Number(flags.maxTokens) : (base?.maxTokens ?? DEFAULT_PROBE_MAX_TOKENS),
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

/** `refusedAll`: the spend guard refused the first request, so none ran: a vacuous pass is a failure. (A budget that stops probing part-way has done its job.) */
export function probeExitCode(results: readonly RequestResult[], thresholdsOk: boolean, interrupted: boolean, refusedAll: boolean): ExitCode {
  if (interrupted) return EXIT.interrupted;
  if (results.length > 0 && results.every((r) => r.httpStatus === null)) return EXIT.unreachable;
  if (!thresholdsOk || refusedAll || results.some((r) => !r.ok)) return EXIT.failed;
  return EXIT.ok;
}

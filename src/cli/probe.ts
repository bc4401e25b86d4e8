import { Option, type Command } from 'commander';
import type { RequestResult } from '../core/result.js';
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import { parsePositiveInt } from '../core/units.js';
import type { RequestSpec } from '../protocol/types.js';
import { RelayClient } from '../client/index.js';
import { parseThreshold } from '../stats/thresholds-parse.js';
import type { Threshold } from '../stats/thresholds.js';
import { evaluateThresholds } from '../stats/thresholds.js';
import { queryFromResults } from '../stats/query.js';
import { summarize } from '../stats/summary.js';
import { probeJson, probeRow, probeRowsHeader, summaryText, thresholdLines } from '../export/probe-text.js';
import { addTargetOptions, loadContext, type TargetFlagValues } from './context.js';
import { processIo } from './io.js';
import { onInterrupt } from './signals.js';
import { startMock, type MockServer } from '../mock/server.js';

interface ProbeFlags extends TargetFlagValues {
  model?: string;
  prompt: string;
  maxTokens: string;
  stream: boolean;
  requests: string;
  concurrency: string;
  threshold: string[];
  json?: boolean;
  color: boolean;
  demo?: boolean;
}

export const DEFAULT_PROBE_MODEL = 'gpt-4o-mini';
export const DEFAULT_PROMPT = 'Reply with OK';
export const DEFAULT_MAX_TOKENS = 16;

export function registerProbe(program: Command): void {
  const cmd = program
    .command('probe')
    .description('send a few requests through a relay and show what each cost in time and money')
    .option('-m, --model <model>', `model to ask for (default: the config's first probe, else ${DEFAULT_PROBE_MODEL})`)
    .option('--prompt <text>', 'the user message', DEFAULT_PROMPT)
    .option('--max-tokens <n>', 'max_tokens of each request (keep it small: probes cost money)', String(DEFAULT_MAX_TOKENS))
    .option('--stream', 'stream the response (default)', true)
    .option('--no-stream', 'ask for one whole JSON response instead')
    .option('-n, --requests <n>', 'how many requests', '1')
    .option('-c, --concurrency <n>', 'requests in flight at once', '1')
    .addOption(new Option('--threshold <expr>', 'k6-style check, repeatable, e.g. "ttft:p(95)<800"').argParser(collect).default([]))
    .option('--json', 'print one JSON object {target, requests, summary, thresholds} instead of text')
    .option('--demo', 'probe a built-in simulated relay started in-process (no key, no config, no cost)')
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

Exit codes: 0 all requests ok and thresholds hold; 1 a request failed or a threshold
was breached; 2 bad usage or config; 3 no request got an HTTP answer; 130 interrupted.`,
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
  const maxTokens = parsePositiveInt(flags.maxTokens, '--max-tokens');
  const thresholds: Threshold[] = flags.threshold.map((t) => parseThreshold(t));
  const demo = flags.demo ? await startMock({ scenario: 'healthy', jitter: true }) : null;
  try {
    return await probeWith(flags, { n, concurrency, maxTokens, thresholds }, demo);
  } finally {
    await demo?.close();
  }
}

interface ProbePlan {
  n: number;
  concurrency: number;
  maxTokens: number;
  thresholds: Threshold[];
}

async function probeWith(flags: ProbeFlags, plan: ProbePlan, demo: MockServer | null): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  const { n, concurrency, maxTokens, thresholds } = plan;
  // The demo ignores config files and the environment: it must work on a fresh machine with nothing set.
  const ctx = demo ? await loadContext({ baseUrl: demo.url, config: undefined }, {}, { ignoreConfig: true }) : await loadContext(flags);
  const target = ctx.targets[0];
  if (!target) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');
  if (ctx.targets.length > 1 && !flags.json) {
    io.err(`probing target "${target.name}" (configured: ${ctx.targets.map((t) => t.name).join(', ')}; choose with --target)\n`);
  }
  const configProbe = ctx.config?.probes ? Object.values(ctx.config.probes)[0] : undefined;
  const model = flags.model ?? configProbe?.model ?? DEFAULT_PROBE_MODEL;
  const spec: RequestSpec = {
    model,
    messages: [{ role: 'user', content: flags.prompt }],
    maxTokens,
    stream: flags.stream,
  };

  const client = new RelayClient(ctx.prices);
  const abort = new AbortController();
  let interrupted = false;
  const release = onInterrupt(() => {
    interrupted = true;
    abort.abort();
  });

  const startedAt = performance.now();
  const results: RequestResult[] = [];
  if (!flags.json) {
    io.out(`relaymon probe → ${target.name} (${target.protocol}) ${target.baseUrl}  model ${model}  ${spec.stream ? 'stream' : 'no-stream'}\n`);
    io.out(probeRowsHeader());
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!interrupted && next < n) {
      const index = next++;
      const r = await client.execute(target, spec, { signal: abort.signal, probe: null });
      results[index] = r;
      if (!flags.json) io.out(probeRow(index + 1, r, io.color));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    release();
    await client.close();
  }
  const done = results.filter((r): r is RequestResult => r !== undefined);
  const durationMs = performance.now() - startedAt;
  const summary = summarize(done);
  const thresholdResults = evaluateThresholds(thresholds, queryFromResults(done, durationMs));

  if (flags.json) {
    io.out(JSON.stringify(probeJson(target.name, done, summary, thresholdResults), null, 2) + '\n');
  } else {
    if (done.length > 1) io.out('\n' + summaryText(summary));
    if (thresholdResults.length > 0) io.out('\n' + thresholdLines(thresholdResults, io.color));
  }
  return probeExitCode(done, thresholdResults.every((t) => t.ok), interrupted);
}

export function probeExitCode(results: readonly RequestResult[], thresholdsOk: boolean, interrupted: boolean): ExitCode {
  if (interrupted) return EXIT.interrupted;
  if (results.length > 0 && results.every((r) => r.httpStatus === null)) return EXIT.unreachable;
  if (!thresholdsOk || results.some((r) => !r.ok)) return EXIT.failed;
  return EXIT.ok;
}

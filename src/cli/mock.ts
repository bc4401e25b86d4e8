import type { Command } from 'commander';
import { EXIT, UsageError } from '../core/errors.js';
import { MANGLE_HELP, SWITCHES } from '../mock/faults.js';
import { describeMockOptions, parseMockFlags, type MockFlags } from '../mock/flags.js';
import { resolveMockOptions, SCENARIOS, SCENARIO_NAMES, type MockOptions } from '../mock/options.js';
import type { MockServer } from '../mock/server.js';

const HELP = `
Routes:
  POST /v1/chat/completions   OpenAI Chat Completions, streaming and not
  POST /v1/messages           Anthropic Messages, streaming and not
  POST /v1/responses          OpenAI Responses API, streaming and not (also POST /responses)
  GET  /v1/models             a model list (gpt-4o, gpt-4.1, claude-sonnet-4-5, ...)
  GET  /__relaymon/stats      requests counted by route and outcome, as JSON

Scenarios (--scenario; explicit flags override what a scenario sets):
${SCENARIO_NAMES.map((n) => `  ${n.padEnd(12)}${SCENARIOS[n].description}`).join('\n')}

A staged incident (--incident-at D --incident-for D, both counted from the mock's start):
requests arriving during it get the overloaded scenario's slow TTFT (~800 ms, jittered) and
30% errors (503/529 overloaded and in-stream overloaded_error; no 429s); before and after it
the mock answers as configured. --seed makes it reproducible. For canary tests of
\`relaymon replay --split ... --ramp ... --abort-on-fail\`.

Faults on demand: send the request header x-mock-fault with one of
  stall              pause mid-stream for --stall-ms
  reset              drop the connection mid-stream (TCP reset)
  truncate           end the stream cleanly, without [DONE] / message_stop
  error              HTTP 500
  overloaded         HTTP 529 (Anthropic route) or 503 (OpenAI route), overloaded_error body
  rate-limit         HTTP 429 with retry-after: 1
  stream-overloaded  an overloaded_error event inside a 200 stream
  html               an HTML error page with status 200
  slow-first-token   the first token comes --stall-ms later than usual

What every route understands (all three protocols):
  tools + tool_choice       the first (or the forced) tool is called, arguments generated from
                            its JSON schema and streamed in fragments; a user turn with tools
                            offered is enough (tool_choice none / a tool result: plain text)
  structured output         response_format / text.format json_schema (Anthropic: a forced tool)
                            is answered with JSON valid against the schema
  reasoning                 reasoning_effort / reasoning.effort / thinking: --tokens words of
                            reasoning stream first, reported as reasoning tokens
  prompt caching            a repeated prompt prefix (everything before the last message) of
                            >= 1,024 tokens, estimated as characters/4, reports cached tokens
                            (Anthropic: only with cache_control; the first request reports the write)
  max_tokens                honoured: finish reason length / max_tokens / response.incomplete
  bad requests              HTTP 400 with the protocol's JSON error
  x-relaymon-conform: stream-error
                            fails a stream mid-way with the protocol's in-band error and answers
                            with header x-relaymon-mock-injected: stream-error
--tokens sets plain answers; tool arguments and JSON answers are as long as their schema needs.
--fingerprint-every applies to Chat Completions only: the other two have no system_fingerprint.

Durations take ms or a unit (200, 200ms, 1.5s); rates take a fraction or a percentage (0.05, 5%).
The first line on stdout is "listening on http://HOST:PORT/v1"; --port 0 picks a free port.

Examples:
  relaymon mock --port 8080
  relaymon mock --port 8080 --ttft 300 --itl 25 --tokens 64 --jitter
  relaymon mock --scenario flaky --seed 42
  relaymon mock --scenario overloaded --error-rate 0.5
  relaymon mock --status 401                                    # every request refused
  relaymon mock --ttft 50 --incident-at 2m --incident-for 5m    # healthy, then 5 minutes of overload
  relaymon mock --inflate-usage 1.3 --serve-model gpt-4o-mini   # a dishonest relay
  relaymon mock --drop-usage 10% --fingerprint-every 50         # a sloppy one
  relaymon mock --buffer-stream --mangle-tool-calls index       # a relay conform should fail
  curl -N http://127.0.0.1:8080/v1/responses \\
    -d '{"model":"gpt-4o","stream":true,"input":"hi","reasoning":{"effort":"low"}}'
  curl -N http://127.0.0.1:8080/v1/chat/completions -H 'x-mock-fault: truncate' \\
    -d '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}'
  OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=x relaymon probe --model gpt-4o
`;

export interface MockIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Aborted when the mock should stop (SIGINT/SIGTERM in the CLI). */
  signal: AbortSignal;
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
};

/** Runs a mock until io.signal aborts, then closes it. */
export async function runMock(knobs: Partial<MockOptions>, io: MockIo): Promise<void> {
  const opts = resolveMockOptions(knobs);
  // Loaded here, not at the top: registering commands must not load the simulated relay (relaymon --help).
  const { startMock } = await import('../mock/server.js');
  let server: MockServer;
  try {
    server = await startMock(opts);
  } catch (err) {
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
    const why = LISTEN_ERRORS[code];
    if (why) throw new UsageError(`mock: cannot listen on ${opts.host}:${opts.port}: ${why}`, { cause: err });
    throw err;
  }
  io.stdout.write(`listening on ${server.url}\n`);
  io.stderr.write(`${describeMockOptions(opts)}\n`);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
}

export function registerMock(program: Command): void {
  const cmd = program
    .command('mock')
    .description('run a simulated OpenAI/Anthropic relay with tunable latency, errors and faults')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = a free port)', '0')
    .option('--ttft <ms>', 'time to first token (default 200)')
    .option('--itl <ms>', 'time between tokens (default 20)')
    .option('--tokens <n>', 'tokens per response (default 16; lower if the request asks fewer)')
    .option('--jitter', 'draw TTFT and gaps from a lognormal around --ttft/--itl')
    .option('--no-jitter', 'use --ttft and --itl exactly, even in a scenario')
    .option('--error-rate <f>', 'fraction of requests answered with an error (default 0)')
    .option('--status <code>', 'answer every request with this HTTP status (400-599)')
    .option('--scenario <name>', `a realistic mix: ${SCENARIO_NAMES.join(', ')}`)
    .option('--inflate-usage <f>', 'factor on reported completion tokens (1 = honest)')
    .option('--serve-model <name>', 'claim this model in responses, whatever was asked')
    .option('--drop-usage <f>', 'fraction of answers that leave usage out, even when asked (default 0)')
    .option('--fingerprint-every <n>', 'a new system_fingerprint every N answers (default 0: never changes)')
    .option('--stall-rate <f>', 'fraction of streams that pause mid-way (default 0)')
    .option('--stall-ms <ms>', 'how long a stall lasts (default 2000)')
    .option('--reset-rate <f>', 'fraction of streams whose connection is reset mid-way (default 0)')
    .option('--truncate-rate <f>', 'fraction of streams that end without a terminator (default 0)')
    .option('--seed <n>', 'seed for delays and faults, for a reproducible run')
    .option('--incident-at <d>', 'stage an incident this long after the mock starts (with --incident-for), e.g. 30s')
    .option('--incident-for <d>', 'how long the incident lasts, e.g. 1m; before and after it the mock is as configured');
  // The protocol misbehaviours, one per `relaymon conform` check they fail (mock/faults.ts).
  for (const s of SWITCHES) cmd.option(s.flag, s.help);
  cmd
    .option('--mangle-tool-calls <what>', MANGLE_HELP)
    .addHelpText('after', HELP)
    .action(async (flags: MockFlags) => {
      const knobs = parseMockFlags(flags);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runMock(knobs, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      // A mock runs until it is stopped; stopped by a signal it exits as every command does (docs/contracts.md "Exit codes").
      if (controller.signal.aborted) process.exitCode = EXIT.interrupted;
    });
}

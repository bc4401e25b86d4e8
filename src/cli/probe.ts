import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from '../config/defaults.js';
import { DEFAULT_PROBE_MODEL } from '../run/defaults.js';
import type { ProbeFlags } from '../run/probe.js';
import { addTargetOptions, budgetOption, KIND_HELP, kindOption, MAX_IN_FLIGHT_HELP, maxInFlightOption } from './options.js';
import { collect, positiveInt } from './parsers.js';

/** --model: a model name, not blank. */
function modelName(value: string): string {
  if (value.trim() === '') throw new UsageError('--model must name a model');
  return value;
}

export function registerProbe(program: Command): void {
  const cmd = program
    .command('probe')
    .description('send a few requests through a relay and show what each cost in time and money')
    .addOption(new Option('-m, --model <model>', `model to ask for (default: the config's probe, your defaultModel preference, else ${DEFAULT_PROBE_MODEL.openai} / ${DEFAULT_PROBE_MODEL.anthropic})`).argParser(modelName))
    .option('--prompt <text>', `the user message (default: the config's probe, else "${DEFAULT_PROBE_PROMPT}" or the kind's own question)`)
    .addOption(kindOption())
    .addOption(new Option('--max-tokens <n>', `max_tokens of each request; keep it small, probes cost money (default: the config's probe, else ${DEFAULT_PROBE_MAX_TOKENS})`).argParser(positiveInt('--max-tokens')))
    .option('--stream', 'stream the response (the default)')
    .option('--no-stream', 'ask for one whole JSON response instead')
    .addOption(new Option('-n, --requests <n>', 'how many requests (--kind cache: rounded up to whole pairs)').argParser(positiveInt('--requests')).default(1, '"1"'))
    .addOption(new Option('-c, --concurrency <n>', 'requests in flight at once').argParser(positiveInt('--concurrency')).default(1, '"1"'))
    .addOption(maxInFlightOption(`${MAX_IN_FLIGHT_HELP}; -c above it waits for a free slot`))
    .addOption(new Option('--threshold <expr>', 'k6-style check, repeatable, e.g. "ttft:p(95)<800" (config thresholds apply too)').argParser(collect).default([], 'none'))
    .option('--json', 'print one JSON object {target, requests, summary, thresholds} instead of text')
    .option('--demo', 'probe a built-in simulated relay started in-process (no key, no config, no cost)')
    .addOption(budgetOption())
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
  relaymon probe --protocol openai-responses --model gpt-5-mini  # POST /responses; OPENAI_BASE_URL / OPENAI_API_KEY
  relaymon probe -t relay -n 20 -c 4 --threshold "ttft:p(95)<800" --json
  relaymon probe --kind tools --model gpt-4o-mini                # does the relay pass tool-call deltas intact?
  relaymon probe --kind cache -n 4 --json                        # two pairs: are cached tokens reported?
  relaymon probe --kind long --protocol anthropic               # is a ~4,000-token prompt billed in full?

${KIND_HELP}

itl and tok/s cover the visible answer (not the reasoning): itl = (last − first visible
token) / (visible tokens − 1), tok/s = 1000 × (visible tokens − 1) / (last − first visible
token), none for a one-token or buffered answer. The summary's timings are over successful
requests only; failures count in errors.

Exit codes: 0 all requests ok, their checks passed and thresholds hold; 1 a request
failed, a check failed or a threshold was breached; 2 bad usage or config, or an output not written; 3 no request got an HTTP answer; 130 interrupted.`,
  );
  cmd.action(async (flags: ProbeFlags) => {
    // Loaded here, not at the top: registering commands must not load the client (relaymon --help, mock).
    const { runProbe } = await import('../run/probe.js');
    process.exitCode = await runProbe(flags);
  });
}

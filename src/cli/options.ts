/**
 * Flags shared by the commands that send traffic, declared with their parsers
 * and conflicts (commander's Option API). Cheap to load: registering commands
 * must not load the engine, the client or the dashboard.
 */
import { Option, type Command } from 'commander';
import { PROTOCOLS } from '../core/result.js';
import { DEFAULT_PROBE_MAX_TOKENS, DEFAULT_PROBE_PROMPT } from '../config/defaults.js';
import { DEFAULT_CHECK_DURATION } from '../run/defaults.js';
import { budgetUsd, positiveDuration, positiveInt, probeKind, rate } from './parsers.js';

export type { ScheduleFlagValues, TargetFlagValues } from '../run/flags.js';

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default: relaymon.config.yaml|yml|json here, or $RELAYMON_CONFIG)')
    .option('-t, --target <name>', 'a target named in the config file')
    .option('--base-url <url>', 'relay URL up to and including the version segment, e.g. https://relay.example/v1 (a pasted …/chat/completions is trimmed; an Anthropic URL gets its /v1)')
    .addOption(new Option('--protocol <protocol>', 'wire protocol').choices([...PROTOCOLS]))
    .option('--api-key-env <name>', 'environment variable holding the key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)')
    .option('--api-key-header <name>', 'header carrying the key, e.g. api-key for Azure (default by protocol)')
    .addOption(new Option('--timeout <duration>', 'total timeout per request, e.g. 30s or 30000 (ms)').argParser(positiveDuration('--timeout')))
    .option('--prices <file>', 'LiteLLM-format price JSON applied on top of the built-in table');
}

export const MAX_IN_FLIGHT_HELP = 'most requests in flight to each target at once (default: targets.NAME.concurrency, else 8)';

/** --max-in-flight N, a whole number above 0. */
export function maxInFlightOption(description: string = MAX_IN_FLIGHT_HELP): Option {
  return new Option('--max-in-flight <n>', description).argParser(positiveInt('--max-in-flight'));
}

/** --kind: what the probes ask beyond plain text; the kinds' defaults are in traffic/kinds.ts. */
export function kindOption(): Option {
  return new Option('--kind <kind>', 'probe kind: text, tools, json, cache, reasoning or long (overrides the config\'s probes too; a cache probe is a pair of requests)').argParser(probeKind);
}

/** What each kind asks and checks, for --help. */
export const KIND_HELP = `Probe kinds (--kind, or probes.NAME.kind): text (default) plain text; tools a
function the model must call (checks tool_called, tool_call_id_stable,
tool_call_index_consistent, tool_args_json, tool_args_schema); json structured
output (json_parses, json_schema_valid); cache the same ~1,200-token prefix sent
twice, a pair that counts as two requests (cache_reported on the second);
reasoning (reasoning_reported, content_after_reasoning); long a ~4,000-token
prompt (input_not_truncated). A failed check leaves the request ok; it shows in
"checks" (docs/contracts.md "Probe checks").`;

/** --budget-usd, dollars above 0. */
export function budgetOption(): Option {
  return new Option('--budget-usd <usd>', 'never send a request whose worst-case cost would take the spend over this many USD (above 0)').argParser(budgetUsd);
}

/** Lets --target repeat and take comma-separated names: each line or probe goes to each target. */
export function allowManyTargets(cmd: Command, description: string): void {
  const option = cmd.options.find((o) => o.long === '--target');
  if (!option) return;
  option.description = description;
  // Empty pieces are kept: resolveTargets (config/targets.ts) refuses them, where -t "" once meant every target.
  option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',')]);
}

/** Traffic flags shared by the commands that run probes on a schedule (check, watch, compare). */
export function addScheduleOptions(cmd: Command, opts: { durationDefault?: string } = {}): Command {
  const duration = opts.durationDefault ?? `${DEFAULT_CHECK_DURATION} unless --requests`;
  return cmd
    .addOption(new Option('-d, --duration <d>', `how long to run, e.g. 60s, 5m (default ${duration})`).argParser(positiveDuration('--duration')))
    .addOption(new Option('-n, --requests <n>', 'stop after sending this many requests to each target').argParser(positiveInt('--requests')))
    .addOption(maxInFlightOption())
    .option('-m, --model <model>', 'probe this model with one small probe per target, instead of the config\'s probes')
    .option('--prompt <text>', `probe prompt (default "${DEFAULT_PROBE_PROMPT}"; overrides the config's probes too)`)
    .addOption(kindOption())
    .addOption(new Option('--max-tokens <n>', `max_tokens per probe (default ${DEFAULT_PROBE_MAX_TOKENS}; overrides the config's probes too)`).argParser(positiveInt('--max-tokens')))
    .option('--no-stream', 'probe without streaming (the config\'s probes too)')
    .addOption(new Option('--every <d>', 'one probe per target every D, e.g. 2s (default 1s when the config has no probes)').argParser(positiveDuration('--every')).conflicts('rate'))
    .addOption(new Option('--rate <r>', 'Poisson probe arrivals per target instead, e.g. 2/s').argParser(rate()))
    .addOption(budgetOption())
    .option('--dry-run', 'print what would be sent and its cost per hour; send and write nothing')
    .option('--log <file>', 'write one JSON line per request to FILE, afresh (the request log)')
    .option('--no-log-bodies', 'leave prompts out of the log')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
}

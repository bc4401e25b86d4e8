import { Option, type Command } from 'commander';
import { PROTOCOLS, type Protocol } from '../core/result.js';
import { UsageError } from '../core/errors.js';
import { CHECK_SUMMARY, CONFORM_CHECKS } from '../conform/checks.js';
import { defaultReasoningModel } from '../conform/defaults.js';
import { DEFAULT_PROBE_MODEL } from '../run/defaults.js';
import type { ConformFlags } from '../run/conform.js';
import { addTargetOptions, allowManyTargets, budgetOption } from './options.js';
import { collect } from './parsers.js';
import { reportOption } from './report.js';

/** --protocol for conform: repeatable or comma-separated, each one of PROTOCOLS. */
function protocols(value: string, previous: Protocol[] | undefined): Protocol[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const out = [...(previous ?? [])];
  for (const n of names) {
    const p = PROTOCOLS.find((x) => x === n);
    if (p === undefined) throw new UsageError(`--protocol: unknown protocol "${n}"; one of: ${PROTOCOLS.join(', ')}`);
    out.push(p);
  }
  if (out.length === 0) throw new UsageError(`--protocol needs a protocol: ${PROTOCOLS.join(', ')}`);
  return out;
}

function modelName(flag: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new UsageError(`${flag} must name a model`);
    return value;
  };
}

export function registerConform(program: Command): void {
  const cmd = program
    .command('conform')
    .description('check that a relay keeps to the protocol: usage, model, stream framing, tool calls, caching, reasoning, errors');
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated (default: all)');
  const protocolOption = cmd.options.find((o) => o.long === '--protocol');
  if (protocolOption) {
    protocolOption.description = `protocol(s) to check, repeatable or comma-separated (${PROTOCOLS.join(', ')}); overrides the config's protocols`;
    protocolOption.argChoices = undefined;
    protocolOption.argParser(protocols);
  }
  cmd
    .addOption(new Option('--only <checks>', 'run only these checks (comma-separated, repeatable)').argParser(collect).default([], 'all'))
    .addOption(new Option('--skip <checks>', 'leave these checks out (comma-separated, repeatable)').argParser(collect).default([], 'none'))
    .addOption(new Option('-m, --model <model>', `model of every request but the reasoning one (default: the config's probe, else ${DEFAULT_PROBE_MODEL.openai} / ${DEFAULT_PROBE_MODEL.anthropic})`).argParser(modelName('--model')))
    .addOption(new Option('--reasoning-model <model>', `model of the reasoning request (default ${defaultReasoningModel('openai')} / ${defaultReasoningModel('anthropic')})`).argParser(modelName('--reasoning-model')))
    .option('--json', 'print the report as JSON (schema/conform.schema.json) instead of text')
    .option('--junit <file>', 'write a JUnit XML report (one testsuite per target, one testcase per check × protocol)')
    .addOption(reportOption())
    .addOption(budgetOption())
    .option('--dry-run', 'list the requests it would send and their worst-case cost; send nothing')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
  cmd.addHelpText(
    'after',
    `
Checks (one row per check × protocol: ✓ pass, ✗ fail, – n/a):
${CONFORM_CHECKS.map((c) => `  ${c.padEnd(22)} ${CHECK_SUMMARY[c]}`).join('\n')}

About a dozen small requests per protocol (a ~4,300-token prefix twice for
cache_reported, up to 1,536 tokens for the reasoning one); the worst-case cost
is printed on stderr before anything is sent. n/a means the check could not be
judged: not sent (--only/--skip, the budget), its request failed (HTTP 429/5xx,
no answer), or what it needs was missing for another check's reason (no usage
at all: see usage_present). Exit 1 on any fail, or when the budget refused
every request (nothing was checked); 3 when nothing answered.

Examples:
  relaymon mock --port 8787 &                               # a simulated relay, no key needed
  relaymon conform --base-url http://127.0.0.1:8787/v1 --protocol openai,openai-responses,anthropic
  relaymon conform -t relay                                 # the config's protocols: [openai, openai-responses]
  relaymon conform -t relay --only usage_present,model_echo --json
  relaymon conform --skip reasoning_passthrough,cache_reported --junit conform.xml --budget-usd 0.05
  relaymon conform --dry-run                                # what it would send and the worst case

Exit codes: 0 no check failed, 1 a check failed, 2 bad usage/config or an output not written,
3 no request got an HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (flags: ConformFlags) => {
    // Loaded here, not at the top: registering commands must not load the client (relaymon --help, mock).
    const { runConform } = await import('../run/conform.js');
    process.exitCode = await runConform(flags);
  });
}

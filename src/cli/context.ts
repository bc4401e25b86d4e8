import { Option, type Command } from 'commander';
import type { ResolvedTarget } from '../core/target.js';
import { PROTOCOLS, type Protocol } from '../core/result.js';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { parseDuration, parsePositiveInt } from '../core/units.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { RelaymonConfig } from '../config/schema.js';
import { resolveTargets } from '../config/targets.js';
import { PriceTable } from '../pricing/table.js';
import { loadPricesFile } from '../pricing/load.js';
import { checkThresholdTargets, parseThreshold, parseThresholdMap } from '../stats/thresholds-parse.js';
import type { InputFile } from './io.js';
import type { Threshold } from '../stats/thresholds.js';

/** Flags shared by every command that talks to a target. */
export interface TargetFlagValues {
  config?: string;
  target?: string;
  baseUrl?: string;
  protocol?: Protocol;
  apiKeyEnv?: string;
  apiKeyHeader?: string;
  timeout?: string;
  prices?: string;
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default: relaymon.config.yaml|yml|json here, or $RELAYMON_CONFIG)')
    .option('-t, --target <name>', 'a target named in the config file')
    .option('--base-url <url>', 'relay URL up to and including the version segment, e.g. https://relay.example/v1 (a pasted …/chat/completions is trimmed; an Anthropic URL gets its /v1)')
    .addOption(new Option('--protocol <protocol>', 'wire protocol').choices([...PROTOCOLS]))
    .option('--api-key-env <name>', 'environment variable holding the key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)')
    .option('--api-key-header <name>', 'header carrying the key, e.g. api-key for Azure (default by protocol)')
    .option('--timeout <duration>', 'total timeout per request, e.g. 30s or 30000 (ms)')
    .option('--prices <file>', 'LiteLLM-format price JSON applied on top of the built-in table');
}

export interface RunContext {
  config: RelaymonConfig | null;
  configPath: string | null;
  targets: ResolvedTarget[];
  prices: PriceTable;
  /** The config file's `thresholds:`, parsed; a bad one is an error here, never a silent pass. */
  thresholds: Threshold[];
}

export async function loadContext(
  flags: TargetFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  /** quiet: no notes on stderr (the built-in demo relay needs no key, and the user gave no URL to diagnose). */
  opts: { ignoreConfig?: boolean; quiet?: boolean } = {},
): Promise<RunContext> {
  const configPath = opts.ignoreConfig ? null : findConfigFile({ cwd: process.cwd(), explicit: flags.config, env });
  const config = configPath ? await loadConfig(configPath) : null;
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    timeoutMs = parseDuration(flags.timeout);
    if (!(timeoutMs > 0)) throw new UsageError('--timeout must be above zero');
  }
  const notes: string[] = [];
  const targets = await resolveTargets({
    notes,
    config,
    flags: {
      target: flags.target,
      baseUrl: flags.baseUrl,
      protocol: flags.protocol,
      apiKeyEnv: flags.apiKeyEnv,
      apiKeyHeader: flags.apiKeyHeader,
      timeoutMs,
    },
    env,
  });
  // On stderr (stdout stays pure under --json), before any command sends anything; redacted, as URLs may carry credentials.
  if (!opts.quiet) for (const note of notes) process.stderr.write(redact(note));
  let prices = PriceTable.builtIn();
  if (config?.prices) prices = await loadPricesFile(config.prices, prices);
  if (flags.prices) prices = await loadPricesFile(flags.prices, prices);
  const thresholds = config?.thresholds ? parseThresholdMap(config.thresholds, configPath ?? 'config') : [];
  return { config, configPath, targets, prices, thresholds };
}

/**
 * The files a run reads through its context, named for refuseClobbering (io.ts):
 * the config file loaded, its price file, --prices, and the targets' key files.
 */
export function contextInputs(
  ctx: { config: RelaymonConfig | null; configPath: string | null },
  flags: { config?: string | undefined; prices?: string | undefined },
): InputFile[] {
  const files: InputFile[] = [];
  if (ctx.configPath !== null) files.push({ path: ctx.configPath, label: `the config file (${flags.config !== undefined ? `--config ${flags.config}` : ctx.configPath})` });
  if (ctx.config?.prices !== undefined) files.push({ path: ctx.config.prices, label: `the config's price file (prices: ${ctx.config.prices})` });
  if (flags.prices !== undefined) files.push({ path: flags.prices, label: `the price file (--prices ${flags.prices})` });
  for (const [name, t] of Object.entries(ctx.config?.targets ?? {})) {
    if (t.apiKeyFile !== undefined) files.push({ path: t.apiKeyFile, label: `the key file of target "${name}" (apiKeyFile)` });
  }
  return files;
}

/**
 * The config's thresholds and the --threshold flags, parsed (after the
 * context: every secret is known, so an expression that echoes one is
 * redacted) and their `{target:…}` tags checked against the targets the
 * config defines and the run resolved.
 */
export function runThresholds(ctx: RunContext, flagExpressions: readonly string[]): Threshold[] {
  const thresholds = [...ctx.thresholds, ...flagExpressions.map((t) => parseThreshold(t))];
  const known = [...new Set([...Object.keys(ctx.config?.targets ?? {}), ...ctx.targets.map((t) => t.name)])];
  checkThresholdTargets(thresholds, known);
  return thresholds;
}

/** The budget from --budget-usd, else the config's `budget.usd`, else none. */
export function budgetFrom(flag: string | undefined, config: RelaymonConfig | null): number | null {
  if (flag !== undefined) {
    const budget = flag.trim() === '' ? NaN : Number(flag);
    if (!(budget >= 0 && Number.isFinite(budget))) throw new UsageError(`--budget-usd expects a number of dollars, got "${flag}"`);
    // A zero budget can only refuse every request: the run would stop before it began, which is never what was meant.
    if (budget === 0) throw new UsageError('--budget-usd 0 would refuse every request; give an amount above 0 (e.g. --budget-usd 0.05), or leave it out for no budget');
    return budget;
  }
  return config?.budget?.usd ?? null;
}

/** A target named on the command line, or a usage error listing the configured ones. */
export function pickTarget(all: readonly ResolvedTarget[], name: string): ResolvedTarget {
  const t = all.find((x) => x.name === name);
  if (!t) throw new UsageError(`unknown target "${name}" (configured: ${all.map((x) => x.name).join(', ') || 'none'})`);
  return t;
}

export const MAX_IN_FLIGHT_HELP = 'most requests in flight to each target at once (default: targets.NAME.concurrency, else 8)';

/** --max-in-flight N: the per-target cap of every sending command, over the config's targets.NAME.concurrency. */
export function withMaxInFlight(targets: ResolvedTarget[], flag: string | undefined): ResolvedTarget[] {
  if (flag === undefined) return targets;
  const n = parsePositiveInt(flag, '--max-in-flight');
  return targets.map((t) => ({ ...t, concurrency: n, concurrencyChosen: true }));
}

/** Lets --target repeat and take comma-separated names: each line or probe goes to each target. */
export function allowManyTargets(cmd: Command, description: string): void {
  const option = cmd.options.find((o) => o.long === '--target');
  if (!option) return;
  option.description = description;
  option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').filter(Boolean)]);
}

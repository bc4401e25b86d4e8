/**
 * The context of a run: config file, targets (flags over config over
 * environment), prices and configured thresholds; the files it reads; the
 * per-target cap and the budget from flags over config.
 */
import type { ResolvedTarget } from '../core/target.js';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { findConfigFile } from '../config/find.js';
import type { RelaymonConfig } from '../config/schema.js';
import { resolveTargets } from '../config/targets.js';
import { PriceTable } from '../pricing/table.js';
import { loadPricesFile } from '../pricing/load.js';
import { checkThresholdTargets, parseThreshold, parseThresholdMap } from '../stats/thresholds-parse.js';
import type { TargetFlagValues } from './flags.js';
import type { Threshold } from '../stats/thresholds.js';

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
  /**
   * quiet: no notes on stderr (the built-in demo relay needs no key, and the user gave no URL to diagnose).
   * use: the configured targets the command will send to, when it names several (config/targets.ts resolveTargets):
   * a note about a target it never sends to (no API key) would only mislead.
   */
  opts: { ignoreConfig?: boolean; quiet?: boolean; use?: readonly string[] | undefined } = {},
): Promise<RunContext> {
  const configPath = opts.ignoreConfig ? null : findConfigFile({ cwd: process.cwd(), explicit: flags.config, env });
  // Loaded only for a config file: parsing it needs yaml and the zod schema, a run on flags alone neither.
  const config = configPath ? await (await import('../config/load.js')).loadConfig(configPath) : null;
  // --timeout is parsed (and checked above zero) by its flag (cli/options.ts).
  const timeoutMs = flags.timeout;
  const notes: string[] = [];
  const targets = await resolveTargets({
    notes,
    ...(opts.use !== undefined ? { use: opts.use } : {}),
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

/** The budget from --budget-usd (checked above 0 by its flag, cli/parsers.ts), else the config's `budget.usd`, else none. */
export function budgetFrom(flag: number | undefined, config: RelaymonConfig | null): number | null {
  return flag ?? config?.budget?.usd ?? null;
}

/** Price files in the order they stack: the config's, then --prices. */
export function priceFiles(config: RelaymonConfig | null, flag: string | undefined): string[] {
  return [config?.prices, flag].filter((p): p is string => typeof p === 'string');
}

/** A target named on the command line, or a usage error listing the configured ones. */
export function pickTarget(all: readonly ResolvedTarget[], name: string): ResolvedTarget {
  const t = all.find((x) => x.name === name);
  if (!t) throw new UsageError(`unknown target "${name}" (configured: ${all.map((x) => x.name).join(', ') || 'none'})`);
  return t;
}

/** --max-in-flight N (parsed by its flag): the per-target cap of every sending command, over the config's targets.NAME.concurrency. */
export function withMaxInFlight(targets: ResolvedTarget[], n: number | undefined): ResolvedTarget[] {
  if (n === undefined) return targets;
  return targets.map((t) => ({ ...t, concurrency: n, concurrencyChosen: true }));
}

import type { Command } from 'commander';
import type { CostFlags } from '../run/cost.js';


export function registerCost(program: Command): void {
  program
    .command('cost')
    .description('project a monthly bill per target from a traffic mix, with measured usage ratios, and the saving between targets')
    .requiredOption('--mix <file>', 'YAML or JSON map of model → { input, output } tokens per month (at most 1,000 models, 1 MiB)')
    .option('--from <file>', 'measured usage ratios: the JSON of `relaymon compare --json`, or a request log (--log)')
    .option('--targets <a,b,...>', 'targets from the config (default: all; without a config, list price)')
    .option('--config <file>', 'config file (default: relaymon.config.yaml|yml|json here, or $RELAYMON_CONFIG)')
    .option('--prices <file>', 'LiteLLM-format price JSON applied on top of the built-in table')
    .option('--json', 'print the projection as JSON instead of text')
    .option('--summary <file>', 'also write the JSON to FILE')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      `
A target's bill = list price × its priceMultiplier × the tokens it would bill, which is
the mix × its usage ratio (tokens billed per token relaymon counted; measured by
compare or any run with --log, else assumed 1). Nothing is sent; no key is needed.

mix.yaml:
  gpt-4o:      { input: 50M, output: 10M }
  gpt-4o-mini: { input: 200M, output: 40M }

Examples:
  relaymon cost --mix mix.yaml
  relaymon compare --targets relay,direct -n 100 --json > compare.json
  relaymon cost --mix mix.yaml --from compare.json --json

Exit codes: 0 projected, 2 bad usage/config/file or an output not written.`,
    )
    .action(async (flags: CostFlags) => {
      // Loaded here, not at the top: registering commands must not load the price table, yaml or zod (relaymon --help).
      const { runCost } = await import('../run/cost.js');
      process.exitCode = await runCost(flags);
    });
}

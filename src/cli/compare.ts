import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { DEFAULT_COMPARE_OPTIONS } from '../compare/options.js';
import { DEFAULT_COMPARE_DURATION } from '../run/defaults.js';
import type { CompareFlags } from '../run/compare.js';
import { addScheduleOptions, addTargetOptions, allowManyTargets } from './options.js';
import { fraction, positiveInt } from './parsers.js';
import { reportOption } from './report.js';

/** --alpha: a significance level above 0, at most 0.5. */
function alpha(value: string): number {
  const a = fraction('--alpha', 0.5)(value);
  if (!(a > 0)) throw new UsageError('--alpha must be above 0');
  return a;
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('send the same probes (or a replay file) to two targets, interleaved, and test whether they differ')
    .argument('[file]', 'replay this JSONL file through both targets instead of probing (formats as in `relaymon replay`)')
    .option('--targets <a,b>', 'the two targets from the config; differences are the first minus the second');
  addScheduleOptions(cmd, { durationDefault: `${DEFAULT_COMPARE_DURATION} unless --requests` });
  cmd
    .addOption(new Option('-c, --concurrency <n>', 'with FILE: lines in flight at once, each sent to both targets (default 1)').argParser(positiveInt('--concurrency')))
    .addOption(new Option('--seed <n>', 'seed of the bootstrap (and of --rate arrivals with FILE), for a reproducible report (default 1)').argParser(positiveInt('--seed')))
    .addOption(new Option('--alpha <p>', `significance level of the tests (default ${DEFAULT_COMPARE_OPTIONS.alpha})`).argParser(alpha))
    .addOption(new Option('--min-effect <f>', `smallest difference worth calling significant, as a fraction or % of the second target's median (default ${DEFAULT_COMPARE_OPTIONS.minEffect * 100}%)`).argParser(fraction('--min-effect', 10)))
    .option('--json', 'print the comparison as JSON instead of text (shape in the README)')
    .option('--summary <file>', 'also write the JSON to FILE')
    .addOption(reportOption());
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'the same as --targets, repeatable or comma-separated');
  cmd.addHelpText(
    'after',
    `
Both targets get the same requests over the same stretch of time: each probe fires at
both at once (or each line of FILE goes to both), so a slow minute hits both alike.
Per metric (latency, ttfb, ttft, itl, tokens_per_s) it prints the medians and p95s, the
difference of medians with a 95% bootstrap interval and a Mann-Whitney p-value; a
difference is significant when p < --alpha AND it is at least --min-effect of the second
target's median. Error rates are compared with Fisher's exact test. Then cost per 1M
tokens and the honesty signals (usage mismatches, model substitution, stream conformance).

Examples:
  relaymon compare --targets relay,direct --duration 2m --every 1s
  relaymon compare --targets relay,direct -n 200 --rate 2/s --model gpt-4o-mini --json
  relaymon compare traffic.jsonl --targets relay,direct --concurrency 4
  relaymon compare --targets relay,direct --dry-run

Exit codes: 0 compared, 2 bad usage/config/file or an output not written, 3 no HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (file: string | undefined, flags: CompareFlags) => {
    // Loaded here, not at the top: registering commands must not load the engine (relaymon --help, mock).
    const { runCompare } = await import('../run/compare.js');
    process.exitCode = await runCompare(file, flags);
  });
}

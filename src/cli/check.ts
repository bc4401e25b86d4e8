import { Option, type Command } from 'commander';
import { IMPLIED_ERRORS_THRESHOLD } from '../stats/implied.js';
import { addScheduleOptions, addTargetOptions, allowManyTargets } from './options.js';
import { addMetricsOptions } from './metrics.js';
import { collect } from './parsers.js';
import type { CheckFlags } from '../run/check.js';
import { reportOption } from './report.js';

/** Implied unless the user wrote an errors threshold (stats/thresholds-implied.ts). */
const DEFAULT_CHECK_THRESHOLD = IMPLIED_ERRORS_THRESHOLD;

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('CI smoke check: run the probes for a while, evaluate thresholds, exit code = verdict');
  addScheduleOptions(cmd);
  cmd
    .addOption(new Option('--threshold <expr>', 'k6-style threshold, repeatable (config thresholds apply too)').argParser(collect).default([], 'none'))
    .option('--no-default-thresholds', `do not imply ${DEFAULT_CHECK_THRESHOLD} when no errors threshold is given`)
    .option('--json', 'print the run summary as JSON instead of text')
    .option('--summary <file>', 'also write the JSON summary to FILE')
    .option('--junit <file>', 'write a JUnit XML report (one testsuite per target, one testcase per threshold)')
    .addOption(reportOption());
  addMetricsOptions(cmd);
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated (default: all)');
  cmd.addHelpText(
    'after',
    `
Timing metrics (latency, latency_scheduled, ttfb, ttft, ttft_content, itl,
tokens_per_s) are over successful requests only; failures count in errors. A
run whose requests all failed has no timing data, so its timing thresholds
fail ("no data"). Unless an errors threshold is given, ${DEFAULT_CHECK_THRESHOLD}
is implied and printed as "(implied)"; --no-default-thresholds drops it.
-n N sends N requests to each target. Sends held back by a target's cap (--max-in-flight)
or skipped during a 429 back-off are counted per target (JSON "schedule") and said in the text.
--kind makes the probes tools, json, cache, reasoning or long requests; each result's
checks are in the request log (--log); a failed check does
not fail the request, so only thresholds decide check's exit code. A cache pair counts as
two requests toward -n and the budget.
When relaymon itself was the bottleneck (its event loop or its sends over 20 ms late), a line
on stderr and the text say so, and JSON "saturation" has the figures; the exit code is unchanged.

Examples:
  relaymon check --duration 60s                                   # configured probes and thresholds
  relaymon check -d 30s --base-url http://127.0.0.1:8787/v1 --threshold "ttft:p(95)<800"
  relaymon check -t relay -n 20 --every 500ms --junit report.xml --budget-usd 0.05
  relaymon check --dry-run                                        # what it would send and cost
  relaymon check -d 10m --metrics-port 9464                       # Prometheus /metrics while it runs
  relaymon check -n 4 --kind cache --log cache.jsonl              # two cache pairs; checks in the log

Exit codes: 0 pass, 1 a threshold failed, 2 bad usage/config or an output not written, 3 no HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (flags: CheckFlags) => {
    // Loaded here, not at the top: registering commands must not load the engine (relaymon --help, mock).
    const { runCheck } = await import('../run/check.js');
    process.exitCode = await runCheck(flags);
  });
}

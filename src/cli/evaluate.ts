import { Option, type Command } from 'commander';
import { DEFAULT_EVALUATE_REQUESTS } from '../evaluate/defaults.js';
import type { EvaluateFlags } from '../run/evaluate.js';
import { addScheduleOptions, addTargetOptions, allowManyTargets } from './options.js';
import { positiveInt } from './parsers.js';
import { reportOption } from './report.js';

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('decide on a relay: model list, conformance, an interleaved comparison, honesty and the bill of each candidate against a reference, and a verdict')
    .option('--targets <ref,cand,...>', 'targets from the config: the first is the reference (e.g. the official API), the others candidates');
  addScheduleOptions(cmd, { durationDefault: `-n ${DEFAULT_EVALUATE_REQUESTS} instead` });
  const dryRun = cmd.options.find((o) => o.long === '--dry-run');
  if (dryRun) dryRun.description = 'list the plan: what each phase sends, how many requests, the worst case; send and write nothing';
  const log = cmd.options.find((o) => o.long === '--log');
  if (log) log.description = 'write one JSON line per request of the comparison phase to FILE, afresh (the request log; the models and conform phases\' requests are not in it)';
  cmd
    .option('--mix <file>', 'YAML or JSON map of model → { input, output } tokens per month (as cost --mix): each candidate\'s monthly bill and saving, and the models it must serve')
    .addOption(new Option('--seed <n>', 'seed of the bootstrap intervals, for a reproducible verdict (default 1)').argParser(positiveInt('--seed')))
    .option('--json', 'print the evaluation as JSON instead of text (schema/evaluate.schema.json)')
    .option('--summary <file>', 'also write the JSON to FILE')
    .addOption(reportOption());
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'the same as --targets, repeatable or comma-separated');
  // evaluate takes every target from the config: the flags that describe one target by hand are not offered
  // (given anyway, they are refused with a message: src/run/evaluate-plan.ts targetNames).
  for (const o of cmd.options) if (['--base-url', '--protocol', '--api-key-env', '--api-key-header'].includes(o.long ?? '')) o.hideHelp();
  cmd.addHelpText(
    'after',
    `
One run, in phases, each through the code of its own command:
  models   GET /models of every target (free): does it answer, does it serve the probe model
           and the models of --mix? A reference with no HTTP answer ends the run (exit 3).
  conform  the conformance suite (relaymon conform) on every target: about a dozen small
           requests each (a ~4,300-token prefix twice, up to 1,536 tokens for reasoning).
  compare  the same probes to every target at the same instants (relaymon compare), -n ${DEFAULT_EVALUATE_REQUESTS}
           each by default, one per second: latency, TTFT, ITL with intervals, errors, and
           the honesty signals (billing gap, model identity, stream conformance).
Then, with --mix, each candidate's monthly bill at its measured usage ratio (relaymon cost).
The worst-case cost of every phase is printed on stderr before anything is sent; one
budget (--budget-usd or budget.usd) covers all phases, and nothing is retried.

Verdict per candidate, by config evaluate: (defaults shown):
  evaluate:
    require:   # broken: not_ready, each reason with its evidence
      servesModels: true        # GET /models lists the probe model and the mix's models
      conform: all              # all, none, or a list of check names (only those are sent)
      billingGapPct: 2          # billed tokens at most 2% above relaymon's count (beyond the reference's gap)
      errorRatePp: 1            # error rate at most 1 percentage point above the reference's (a reason
                                # when the difference is significant, Fisher p < 0.01; else a caveat)
      modelIdentity: true       # answers name the model asked for
      streamConformance: true   # no stream without usage, out of order, unterminated, usage decreasing
    warn:      # broken: ready_with_caveats, each caveat with its size
      ttftP95WithinPct: 20      # TTFT p95 at most 20% above the reference's ...
      latencyP95WithinPct: 20   # ... judged only when the 95% bootstrap interval of the excess is above 0
What the reference does too (a check it fails as well, a model it does not serve either) is
a caveat, not a reason. A probe check of --kind tools/json/cache… that the candidate fails
significantly more often than the reference is a reason. What could not be judged is a named
caveat: a conform check refused by the budget or unanswered (on either side), billing with
no usage reported, TTFT of non-streamed answers, a comparison cut short by Ctrl-C or the
budget. A candidate with no successful answer in the comparison, or with nothing measured at
all, is not_ready.

Examples:
  relaymon evaluate --targets direct,relay --dry-run               # the plan: requests per phase, worst case
  relaymon evaluate --targets direct,relay,relay2 --mix mix.yaml --budget-usd 0.50
  relaymon evaluate --targets direct,relay -n 60 --every 500ms --seed 7 --json --summary eval.json
  relaymon evaluate --targets direct,relay --report evaluate.html  # a page per candidate
  relaymon report eval.json -o evaluate.html

Exit codes: 0 every candidate ready (with caveats or not), 1 a candidate not_ready, 2 bad usage/config/mix
file or an output not written, 3 the reference gave no HTTP answer, 130 interrupted (during the comparison: the verdicts so far,
each marked partial).`,
  );
  cmd.action(async (flags: EvaluateFlags) => {
    // Loaded here, not at the top: registering commands must not load the engine (relaymon --help, mock).
    const { runEvaluate } = await import('../run/evaluate.js');
    process.exitCode = await runEvaluate(flags);
  });
}

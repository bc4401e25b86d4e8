import { Option, type Command } from 'commander';
import { IMPLIED_ERRORS_THRESHOLD } from '../stats/implied.js';
import type { ReplayFlags } from '../run/replay.js';
import { addTargetOptions, allowManyTargets, budgetOption, maxInFlightOption } from './options.js';
import { addMetricsOptions } from './metrics.js';
import { collect, duration, positiveDuration, positiveInt, replayRate, speed } from './parsers.js';
import { reportOption } from './report.js';

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay recorded traffic (OpenAI Batch input, plain request JSONL, or a relaymon request log) through relays')
    .argument('<file>', 'JSONL file; the format is detected from its lines')
    .addOption(new Option('--speed <x>', 'original timing (timestamp / offset_ms) scaled: 2 = twice as fast').argParser(speed).conflicts(['rate', 'concurrency']))
    .addOption(new Option('--rate <r>', 'fixed rate instead of the original timing, e.g. 5 or 5/s or 300/m').argParser(replayRate).conflicts('concurrency'))
    .option('--constant', 'with --rate: evenly spaced sends instead of Poisson arrivals')
    .addOption(new Option('--seed <n>', 'seed for Poisson arrivals and --split\'s routing (reproducible runs)').argParser(positiveInt('--seed')))
    .addOption(new Option('-c, --concurrency <n>', 'closed loop: N workers, each sending its next line when the last one finished (raises the default cap to N)').argParser(positiveInt('--concurrency')))
    .option('--loop', 'start over at the end of the file (stop with --duration, --requests or Ctrl-C)')
    .option('--split <name=w,...>', 'canary split: each line to ONE of these targets, drawn by weight (seeded); the last is the candidate, e.g. direct=90,relay=10')
    .option('--ramp <p1,p2,...>', "with --split: the candidate's share per step in percent, strictly rising (e.g. 10,50,100); the others share the rest")
    .addOption(new Option('--step <d>', 'with --ramp: the length of each step, e.g. 5m (the whole ramp at most 24.86 days)').argParser(positiveDuration('--step')))
    .option('--abort-on-fail', 'stop (exit 1) as soon as a threshold fails; with --split, on the candidate\'s results of the current step (a ramp holds a step until it is judged)')
    .option('-m, --model <model>', 'send every line with this model instead of its own')
    .option('--strict', 'any bad line is an error (exit 2) before anything is sent')
    .addOption(new Option('-d, --duration <d>', 'stop after this long, e.g. 30s, 5m').argParser(duration()))
    .addOption(new Option('-n, --requests <n>', 'stop after this many lines of the file (each sent to every target; with --split, or a log to its recorded targets, to its one)').argParser(positiveInt('--requests')))
    .addOption(maxInFlightOption())
    .addOption(new Option('--threshold <expr>', 'k6-style check on the whole run, repeatable (config thresholds apply too)').argParser(collect).default([]))
    .option('--no-default-thresholds', `do not imply ${IMPLIED_ERRORS_THRESHOLD} when no errors threshold is given`)
    .option('--json', 'print the run summary as JSON instead of text')
    .option('--summary <file>', 'also write the JSON summary to FILE')
    .addOption(reportOption())
    .option('--log <file>', 'write one JSON line per request to FILE, afresh (the request log; replayable; not the file being replayed)')
    .option('--no-log-bodies', 'leave request bodies (prompts) out of the log')
    .addOption(budgetOption())
    .option('--dry-run', 'print what would be sent and its cost per hour; send and write nothing')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
  addMetricsOptions(cmd);
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated; each line goes to each, for comparison (default: a relaymon log\'s recorded targets, else the first)');
  cmd.addHelpText(
    'after',
    `
Formats (detected per file): OpenAI Batch API input lines {custom_id, method, url, body}
(url /v1/chat/completions, /v1/messages or /v1/responses); plain JSONL of Chat Completions,
Messages or Responses request bodies; relaymon's own --log files.
Lines may carry "timestamp" (ISO or epoch) or "offset_ms" for the original timing.
Without --target, each line of a relaymon log goes to the target it was recorded
against when the config has that target, and a line of another protocol than the
first target's to a configured target that speaks it (others go to the first target).

Examples:
  relaymon replay traffic.jsonl --base-url http://127.0.0.1:8787/v1
  relaymon replay traffic.jsonl --speed 2 -t relay
  relaymon replay batch_input.jsonl --rate 5/s --seed 7 -t relay,direct --json
  relaymon replay run.log --concurrency 8 --loop --duration 5m --threshold "ttft:p(95)<800"
  relaymon replay traffic.jsonl --loop --metrics-port 9464       # Prometheus /metrics while it runs
  relaymon replay traffic.jsonl --rate 20/s --split direct=90,relay=10 --seed 7 --loop -d 10m
  relaymon replay traffic.jsonl --rate 20/s --split direct=1,relay=1 --ramp 10,50,100 --step 5m \\
      --abort-on-fail --threshold "errors:rate<0.02" --threshold "ttft:p(95)<1500"

Canary split (--split): each line goes to ONE target, drawn by weight with --seed (the same
seed routes the same lines the same way); the last target named is the candidate. Routing
precedence: --split, then -t (not both), then a log line's recorded target, then the first.
Weights are positive decimal numbers (no hex; their sum finite; each at least one in a million).
--ramp 10,50,100 --step 5m raises the candidate's share step by step (strictly rising; its
--split weight is then unused; the others share the rest in their --split proportions); the
file starts over as often as needed and the run ends after the last step (--duration and -n
can end it sooner, or --duration later, at the last share). --abort-on-fail stops at once
(exit 1) when a threshold fails on the candidate's results of the current step, judged once 20
of them have finished; a step moves on only once judged: until 20 are in it is held at its
share ("holding step 1: 7 of 20 results"), so a broken candidate is never handed a larger
share unjudged. The split, each side's sends and the step are in the progress line, the text,
the JSON ("split", "canary") and the --report HTML.

Each target has a cap on requests in flight (targets.NAME.concurrency, default 8, or
--max-in-flight); -c N raises the default to N, never a cap you set. Sends held back by the
cap or skipped during a 429 back-off are counted per target (JSON "schedule") and said in the text.

At original timing each line goes out at its recorded offset (a --log file is written in
completion order; relaymon sorts it by offset_ms first).

Timing metrics are over successful requests only; failures count in errors. Unless an
errors threshold is given, ${IMPLIED_ERRORS_THRESHOLD} is implied (--no-default-thresholds drops it).

Bad lines are reported by number and skipped (--strict: exit 2, nothing sent).
Exit codes: 0 pass, 1 a threshold failed (or --abort-on-fail stopped the ramp), 2 bad usage/config/file or an output not written, 3 no HTTP answer, 130 interrupted.`,
  );
  cmd.action(async (file: string, flags: ReplayFlags) => {
    // Loaded here, not at the top: registering commands must not load the engine (relaymon --help, mock).
    const { runReplay } = await import('../run/replay.js');
    process.exitCode = await runReplay(file, flags);
  });
}

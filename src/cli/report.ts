import { Option, type Command } from 'commander';
import { IMPLIED_ERRORS_THRESHOLD } from '../stats/implied.js';
import type { ReportFlags } from '../run/report.js';
import { collect } from './parsers.js';

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('one self-contained HTML file to share, from a request log or a --json/--summary file')
    .argument('<file>', 'a request log (--log FILE), or a --json/--summary file of check, replay, watch, compare, conform or evaluate')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .addOption(new Option('--threshold <expr>', 'with a request log: judge the run again with this threshold, repeatable (the config\'s apply too)').argParser(collect).default([]))
    .option('--no-default-thresholds', `with a request log: do not imply ${IMPLIED_ERRORS_THRESHOLD} when no errors threshold is given`)
    .option('--config <file>', 'config file whose thresholds re-judge a request log; its key variables need not be set (default: relaymon.config.yaml|yml|json here, or $RELAYMON_CONFIG)')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)');
  cmd.addHelpText(
    'after',
    `
The report holds the run's metadata and verdict (thresholds, exit code), a summary per
target, latency/TTFT/ITL distributions (log scale), p50/p95, requests per second and error
rate by type over time, tokens and cost, the honesty and conformance findings, and for
compare both targets side by side with the difference and its interval; for evaluate a
page per candidate (verdict, reasons and caveats, charts beside the reference's). It opens offline:
CSS, the chart library (uPlot) and the data are inlined, and it loads nothing from the
network. Light and dark follow the reader's system; it prints.

From a request log the verdict is recomputed (the thresholds given here, the config's and,
unless --no-default-thresholds, ${IMPLIED_ERRORS_THRESHOLD}) and labelled so. A summary file
holds no per-request data: its report has the tables, not the charts.
check, replay, compare, watch, conform and evaluate write the same report at the end of a run with
--report FILE.html.

Examples:
  relaymon check --duration 5m --log run.log
  relaymon report run.log -o report.html
  relaymon report run.log -o report.html --threshold "ttft:p(95)<800"
  relaymon check --json > run.json; relaymon report run.json -o report.html
  relaymon compare --targets relay,direct --report compare.html

Progress on a large log: a live line on a terminal, one line on stderr every 30 s off one.
Exit codes: 0 written, 2 bad usage, a file that is neither a request log nor a
--json/--summary file, or an output not written.`,
  );
  cmd.action(async (file: string, flags: ReportFlags) => {
    // Loaded here, not at the top: registering commands must not load the report's code.
    const { runReport } = await import('../run/report.js');
    process.exitCode = await runReport(file, flags);
  });
}

/** --report FILE of check, replay, compare, watch and conform: the same report, written at the end of the run. */
export function reportOption(): Option {
  return new Option('--report <file>', 'at the end, also write the run as one self-contained HTML report to FILE (see relaymon report)');
}

import { Option, type Command } from 'commander';
import { holdHeapGrowth } from '../core/heap-growth.js';
import { IMPLIED_ERRORS_THRESHOLD } from '../stats/implied.js';
import { WINDOW_NAMES } from '../stats/window-names.js';
import { DEFAULT_FPS } from '../ui/defaults.js';
import { DEFAULT_INTERVAL, parseInterval } from '../run/defaults.js';
import type { WatchFlags } from '../run/watch.js';
import { addScheduleOptions, addTargetOptions, allowManyTargets } from './options.js';
import { addMetricsOptions } from './metrics.js';
import { collect, parseFps } from './parsers.js';
import { reportOption } from './report.js';

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .description('live dashboard of every target: latency, first token, errors, tokens and dollars (plain lines when not a terminal)');
  addScheduleOptions(cmd, { durationDefault: 'until you quit' });
  cmd
    .option('--demo', 'watch two built-in simulated relays started in-process, with a staged incident (no key, no config, no cost)')
    .option('--no-tui', 'no dashboard: one logfmt line per target every --interval, the summary at the end (also when stdout is not a terminal)')
    .addOption(new Option('--interval <d>', `plain-mode line interval (default ${DEFAULT_INTERVAL}, or the "interval" preference)`).argParser(parseInterval))
    .addOption(new Option('--fps <n>', `most dashboard redraws per second, 1-60 (default ${DEFAULT_FPS}, or the "fps" preference)`).argParser(parseFps))
    .addOption(new Option('--window <w>', 'rolling window shown first (default 1m, or the "window" preference)').choices([...WINDOW_NAMES]))
    .addOption(new Option('--threshold <expr>', 'k6-style threshold, repeatable: colours the dashboard and decides the exit code of a --duration run').argParser(collect).default([], 'none'))
    .option('--no-default-thresholds', `a bounded run (--duration or --requests) does not imply ${IMPLIED_ERRORS_THRESHOLD} when no errors threshold is given`)
    .option('--json', 'print the final summary as JSON instead of text (plain-mode lines then go to stderr)')
    .option('--summary <file>', 'also write the JSON summary to FILE')
    .addOption(reportOption());
  addMetricsOptions(cmd);
  addTargetOptions(cmd);
  allowManyTargets(cmd, 'target(s) from the config, repeatable or comma-separated (default: all)');
  cmd.addHelpText(
    'after',
    `
Keys: q or Ctrl-C quit (exit 0, then the summary) · p pause/resume · r reset windows
      w cycle window 1m/5m/15m/all · arrows/Tab focus a target · Enter detail · Esc back · ? help

Without --duration or --requests it runs until you quit. Probes come from the config file; without
any, one small streamed probe per target per second (keep paid relays in mind: see --budget-usd).

Examples:
  relaymon watch --demo                                # simulated relays, no key needed
  relaymon watch                                       # the targets and probes of relaymon.config.yaml
  relaymon watch --base-url http://127.0.0.1:8787/v1 --every 2s
  relaymon watch --no-tui --interval 10s >> relay.log  # logfmt lines for a log shipper
  relaymon watch --no-tui --metrics-port 9464          # headless agent for Prometheus (/metrics)
  relaymon watch --duration 5m --budget-usd 0.20 --summary watch.json
  relaymon watch --kind tools --every 30s              # tool-call probes; checks in the request log (--log)

Timing metrics are over successful requests only; failures count in errors. A run bounded by
--duration/--requests implies ${IMPLIED_ERRORS_THRESHOLD} unless an errors threshold is given
(--no-default-thresholds drops it).

Exit codes: 0 quit from the dashboard or run passed; with --duration/--requests 1 when a
threshold failed, 3 when no request got an HTTP answer; 2 bad usage/config or an output not written; 130 interrupted
(SIGTERM, or Ctrl-C in plain mode).`,
  );
  cmd.action(async (flags: WatchFlags) => {
    // Loaded here, not at the top: registering commands must not load the engine or the dashboard.
    // Before the dashboard and the run load: the main thread's heap stays near its live data (core/heap-growth.ts).
    holdHeapGrowth();
    const { runWatch } = await import('../run/watch.js');
    process.exitCode = await runWatch(flags);
  });
}

import { Command, CommanderError } from 'commander';
import { EXIT, RelaymonError } from '../core/errors.js';
import { registerSecret, registerUrlSecrets } from '../core/redact.js';
import { VERSION } from '../version.js';
import { guardPipes, outputFailed, stdioDrained, writeStderr, writeStdout } from '../run/terminal.js';
import { endEarlySignals, exitOnSignals, latchEarlySignals, releaseBinLatch } from '../run/signals.js';
import { assertCanSend } from '../core/can-send.js';
import { registerWatch } from './watch.js';
import { registerProbe } from './probe.js';
import { registerModels } from './models.js';
import { registerReplay } from './replay.js';
import { registerCheck } from './check.js';
import { registerMock } from './mock.js';
import { registerCompare } from './compare.js';
import { registerCost } from './cost.js';
import { registerConform } from './conform.js';
import { registerReport } from './report.js';
import { registerEvaluate } from './evaluate.js';
import { registerInitCommand } from './init.js';
import { registerConfigCommands } from './config.js';

type Register = (program: Command) => unknown;

/**
 * Every command, in the order --help lists them, by name. `relaymon probe …`
 * builds probe's alone (its flags, help and action are its own), which
 * spares a one-shot run building twelve other commands' options
 * (bench/startup.mjs); --help, `help`, no command or a name that is not one
 * build them all, so listings, suggestions and errors are commander's as
 * before. A new command is one line here.
 */
const COMMANDS: readonly (readonly [name: string, register: Register])[] = [
  ['watch', registerWatch],
  ['probe', registerProbe],
  ['models', registerModels],
  ['replay', registerReplay],
  ['check', registerCheck],
  ['mock', registerMock],
  ['compare', registerCompare],
  ['cost', registerCost],
  ['conform', registerConform],
  ['evaluate', registerEvaluate],
  ['report', registerReport],
  ['init', registerInitCommand],
  ['config', registerConfigCommands],
];

/** The commands to build for this command line: the one its first word names, else all of them. */
function commandsFor(argv: readonly string[]): readonly (readonly [string, Register])[] {
  const named = COMMANDS.find(([name]) => name === argv[2]);
  return named ? [named] : COMMANDS;
}

function buildProgram(argv: readonly string[]): Command {
  const program = new Command('relaymon')
    .description('Watch an LLM API relay from the client side: latency, time to first token, errors, tokens and dollars.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: writeStderr, writeOut: writeStdout });
  for (const [, register] of commandsFor(argv)) register(program);
  program.addHelpText(
    'after',
    `
Examples:
  relaymon watch --demo                      # the live dashboard on built-in simulated relays, no key needed
  relaymon watch                             # the live dashboard of the configured targets
  relaymon mock                              # a simulated relay on a free port, no key needed
  relaymon probe --base-url http://127.0.0.1:8787/v1 -n 5
  relaymon probe --model gpt-4o              # OPENAI_BASE_URL / OPENAI_API_KEY
  relaymon probe --demo -n 8                 # the built-in simulated relay, in-process
  relaymon check --duration 60s              # CI: configured probes and thresholds, exit code = verdict
  relaymon replay traffic.jsonl --speed 2    # recorded traffic through the relay
  relaymon compare --targets relay,direct    # the same probes through both; is the relay slower, dearer, honest?
  relaymon cost --mix mix.yaml               # a monthly bill per target from a traffic mix
  relaymon conform -t relay                  # does the relay keep to the protocol? usage, streams, tools, errors
  relaymon evaluate --targets direct,relay   # one verdict per candidate: ready, ready_with_caveats or not_ready
  relaymon init                              # write a starter relaymon.config.yaml

Exit codes: 0 pass, 1 a check failed, 2 bad usage/config/input or an output could not be written, 3 unreachable, 130 interrupted.`,
  );
  // Subcommands inherit exitOverride so usage errors reach our handler (exit 2, not commander's 1).
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/**
 * Keys in the environment are secrets before any flag is parsed: an error
 * message that echoes a mistyped flag or expression must not print one.
 */
function registerEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (/(^|_)(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD)$/i.test(name)) registerSecret(value);
    // OPENAI_BASE_URL=https://user:key@relay/v1?key=… carries credentials too.
    else if (value !== undefined && /^https?:\/\//i.test(value.trim())) registerUrlSecrets(value);
  }
}

/** Commands whose run stops cleanly at the first Ctrl-C and still prints (run/signals.ts onInterrupt). */
const STOP_CLEANLY: ReadonlySet<string> = new Set(['watch', 'probe', 'replay', 'check', 'compare', 'conform', 'evaluate']);

/** Commands with neither a run nor signal handling of their own (mock and report have theirs): a signal exits 130 at once. */
const EXIT_ON_SIGNAL: ReadonlySet<string> = new Set(['models', 'cost', 'config', 'init']);

/**
 * Commands whose action modules import undici on the main thread. Under
 * `--jitless` that import alone fails inside Node's own undici (an unhandled
 * rejection, exit 1), so they are refused before it (core/can-send.ts); the
 * others ask when they are about to send.
 */
const LOADS_UNDICI: ReadonlySet<string> = new Set(['conform', 'evaluate']);

async function main(argv: string[]): Promise<void> {
  const command = argv[2] ?? '';
  // First: a Ctrl-C while the command loads is held for its run, not Node's silent exit.
  // exitOnSignals before the bin's listener goes: no moment without one.
  if (EXIT_ON_SIGNAL.has(command)) exitOnSignals(command);
  if (STOP_CLEANLY.has(command)) latchEarlySignals();
  else await releaseBinLatch(/^[a-z]+$/.test(command) ? command : '');
  guardPipes();
  registerEnvironmentSecrets(process.env);
  const program = buildProgram(argv);
  try {
    if (LOADS_UNDICI.has(command) && !argv.includes('--help') && !argv.includes('-h')) assertCanSend();
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
  // An output that could not be written (already reported on its own line) is exit 2, which outranks the verdict 1.
  if (outputFailed()) process.exitCode = EXIT.usage;
  // Interrupted before its run began (a usage error may have ended it first): still an interrupt.
  if (await endEarlySignals()) process.exitCode = EXIT.interrupted;
  await stdioDrained();
  // Now, not when the loop runs dry: Node then waits for V8's background tasks (tens of ms after a large heap,
  // as cost --from leaves), polling nothing, and a signal caught meanwhile was never dispatched (exit 0), or
  // came in its shutdown after the handlers were gone (Node's 143). Every output is written by now.
  process.exit();
}

/** Every error ends here: a clear, redacted message and the contract's exit code. */
function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage; // commander has already printed its message
  }
  if (err instanceof RelaymonError) {
    writeStderr(`relaymon: ${err.message}\n`);
    return err.exitCode;
  }
  const detail = err instanceof Error ? (process.env['RELAYMON_DEBUG'] ? (err.stack ?? err.message) : err.message) : String(err);
  writeStderr(`relaymon: internal error: ${detail}\n(set RELAYMON_DEBUG=1 for a stack trace; please report this)\n`);
  return EXIT.failed;
}

// Not a top-level await: the CommonJS bundle (scripts/bundle.mjs) cannot have one; main() reports every error itself.
void main(process.argv);

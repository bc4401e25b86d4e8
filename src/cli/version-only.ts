/**
 * `relaymon --version` (or `-V`) with nothing else on the line, answered
 * without building the commands: bin/relaymon.js imports this instead of
 * main.ts then. Scripts and version checks call it often, and building every
 * command's flags (commander and its child_process, net and stream modules)
 * took longer than starting node itself. The answer is commander's: the
 * version and a newline on stdout through the same writer as every other
 * output, exit 0, or 2 when stdout could not be written (main.ts).
 */
import { EXIT } from '../core/errors.js';
import { VERSION } from '../version.js';
import { guardPipes, outputFailed, writeStdout } from '../run/terminal.js';

guardPipes();
writeStdout(`${VERSION}\n`);
process.exitCode = outputFailed() ? EXIT.usage : EXIT.ok;

/**
 * Preloaded into the CLI under test (NODE_OPTIONS="--require …/command-log.cjs"):
 * appends the name of every command the process builds with commander's
 * `command()` to $RELAYMON_COMMAND_LOG, one a line. The CLI's ES import of
 * commander is this very CommonJS module (one instance in require's cache).
 */
'use strict';
const { appendFileSync } = require('node:fs');
const { Command } = require('commander');

const log = process.env.RELAYMON_COMMAND_LOG;
if (log) {
  const command = Command.prototype.command;
  Command.prototype.command = function loggedCommand(nameAndArgs, ...rest) {
    appendFileSync(log, `${String(nameAndArgs).split(/\s+/)[0]}\n`);
    return command.call(this, nameAndArgs, ...rest);
  };
}

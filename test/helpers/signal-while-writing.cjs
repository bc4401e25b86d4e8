// Preloaded (node --require) by test/integration/late-interrupt.test.ts: raises RELAYMON_TEST_SIGNAL (SIGTERM by
// default) on this process once, at the moment RELAYMON_TEST_SIGNAL_ON names:
// - a file's name: as that file is renamed into place (write-file-atomic's last step), while a finished run's
//   command writes its outputs;
// - "write:NAME": as a file of that name is about to be written (writeFileSync, or fs/promises' writeFile);
// - "stdout": at the command's first write to stdout (its result, printed at its end);
// - "engine-worker": as an engine worker is made, i.e. between the phases of `evaluate` (its conform suite has ended,
//   its comparison has not begun).
// With no listener for the signal, Node's default ends the process at the kill.
'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const { basename } = require('node:path');
const workerThreads = require('node:worker_threads');

const on = process.env.RELAYMON_TEST_SIGNAL_ON ?? '';
let raised = false;
const raise = () => {
  if (raised) return;
  raised = true;
  process.kill(process.pid, process.env.RELAYMON_TEST_SIGNAL ?? 'SIGTERM');
};

if (on === 'engine-worker') {
  const Worker = workerThreads.Worker;
  workerThreads.Worker = function (...args) {
    workerThreads.Worker = Worker;
    raise();
    return new Worker(...args);
  };
} else if (on === 'stdout') {
  const write = process.stdout.write;
  process.stdout.write = function (...args) {
    raise();
    return write.apply(this, args);
  };
} else if (on.startsWith('write:')) {
  const name = on.slice('write:'.length);
  const writeFileSync = fs.writeFileSync;
  fs.writeFileSync = function (path, ...rest) {
    if (basename(String(path)) === name) raise();
    return writeFileSync.call(this, path, ...rest);
  };
  const writeFile = fsp.writeFile;
  fsp.writeFile = function (path, ...rest) {
    if (basename(String(path)) === name) raise();
    return writeFile.call(this, path, ...rest);
  };
} else {
  const renameSync = fs.renameSync;
  fs.renameSync = function (from, to) {
    const result = renameSync.call(this, from, to);
    if (basename(String(to)) === on) raise();
    return result;
  };
}

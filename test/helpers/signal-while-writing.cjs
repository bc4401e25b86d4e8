// Preloaded (node --require) by test/integration/late-interrupt.test.ts: raises RELAYMON_TEST_SIGNAL (SIGTERM by
// default) on this process once, at the moment RELAYMON_TEST_SIGNAL_ON names, both after a run's handler is gone:
// - a file's name: as that file is renamed into place (write-file-atomic's last step), while a finished run's
//   command writes its outputs;
// - "engine-worker": as an engine worker is made, i.e. between the phases of `evaluate` (its conform suite has ended,
//   its comparison has not begun).
// With no listener left for the signal, Node's default ends the process at the kill.
'use strict';
const fs = require('node:fs');
const { basename } = require('node:path');
const workerThreads = require('node:worker_threads');

const on = process.env.RELAYMON_TEST_SIGNAL_ON;
const raise = () => process.kill(process.pid, process.env.RELAYMON_TEST_SIGNAL ?? 'SIGTERM');

if (on === 'engine-worker') {
  const Worker = workerThreads.Worker;
  workerThreads.Worker = function (...args) {
    workerThreads.Worker = Worker;
    raise();
    return new Worker(...args);
  };
} else {
  const renameSync = fs.renameSync;
  fs.renameSync = function (from, to) {
    const result = renameSync.call(this, from, to);
    if (basename(String(to)) === on) {
      fs.renameSync = renameSync;
      raise();
    }
    return result;
  };
}

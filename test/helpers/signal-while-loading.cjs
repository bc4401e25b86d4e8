// Preloaded (node --require) by test/integration/early-interrupt.test.ts: raises SIGINT on this process when
// bin/relaymon.js compiles the bundle (new vm.Script), i.e. while relaymon is still loading, long before its run
// installs its handler. The signal is caught then and dispatched on a later turn of the event loop, after the
// hand-overs between the bin's listener, the CLI's and the run's (src/run/signals.ts): one that drops it fails.
'use strict';
const vm = require('node:vm');
const Script = vm.Script;
vm.Script = function (...args) {
  vm.Script = Script;
  process.kill(process.pid, 'SIGINT');
  return new Script(...args);
};

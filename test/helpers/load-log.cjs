/**
 * Preloaded into the CLI under test (NODE_OPTIONS="--require …/load-log.cjs",
 * see loadLogEnv in load-log.ts): appends one line per npm package file the
 * process loads to $RELAYMON_LOAD_LOG, "<how> <package>", from every thread.
 *
 * Two ways in, because neither sees everything: ES modules (relaymon's own,
 * and a package imported from them) go through the resolve hook of
 * load-log-hooks.mjs; files loaded with require() (createRequire in
 * relaymon, every file inside a CommonJS package) go through
 * Module._extensions, wrapped here. Both are set up in every thread: a
 * --require preload runs in each worker too, and a worker's imports were not
 * seen by a hook registered on the main thread only.
 */
'use strict';
const { appendFileSync } = require('node:fs');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');

const log = process.env.RELAYMON_LOAD_LOG;

/** The package a file belongs to: the name after its last node_modules/ (a nested dependency is a package loaded too). */
function packageOf(file) {
  const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](?!.*node_modules[\\/])/.exec(file);
  return m ? m[1].replace('\\', '/') : null;
}

if (log) {
  const seen = new Set();
  const note = (how, file) => {
    const pkg = packageOf(file);
    if (pkg === null || seen.has(`${how} ${pkg}`)) return;
    seen.add(`${how} ${pkg}`);
    appendFileSync(log, `${how} ${pkg}\n`);
  };
  // Node 20 has loaders for .js, .json and .node only (a .cjs file goes through the .js one).
  for (const ext of Object.keys(Module._extensions)) {
    const load = Module._extensions[ext];
    Module._extensions[ext] = function loadNoted(module, filename) {
      note('require', filename);
      return load.call(this, module, filename);
    };
  }
  Module.register(pathToFileURL(`${__dirname}/load-log-hooks.mjs`));
}

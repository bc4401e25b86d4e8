#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): an ES module entry starts Node's ES module loader, which a run from
// dist/bundle/main.cjs does not need (scripts/bundle.mjs says why the bundle is CommonJS).
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

// React's development build draws the dashboard several times slower, and few shells set NODE_ENV.
process.env.NODE_ENV ??= 'production';
// undici parses HTTP with llhttp, a WebAssembly module. V8 compiles it with its
// baseline compiler (Liftoff) and, once it has run a little, again with
// TurboFan on a background thread: for llhttp's one huge state-machine
// function that took ~130 ms and ~30 MB of transient memory, in every thread
// that sends, and the process could not exit until it was done (measured on
// `probe -n 1`: peak RSS 114 -> 78 MB, and the wait at exit gone;
// BENCHMARKS.md). Liftoff's code parses a response a few microseconds slower,
// nothing next to a relay's answer. Set before any WebAssembly is compiled,
// and a process-wide V8 flag, so the engine worker inherits it. V8's flags
// are part of what a code cache is checked against: set before compiling.
require('node:v8').setFlagsFromString('--liftoff-only');

/**
 * Runs a CommonJS bundle as require() would, compiled with V8's code cache
 * written next to it at build time (scripts/bundle.mjs): compiling the
 * ~0.8 MB bundle and the functions a run calls costs more than reading
 * what V8 compiled then (bench/startup.mjs). The cache is used only when
 * its first line is the build id on the bundle's first line, so a rebuilt
 * bundle never meets an old cache (V8 itself checks the source's length, the
 * V8 version and its flags only). A cache V8 rejects (another Node) or a
 * missing one: V8 compiles the source, as require() does.
 * RELAYMON_CODE_CACHE is for the build alone: "write" saves the cache at
 * exit, "check" says on stderr whether it was used.
 */
function runBundle(file) {
  const source = readFileSync(file, 'utf8');
  const id = /^\/\* relaymon build (\S+) \*\//.exec(source)?.[1];
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    const cache = readFileSync(cacheFile);
    const newline = cache.indexOf(10);
    if (id !== undefined && newline > 0 && cache.toString('latin1', 0, newline) === id) cachedData = cache.subarray(newline + 1);
  } catch {
    // no cache: compile
  }
  // __import: the bundle's `await import()`s (conf, an ES module only; node: modules) are this file's, whose
  // import() is Node's own (scripts/bundle.mjs rewrites them); a bare name resolves from the same node_modules.
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __import) {${source}\n})`, { filename: file, cachedData });
  const mode = process.env.RELAYMON_CODE_CACHE;
  if (mode === 'check') process.stderr.write(`code cache: ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
  if (mode === 'write' && id !== undefined) {
    process.once('exit', () => writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${id}\n`, 'latin1'), script.createCachedData()])));
  }
  const module = new Module(file);
  module.filename = file;
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file), (specifier) => import(specifier));
}

const args = process.argv.slice(2);
// A Ctrl-C (or SIGTERM) while the bundle loads is held for the command, not Node's exit with nothing printed:
// src/run/signals.ts takes over this listener and what it held (latchEarlySignals, releaseBinLatch).
if (!(args.length === 1 && (args[0] === '--version' || args[0] === '-V'))) {
  const early = { held: null, listener: null };
  early.listener = (signal) => {
    if (early.held === null) early.held = { signal, at: performance.now() };
    else if (performance.now() - early.held.at >= 250) process.exit(130); // a second signal, as src/run/signals.ts
  };
  globalThis[Symbol.for('relaymon.earlySignal')] = early;
  process.on('SIGINT', early.listener);
  process.on('SIGTERM', early.listener);
}
const bundle = join(__dirname, '..', 'dist', 'bundle');
if (args[0] === 'watch') {
  // The dashboard needs ink, an ES module only: watch runs from the ES module build.
  import('../dist/bundle/main.js');
} else if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // `relaymon --version` alone needs no command: answered without loading commander (src/cli/version-only.ts).
  require('../dist/bundle/version-only.cjs');
} else {
  runBundle(join(bundle, 'main.cjs'));
}

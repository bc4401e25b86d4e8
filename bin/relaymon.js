#!/usr/bin/env node
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
// and a process-wide V8 flag, so the engine worker inherits it.
const { setFlagsFromString } = await import('node:v8');
setFlagsFromString('--liftoff-only');
// `relaymon --version` alone needs no command: answered without loading commander (src/cli/version-only.ts).
const args = process.argv.slice(2);
const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
// dist/bundle/ is tsc's dist/ bundled by scripts/bundle.mjs.
await import(versionOnly ? '../dist/bundle/version-only.js' : '../dist/bundle/main.js');

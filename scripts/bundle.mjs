// Bundles tsc's output (dist/) into dist/bundle/, which bin/relaymon.js runs.
// Node 20's ES module loader reads, parses and links each of relaymon's ~150
// modules a command touches one file at a time; one chunk per lazy command
// and per shared part cut a one-shot probe's wall time by ~40 ms
// (bench/startup.mjs). npm packages stay outside (their own files, resolved
// from node_modules as before), and every `await import()` of a command stays
// a separate chunk, so --help still loads nothing but commander
// (test/integration/startup-imports.test.ts runs the bundle).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js', 'dist/cli/version-only.js', 'dist/engine/worker.js'],
  outdir: 'dist/bundle',
  // engine.ts starts its worker as ./worker.js next to itself.
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

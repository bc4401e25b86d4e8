// Bundles tsc's output (dist/) into dist/bundle/, which bin/relaymon.js runs.
//
// Two builds:
// 1. ES modules with one chunk per lazy command and per shared part
//    (main.js, version-only.js, worker.js, watch-tui.js and chunks). The
//    engine worker runs worker.js; `relaymon watch` runs main.js, because the
//    dashboard needs ink and string-width, which are ES modules only and
//    cannot be require()d on Node 20.18.
// 2. One CommonJS file per entry (main.cjs, version-only.cjs), which every
//    other command line runs. Node 20's ES module loader reads, resolves,
//    compiles and links each chunk on its own: a one-shot probe loaded ~65
//    of them, ~0.3 ms each, and one file is one read and one compile
//    (bench/startup.mjs). esbuild keeps each `await import()` of relaymon's
//    own modules lazy inside the file (evaluated when called), and npm
//    packages stay outside, require()d where they were imported, so --help
//    still loads nothing but commander (test/integration/startup-imports.test.ts).
//    The dashboard (run/watch-tui.js) is left out: bin/relaymon.js sends
//    `watch` to the ES build.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['dist/cli/main.js', 'dist/cli/version-only.js', 'dist/engine/worker.js', 'dist/run/watch-tui.js'],
  outdir: 'dist/bundle',
  // engine.ts starts its worker as ./worker.js next to itself.
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  splitting: true,
  format: 'esm',
  packages: 'external',
});

/** ES-module-only packages: none may be require()d by the CommonJS build (checked below). env-paths is one, and small: bundled in. */
const BUNDLED = new Set(['env-paths']);

/** In the CommonJS build, run/watch-tui.js (the dashboard) is this: `watch` never runs from it (bin/relaymon.js). */
const NO_TUI = `export function runWatchTui() { throw new Error('the dashboard runs from the ES module build (bin/relaymon.js sends watch there)'); }`;

const cjs = await build({
  ...common,
  entryPoints: { main: 'dist/cli/main.js', 'version-only': 'dist/cli/version-only.js' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  metafile: true,
  // import.meta.url is the bundle's own URL: the files found from it (package.json, dist/tables, ./worker.js) are where the ES build's chunks look.
  define: { 'import.meta.url': '__bundleUrl' },
  // The build id pairs the bundle with its code cache (bin/relaymon.js); "use strict" first, as the ES modules it came from were.
  banner: { js: `/* relaymon build ${randomUUID()} */\n"use strict";\nvar __bundleUrl = require("node:url").pathToFileURL(__filename).href;` },
  plugins: [
    {
      name: 'relaymon-cjs',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(args.path) ? undefined : { path: args.path, external: true }));
        b.onResolve({ filter: /[\\/]watch-tui\.js$/ }, () => ({ path: 'watch-tui', namespace: 'no-tui' }));
        b.onLoad({ filter: /.*/, namespace: 'no-tui' }, () => ({ contents: NO_TUI, loader: 'js' }));
      },
    },
  ],
});

// The bundle's `await import()`s of what stays outside (conf, an ES module only; node: modules) call bin's instead: bin
// compiles main.cjs with vm.Script, where import() needs a callback that Node 20 either warns about (its main-context
// loader, experimental) or allows behind --experimental-vm-modules only, and loses with a code cache. bin's own import()
// resolves a bare name from the same node_modules. Every one must be rewritten, or the build fails.
const dynamic = new Set();
for (const output of Object.values(cjs.metafile.outputs)) {
  for (const imp of output.imports) if (imp.external && imp.kind === 'dynamic-import') dynamic.add(imp.path);
}
const mainFile = 'dist/bundle/main.cjs';
let mainSource = readFileSync(mainFile, 'utf8');
for (const path of dynamic) {
  const call = `import(${JSON.stringify(path)})`;
  if (!mainSource.includes(call)) throw new Error(`scripts/bundle.mjs: ${call} not found in ${mainFile}`);
  mainSource = mainSource.replaceAll(call, `__import(${JSON.stringify(path)})`);
}
const left = /\bimport\(/.exec(mainSource.replace(/__import\(/g, ''));
if (left) throw new Error(`scripts/bundle.mjs: an import() is left in ${mainFile} at ${left.index}`);
writeFileSync(mainFile, mainSource);

// Every package the CommonJS build loads must be require()-able on Node 20.18, where require() of an ES module
// fails (20.19 and later allow it, so the check turns that off): a dependency that goes ES-module-only fails the build here, not a user's run.
const required = new Set();
for (const output of Object.values(cjs.metafile.outputs)) {
  // An `await import()` (conf) stays one in the CommonJS file, and loads ES modules as before.
  for (const imp of output.imports) if (imp.external && imp.kind !== 'dynamic-import' && !imp.path.startsWith('node:')) required.add(imp.path);
}
const probe = `const bad = []; for (const p of ${JSON.stringify([...required])}) { try { require(p); } catch (err) { bad.push(p + ': ' + err.code); } } if (bad.length) { console.error(bad.join('\\n')); process.exit(1); }`;
try {
  execFileSync(process.execPath, ['--no-experimental-require-module', '-e', probe], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  throw new Error(`the CommonJS bundle require()s packages that are ES modules only (add them to BUNDLED in scripts/bundle.mjs, or keep their importers out of it):\n${err.stderr}`);
}

// V8's code cache for main.cjs (bin/relaymon.js runs it with it): what V8 compiled for a probe -n 1 against a zero-delay
// `relaymon mock` (the commands share main's code, the client and the engine), written when that run exits. Then a
// --help must use it, or the build fails: V8 rejects a cache made under other flags, and bin sets one.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?_proxy|no_proxy|all_proxy|OPENAI_|ANTHROPIC_|RELAYMON_|NODE_OPTIONS$)/i.test(k)));
const cwd = mkdtempSync(join(tmpdir(), 'relaymon-code-cache-'));
env.RELAYMON_CONFIG_DIR = cwd;
const cacheFile = 'dist/bundle/main.cjs.cache';
rmSync(cacheFile, { force: true });
const mock = spawn(process.execPath, ['bin/relaymon.js', 'mock', '--port', '0', '--ttft', '0', '--itl', '0', '--no-jitter'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'ignore'] });
try {
  const url = await new Promise((resolve, reject) => {
    mock.once('error', reject);
    mock.once('exit', (code) => reject(new Error(`relaymon mock exited ${code}`)));
    createInterface({ input: mock.stdout }).once('line', (line) => {
      const m = /^listening on (\S+)$/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`relaymon mock said: ${line}`));
    });
  });
  execFileSync(process.execPath, [join(process.cwd(), 'bin/relaymon.js'), 'probe', '-n', '1', '--base-url', url], { cwd, env: { ...env, RELAYMON_CODE_CACHE: 'write' }, stdio: 'ignore' });
} finally {
  mock.kill('SIGTERM');
  rmSync(cwd, { recursive: true, force: true });
}
const check = spawnSync(process.execPath, ['bin/relaymon.js', '--help'], { env: { ...env, RELAYMON_CODE_CACHE: 'check' }, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] }).stderr;
if (!existsSync(cacheFile) || !check.includes('code cache: used')) throw new Error(`the code cache of dist/bundle/main.cjs was not made or not used: ${check}`);

/**
 * The layering of src/, checked by dependency-cruiser (`npm run lint:layers`,
 * a step of .ci/run). docs/architecture.md explains each folder and why it may
 * import what it may; the two must say the same thing.
 *
 * A bare `depcruise src` finds this file by its name, so the options that
 * decide what is seen (type-only imports, TypeScript resolution) live here and
 * not on a command line.
 */
const path = require('node:path');

/**
 * The folders below src/ whose imports are an allow-list: each may import only
 * itself, src/version.ts and these. (An import of cli or run is reported by the
 * two rules that hold for every folder, not a second time here.)
 */
const MAY_IMPORT = {
  core: [],
  // A generic data structure (the sparse HDR histogram), no statistics in it.
  hdr: ['core'],
  protocol: ['core'],
  pricing: ['core'],
  tokens: ['core', 'pricing'],
  honesty: ['core', 'protocol', 'pricing'],
  config: ['core'],
  client: ['core', 'protocol', 'pricing', 'tokens', 'honesty'],
  traffic: ['core', 'config', 'protocol', 'pricing', 'tokens'],
  // Not protocol: the mock writes the wire on its own, so that a test against it checks the client's parsers.
  mock: ['core', 'config', 'tokens'],
  alerts: ['core', 'config', 'protocol', 'stats', 'metrics'],
  compare: ['core', 'honesty', 'stats', 'metrics', 'export'],
  cost: ['core', 'pricing', 'honesty', 'export'],
  // The conformance suite (relaymon conform): its plan reuses the probe kinds' requests; judging is pure.
  conform: ['core', 'protocol', 'traffic'],
  // relaymon evaluate's verdict rules: pure, over what compare, conform and cost measured.
  evaluate: ['core', 'config', 'pricing', 'compare', 'conform', 'cost', 'export'],
  // relaymon report: the HTML from a run's or a log's results; statistics from stats, wording from export.
  report: ['core', 'stats', 'metrics', 'export'],
  export: ['core', 'config', 'pricing', 'honesty', 'traffic', 'stats', 'metrics', 'alerts', 'engine'],
  ui: ['core', 'honesty', 'stats', 'metrics', 'alerts', 'export'],
};

/**
 * Folders being reshaped (the metric catalogue, the statistics, the engine): a
 * deny-list, the layers they must never reach. (cli and run: see the rules
 * nothing-imports-cli and only-cli-imports-run, which hold for every folder.)
 */
const MAY_NOT_IMPORT = {
  stats: ['ui', 'client', 'engine', 'export', 'mock', 'traffic'],
  metrics: ['ui', 'client', 'engine', 'export', 'mock', 'traffic'],
  engine: ['ui'],
};

/**
 * Single files outside a folder's allow-list that it may import for their types
 * only (`import type`), never their code.
 */
const TYPES_ONLY = {
  // The dashboard draws the snapshots the engine posts, and nothing else of the engine.
  ui: ['src/engine/messages.ts'],
  // A traffic plan's type (TrafficPlan) is declared where it crosses to the worker.
  traffic: ['src/engine/messages.ts'],
};

/**
 * Folders whose npm imports are an allow-list too: src/hdr mirrors
 * hdr-histogram-js's bucket layout and needs no other package.
 */
const PACKAGES = {
  hdr: ['hdr-histogram-js'],
};

const exact = (file) => `^${file.replace(/\./g, '\\.')}$`;

const folder = (names) => `^src/(${names.join('|')})/`;

const allowListRules = Object.entries(MAY_IMPORT).map(([name, allowed]) => ({
  name: `layer-${name}`,
  comment: `src/${name} may import only ${allowed.length === 0 ? 'itself' : allowed.map((a) => `src/${a}`).join(', ')} (docs/architecture.md).`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [folder([name, ...allowed, 'cli', 'run']), '^src/version\\.ts$', ...(TYPES_ONLY[name] ?? []).map(exact)] },
}));

const typeOnlyRules = Object.entries(TYPES_ONLY).map(([name, files]) => ({
  name: `layer-${name}-types-only`,
  comment: `src/${name} may import ${files.join(', ')} with \`import type\` only (docs/architecture.md).`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: files.map(exact), dependencyTypesNot: ['type-only'] },
}));

const packageRules = Object.entries(PACKAGES).map(([name, allowed]) => ({
  name: `layer-${name}-packages`,
  comment: `src/${name} may import only the packages ${allowed.join(', ')} (docs/architecture.md).`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'], pathNot: allowed.map((p) => `(^|/)node_modules/${p.replace(/\./g, '\\.')}/`) },
}));

const denyListRules = Object.entries(MAY_NOT_IMPORT).map(([name, denied]) => ({
  name: `layer-${name}`,
  comment: `src/${name} must not import ${denied.map((d) => `src/${d}`).join(', ')} (docs/architecture.md).`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: folder(denied) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: the modules cannot be read, tested or loaded one before the other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import the checker cannot resolve would escape every rule below.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'src/cli declares the commands; nothing below a command may depend on one.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'only-cli-imports-run',
      comment: 'src/run is the one run pipeline the commands call; nothing below a command calls it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|run)/' },
      to: { path: '^src/run/' },
    },
    ...allowListRules,
    ...typeOnlyRules,
    ...packageRules,
    ...denyListRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through types is still a cycle for a reader, and the types-only rules are about them.
    tsPreCompilationDeps: true,
    // Absolute, so the test of the rules (test/layering) can run them from a fixture folder.
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    // Node's own resolution of ESM packages (ink, conf, gpt-tokenizer's subpaths are reached through their "exports").
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'], mainFields: ['module', 'main', 'types'] },
  },
};

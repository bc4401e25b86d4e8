import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Modules loaded when a module is (its static imports, not `import type`, not `await import()`), to the bottom. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const re = /^(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?'([^']+)'/gm;
    for (const m of text.matchAll(re)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) {
        if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const base = join(dirname(file), spec).replace(/\.js$/, '');
      const resolved = [`${base}.ts`, `${base}.tsx`].find((p) => existsSync(p));
      if (resolved === undefined) throw new Error(`cannot resolve ${spec} from ${file}`);
      stack.push(resolved);
    }
  }
  return { files, packages };
}

describe('registering commands is cheap (relaymon --help, relaymon mock)', () => {
  const { files, packages } = staticGraph(join(SRC, 'cli/main.ts'));
  const loaded = [...files].map((f) => relative(SRC, f));

  it('loads neither the engine, the client, the dashboard nor a run action: each action imports them when it runs', () => {
    // ui/defaults.ts holds only constants (its comment says why).
    expect(loaded.filter((f) => /^(engine|client|ui)\//.test(f) && f !== 'ui/defaults.ts')).toEqual([]);
    // The commands' defaults, the terminal writer (main.ts reports errors through it) and the signal latch (main.ts holds
    // a Ctrl-C for the run from its first line): all cheap. The file writer (io.ts) needs write-file-atomic.
    expect(loaded.filter((f) => f.startsWith('run/')).sort()).toEqual(['run/defaults.ts', 'run/signals.ts', 'run/terminal.ts']);
  });

  it('loads no npm package but commander: zod, yaml, the histograms and the statistics load with the action that needs them', () => {
    expect([...packages].sort()).toEqual(['commander']);
  });

  it('loads no config schema, threshold grammar, metric catalogue, price table or simulated relay', () => {
    const heavy = ['config/schema.ts', 'config/load.ts', 'config/preferences.ts', 'stats/thresholds.ts', 'stats/thresholds-parse.ts', 'metrics/catalog.ts', 'pricing/table.ts', 'mock/server.ts'];
    expect(loaded.filter((f) => heavy.includes(f))).toEqual([]);
  });
});

describe('relaymon --version alone (bin/relaymon.js imports cli/version-only.ts)', () => {
  it('loads no npm package and no command: the version, the terminal writer and what they need', () => {
    const { files, packages } = staticGraph(join(SRC, 'cli/version-only.ts'));
    expect([...packages]).toEqual([]);
    expect([...files].map((f) => relative(SRC, f)).sort()).toEqual(['cli/version-only.ts', 'core/errors.ts', 'core/fs-reason.ts', 'core/package-root.ts', 'core/redact.ts', 'run/terminal.ts', 'version.ts']);
  });
});

describe('relaymon probe (src/run/probe.ts, the engine on its thread)', () => {
  it('loads the simulated relay only for --demo', () => {
    const { files } = staticGraph(join(SRC, 'run/probe.ts'));
    expect([...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('mock/'))).toEqual([]);
  });

  it('loads the in-process engine only when a run asks for it: the worker runs of every other command never load the runner on the main thread', () => {
    const { files } = staticGraph(join(SRC, 'run/pipeline.ts'));
    const loaded = [...files].map((f) => relative(SRC, f));
    expect(loaded).toContain('engine/engine.ts');
    expect(loaded.filter((f) => ['engine/in-process.ts', 'engine/serve.ts', 'engine/runner.ts'].includes(f) || f.startsWith('client/'))).toEqual([]);
  });
});

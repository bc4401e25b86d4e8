/**
 * docs/architecture.md states what each folder may (or must not) import;
 * .dependency-cruiser.cjs enforces it. The two tables must say the same thing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface Rule {
  name: string;
  to: { path?: string | string[]; pathNot?: string | string[] };
}

const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: Rule[] };
const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

/** The folders of a `^src/(a|b|c)/` pattern. */
function folders(pattern: string | string[] | undefined): string[] {
  const first = Array.isArray(pattern) ? pattern[0] : pattern;
  const m = /^\^src\/\(([^)]+)\)\/$/.exec(first ?? '');
  return m ? m[1]!.split('|') : [];
}

/** Rows of the markdown table under the line that starts with `heading`: folder → the folders its second cell lists. */
function docTable(heading: string): Map<string, string[]> {
  const start = doc.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string[]>();
  const lines = doc.slice(start).split('\n').slice(1);
  let seen = false;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      if (seen) break;
      continue;
    }
    seen = true;
    const [, who = '', what = ''] = line.split('|').map((c) => c.trim());
    if (who === 'folder' || who.startsWith('---')) continue;
    // The list ends at the first ';', '—' or '(' (what follows explains it).
    const list = what.split(/;|—|\(/)[0]!.trim();
    const named = list === 'nothing' ? [] : list.split(',').map((s) => s.trim());
    for (const folder of who.split(',').map((s) => s.trim())) rows.set(folder, named.sort());
  }
  return rows;
}

describe('docs/architecture.md and .dependency-cruiser.cjs', () => {
  it('list the same allowed imports for every settled folder', () => {
    const rules = new Map<string, string[]>();
    for (const r of config.forbidden) {
      const m = /^layer-([a-z]+)$/.exec(r.name);
      if (!m || r.to.pathNot === undefined) continue;
      const own = m[1]!;
      rules.set(own, folders(r.to.pathNot).filter((f) => f !== own && f !== 'cli' && f !== 'run').sort());
    }
    expect(rules.size).toBeGreaterThan(10);
    expect(docTable('Settled folders import only themselves')).toEqual(rules);
  });

  it('list the same forbidden imports for every folder being reshaped', () => {
    const rules = new Map<string, string[]>();
    for (const r of config.forbidden) {
      const m = /^layer-([a-z]+)$/.exec(r.name);
      if (!m || r.to.pathNot !== undefined) continue;
      rules.set(m[1]!, folders(r.to.path).sort());
    }
    expect(rules.size).toBeGreaterThan(0);
    expect(docTable('Folders being reshaped have a list')).toEqual(rules);
  });

  it('name every rule that holds everywhere', () => {
    const names = config.forbidden.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['no-circular', 'nothing-imports-cli', 'only-cli-imports-run']));
    expect(doc).toContain('**no import cycles**');
    expect(doc).toContain('**nothing imports `src/cli/`**, and **only `src/cli/` imports `src/run/`**');
  });
});

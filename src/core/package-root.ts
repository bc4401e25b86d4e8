/**
 * The folder relaymon is installed in: the nearest one above this file whose
 * package.json is relaymon's. Its code runs from three depths under it — the
 * TypeScript sources (tests), dist/ (tsc's output) and dist/bundle/ (what
 * bin/relaymon.js runs) — so files it ships (package.json, dist/tables/)
 * are found from the root, never by a fixed number of `../`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root !== null) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'relaymon') return (root = dir);
    } catch {
      // no package.json here (or not JSON): keep going up
    }
    if (dirname(dir) === dir) throw new Error('relaymon: cannot find its own package.json above ' + fileURLToPath(import.meta.url));
  }
}

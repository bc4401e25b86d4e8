import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './core/package-root.js';

/** Read from package.json at run time, so `npm version` is the one place it changes. */
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();

import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRELOAD = fileURLToPath(new URL('./load-log.cjs', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'relaymon-loads-'));
let runs = 0;

export interface LoadLog {
  /** The environment that makes the CLI log what it loads (see load-log.cjs): pass it to runCli. */
  env: Record<string, string>;
  /** The npm packages the process loaded, on any thread, by import or require, sorted. */
  packages(): string[];
}

/** A fresh log for one run of the CLI. */
export function loadLog(): LoadLog {
  runs += 1;
  const file = join(DIR, `loads-${runs}.log`);
  return {
    env: { NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`, RELAYMON_LOAD_LOG: file },
    packages: () => {
      if (!existsSync(file)) return [];
      const names = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ')[1] ?? '');
      return [...new Set(names)].sort();
    },
  };
}

/**
 * Where the config file is, and which file a loaded config came from: what a
 * run needs before it knows whether there is a config to parse. Apart from
 * load.ts (yaml, the zod schema), so a run without a config file loads
 * neither; load.ts re-exports it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { expandHome } from './paths.js';

/** Looked for in this order in the working directory. */
export const CONFIG_FILE_NAMES = ['relaymon.config.yaml', 'relaymon.config.yml', 'relaymon.config.json'] as const;

/** Where each loaded config came from, so later errors (an unset ${VAR}) can name the file. */
const sources = new WeakMap<object, string>();

/** Called by load.ts for each config it parses. */
export function noteSource(config: object, file: string): void {
  sources.set(config, file);
}

export function configSource(config: object): string | null {
  return sources.get(config) ?? null;
}

/**
 * `--config FILE` wins, then $RELAYMON_CONFIG, then the first of CONFIG_FILE_NAMES
 * in `cwd`. A file named explicitly (flag or variable) must exist; returns an
 * absolute path, or null when there is simply no config (that is fine).
 */
export function findConfigFile(opts: { cwd: string; explicit?: string | undefined; env: NodeJS.ProcessEnv }): string | null {
  const named: Array<[string | undefined, string]> = [
    [opts.explicit, ''],
    [opts.env['RELAYMON_CONFIG'], ' (from RELAYMON_CONFIG)'],
  ];
  for (const [value, origin] of named) {
    if (value === undefined || value === '') continue;
    const abs = resolve(opts.cwd, expandHome(value));
    if (!existsSync(abs)) throw new ConfigError(`config file not found: ${value}${origin}`, abs);
    return abs;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const abs = resolve(opts.cwd, name);
    if (existsSync(abs)) return abs;
  }
  return null;
}

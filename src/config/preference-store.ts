/**
 * Where the preferences are kept and what the file holds, read without
 * validating: zod (preferences.ts) is loaded only when a preference is set
 * (run/preferences.ts), so a run with none does not pay for it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import { ConfigError } from '../core/errors.js';

export interface PreferenceOptions {
  env?: NodeJS.ProcessEnv;
}

export function preferencesDir(opts: PreferenceOptions): string {
  const dir = (opts.env ?? process.env)['RELAYMON_CONFIG_DIR'];
  return dir ? resolve(dir) : envPaths('relaymon', { suffix: '' }).config;
}

/** The file conf keeps: `<dir>/preferences.json`. */
export function preferencesPath(opts: PreferenceOptions = {}): string {
  return join(preferencesDir(opts), 'preferences.json');
}

/** Reading needs no conf: the store is a plain JSON object. A missing file is no preferences. */
export function readStore(opts: PreferenceOptions): { path: string; data: Record<string, unknown> } {
  const path = preferencesPath(opts);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, data: {} };
    throw new ConfigError(`cannot read the preferences file ${path}: ${(err as Error).message}`, path, null, { cause: err });
  }
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON; fix or delete it (relaymon config path)`, path, null, { cause: err });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${path}: expected a JSON object; fix or delete it`, path, null);
  }
  return { path, data: data as Record<string, unknown> };
}

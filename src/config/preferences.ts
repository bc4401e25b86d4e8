import type Conf from 'conf';
import { z } from 'zod';
import { ConfigError, UsageError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import { describeValue } from './primitives.js';
import { PREFERENCE_DESCRIPTIONS, PREFERENCE_KEYS, type PreferenceKey } from './preference-keys.js';
import { preferencesDir, readStore, type PreferenceOptions } from './preference-store.js';

export { PREFERENCE_DESCRIPTIONS, PREFERENCE_KEYS, type PreferenceKey };
export { preferencesPath, type PreferenceOptions } from './preference-store.js';

/**
 * Per-user preferences (`relaymon config set fps 30`), kept by `conf` in the
 * user's config folder, or in $RELAYMON_CONFIG_DIR when set (tests, portable
 * installs). Unlike relaymon.config.yaml these are about the terminal, not
 * about what to measure, so they hold nothing secret.
 */

const intervalSchema = z.string().refine(
  (v) => {
    try {
      return parseDuration(v) > 0;
    } catch {
      return false;
    }
  },
  { error: 'expected a duration above zero like "5s" or "500ms"' },
);

const PREFERENCE_SCHEMAS = {
  color: z.boolean({ error: 'expected true or false' }),
  defaultModel: z.string().min(1, { error: 'expected a model name' }),
  fps: z.int({ error: 'expected a whole number from 1 to 60' }).min(1, { error: 'expected a whole number from 1 to 60' }).max(60, {
    error: 'expected a whole number from 1 to 60',
  }),
  interval: intervalSchema,
  window: z.enum(['1m', '5m', '15m', 'all'], { error: 'expected one of 1m, 5m, 15m, all' }),
} as const satisfies Record<PreferenceKey, z.ZodType>;

export type Preferences = { [K in PreferenceKey]?: z.output<(typeof PREFERENCE_SCHEMAS)[K]> };
export type PreferenceValue = NonNullable<Preferences[PreferenceKey]>;

function isKey(key: string): key is PreferenceKey {
  return Object.hasOwn(PREFERENCE_SCHEMAS, key);
}

function checkKey(key: string): PreferenceKey {
  if (!isKey(key)) throw new UsageError(`unknown preference "${key}"; known: ${PREFERENCE_KEYS.join(', ')}`);
  return key;
}

/**
 * conf writes through atomically, whose synchronous retry loop busy-waits on
 * some errors (a directory under /proc: ENOENT on every attempt, for good):
 * the process spun at full CPU and, its loop blocked, never ran the SIGTERM
 * handler. So the directory is made and checked here first, and a failure
 * is a clear error at once.
 */
async function ensureWritableDir(dir: string): Promise<void> {
  const { access, constants } = await import('node:fs/promises');
  try {
    await makeDirs(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`cannot write preferences to ${dir} (${code}): set RELAYMON_CONFIG_DIR to a writable directory`, dir, null, { cause: err });
  }
}

/**
 * `mkdir -p` one level at a time. Node's own `mkdir(dir, {recursive: true})`
 * never returns for a path under /proc (it retries the ENOENT a pseudo file
 * system answers for good), and neither would conf's, which uses it.
 */
async function makeDirs(dir: string): Promise<void> {
  const { mkdir, stat } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!(await stat(d)).isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw err;
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * conf is loaded only to write. Importing it hooks every signal (through
 * atomically → when-exit) and re-raises SIGINT after its own handler, which
 * would turn a clean first Ctrl-C into an immediate exit in every command.
 */
async function openStore(opts: PreferenceOptions): Promise<Conf<Record<string, unknown>>> {
  await ensureWritableDir(preferencesDir(opts));
  const { default: ConfStore } = await import('conf');
  try {
    return new ConfStore<Record<string, unknown>>({
      projectName: 'relaymon',
      projectSuffix: '',
      configName: 'preferences',
      accessPropertiesByDotNotation: false,
      cwd: preferencesDir(opts),
    });
  } catch (err) {
    throw new ConfigError(`cannot read the preferences file: ${(err as Error).message}`, null, null, { cause: err });
  }
}

/** Turn command-line text into the value the key holds ("true" → true, "30" → 30); other values pass through. */
export function coercePreference(key: PreferenceKey, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (key === 'color') {
    const lower = text.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(lower)) return true;
    if (['false', 'no', 'off', '0'].includes(lower)) return false;
    return text;
  }
  if (key === 'fps') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  return text;
}

function validate(key: PreferenceKey, value: unknown, source: 'input' | 'store', path: string): PreferenceValue {
  const result = PREFERENCE_SCHEMAS[key].safeParse(value);
  if (result.success) return result.data;
  const expected = result.error.issues[0]?.message ?? 'expected a valid value';
  const message = `${key}: ${expected}, got ${describeValue(value)}`;
  if (source === 'input') throw new UsageError(message);
  throw new ConfigError(`${path}: ${message}; fix it with: relaymon config set ${key} VALUE`, path, key);
}

export function getPreference<K extends PreferenceKey>(key: K, opts?: PreferenceOptions): Preferences[K] | undefined;
export function getPreference(key: string, opts?: PreferenceOptions): PreferenceValue | undefined;
export function getPreference(key: string, opts: PreferenceOptions = {}): PreferenceValue | undefined {
  const k = checkKey(key);
  const store = readStore(opts);
  const value = store.data[k];
  return value === undefined ? undefined : validate(k, value, 'store', store.path);
}

/** Validates, stores and returns the value as stored. */
export async function setPreference(key: string, value: unknown, opts: PreferenceOptions = {}): Promise<PreferenceValue> {
  const k = checkKey(key);
  const parsed = validate(k, coercePreference(k, value), 'input', '');
  (await openStore(opts)).set(k, parsed);
  return parsed;
}

export async function deletePreference(key: string, opts: PreferenceOptions = {}): Promise<void> {
  const k = checkKey(key);
  (await openStore(opts)).delete(k);
}

/** The known preferences that are set; unknown entries in the file are left alone and not returned. */
export function listPreferences(opts: PreferenceOptions = {}): Preferences {
  const store = readStore(opts);
  const out: Record<string, PreferenceValue> = {};
  for (const key of PREFERENCE_KEYS) {
    const value = store.data[key];
    if (value !== undefined) out[key] = validate(key, value, 'store', store.path);
  }
  return out as Preferences;
}

/**
 * The user's preferences as a run reads them: the store is read as plain JSON
 * first (config/preference-store.ts), and the validating module with its zod
 * schemas (config/preferences.ts) is loaded only when the key is set. Same
 * value and same errors as getPreference, which it calls then.
 */
import type { PreferenceKey, Preferences } from '../config/preferences.js';
import { readStore } from '../config/preference-store.js';

export async function preference<K extends PreferenceKey>(key: K): Promise<Preferences[K] | undefined> {
  if (readStore({}).data[key] === undefined) return undefined;
  const { getPreference } = await import('../config/preferences.js');
  return getPreference(key);
}

/**
 * The preferences' names and what each is for, apart from their schemas
 * (preferences.ts): `relaymon config --help` lists them, and registering a
 * command must not load zod or env-paths.
 */
export const PREFERENCE_KEYS = ['color', 'defaultModel', 'fps', 'interval', 'window'] as const;
export type PreferenceKey = (typeof PREFERENCE_KEYS)[number];

export const PREFERENCE_DESCRIPTIONS: Record<PreferenceKey, string> = {
  color: 'colour output (true/false); NO_COLOR and --no-color still win',
  defaultModel: 'model used when a command is given no --model',
  fps: 'dashboard redraws per second (1-60)',
  interval: 'plain-mode line interval, e.g. 5s',
  window: 'rolling window shown first in the dashboard: 1m, 5m, 15m or all',
};

/**
 * The rolling windows' names, apart from slots.ts: `watch --window` lists
 * them in --help, and registering a command must not load the histograms.
 */
export const WINDOW_NAMES = ['1m', '5m', '15m', 'all'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

/**
 * Defaults of the run commands, apart from their modules so that a command's
 * flags and help (src/cli) can name them without loading the engine.
 */
import type { Protocol } from '../core/result.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';

/** How long a stop waits for requests in flight before cancelling them. */
export const DEFAULT_GRACE_MS = 10_000;

/** Requests in flight when the user quits the dashboard get this long to finish; a dashboard user expects a prompt exit. */
export const WATCH_GRACE_MS = 5000;

/** Small, cheap models: a probe through a paid relay costs the user money. */
export const DEFAULT_PROBE_MODEL: Record<Protocol, string> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
  'openai-responses': 'gpt-4o-mini',
};

export const DEFAULT_CHECK_DURATION = '30s';
export const DEFAULT_COMPARE_DURATION = '60s';
/** watch's plain-mode line interval. */
export const DEFAULT_INTERVAL = '5s';

/** --interval (and the "interval" preference): at least 100 ms. */
export function parseInterval(text: string): number {
  const ms = parseDuration(text);
  if (!(ms >= 100)) throw new UsageError(`--interval must be at least 100ms, got "${text}"`);
  return ms;
}

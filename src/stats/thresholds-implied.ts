/**
 * The error-rate guard: timing thresholds are over successful requests only
 * (summary.ts), so a relay failing fast could pass every one of them. Unless
 * the user wrote an `errors` threshold of their own, `errors:rate<0.05` is
 * implied, marked `implied: true` in the results and printed as implied;
 * `--no-default-thresholds` turns it off.
 */
import { parseThreshold } from './thresholds-parse.js';
import type { Threshold } from './thresholds-types.js';

export const IMPLIED_ERRORS_THRESHOLD = 'errors:rate<0.05';

/** The user's thresholds, plus the implied guard when they have no `errors` threshold and `enabled`. */
export function withImpliedThresholds(user: readonly Threshold[], enabled: boolean): Threshold[] {
  if (!enabled || user.some((t) => t.metric === 'errors')) return [...user];
  return [...user, { ...parseThreshold(IMPLIED_ERRORS_THRESHOLD), implied: true }];
}

/** The expressions of the implied thresholds, for the text and JUnit outputs that mark them. */
export function impliedExpressions(thresholds: readonly Threshold[]): string[] {
  return thresholds.filter((t) => t.implied === true).map((t) => t.expression);
}

/**
 * The errors threshold a bounded run implies (thresholds.ts applies it), apart
 * from the threshold grammar: the commands' --help quotes it, and registering
 * a command must not load the metric catalogue.
 */
export const IMPLIED_ERRORS_THRESHOLD = 'errors:rate<0.05';

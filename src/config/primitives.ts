import { z } from 'zod';
import { parseDuration, parseRate } from '../core/units.js';
import { describeValue, httpUrlProblem, isEnvName, isHeaderName, quoteValue, ENV_NAME_EXPECTED, HEADER_NAME_EXPECTED, NAME_EXPECTED, NAME_RE, URL_EXPECTED } from './predicates.js';

export {
  describeValue,
  ENV_NAME_EXPECTED,
  HEADER_NAME_EXPECTED,
  isEnvName,
  isHeaderName,
  isHttpUrl,
  looksLikeSecret,
  NAME_EXPECTED,
  NAME_RE,
  PROM_LABEL_RE,
  quoteValue,
  URL_EXPECTED,
} from './predicates.js';

/**
 * Building blocks for the config schema. Error messages start with "expected"
 * so the issue formatter can tell ours from zod's defaults and append what it got.
 */

export const nameSchema = z.string().regex(NAME_RE, { error: NAME_EXPECTED });

// The value is not echoed: when it is wrong, it is often the key itself.
export const envNameSchema = z.string().superRefine((v, ctx) => {
  if (!isEnvName(v)) ctx.addIssue({ code: 'custom', message: ENV_NAME_EXPECTED });
});

export const headerNameSchema = z.string().superRefine((v, ctx) => {
  if (!isHeaderName(v)) ctx.addIssue({ code: 'custom', message: HEADER_NAME_EXPECTED });
});

export const httpUrlSchema = z.string().superRefine((v, ctx) => {
  const problem = httpUrlProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `${problem}, got ${quoteValue(v)}` });
});

/** A URL, or a string that takes it from the environment (`${SLACK_WEBHOOK_URL}`), expanded later. */
export const urlOrEnvSchema = z.string().superRefine((v, ctx) => {
  const problem = v.includes('${') ? null : httpUrlProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `${problem === URL_EXPECTED ? `${URL_EXPECTED} or "\${ENV_VAR}"` : problem}, got ${quoteValue(v)}` });
});

const DURATION_HINT = 'a duration like "800ms", "5s", "2m" or a number of milliseconds';

/**
 * Durations stay as written ("5s" or 5000); consumers turn them into ms with
 * core/units parseDuration, which is also what validates them here.
 */
export function durationSchema(opts: { min: 'zero' | 'positive' }) {
  return z
    .union([z.string(), z.number()], { error: `expected ${DURATION_HINT}` })
    .superRefine((v, ctx) => {
      let ms: number;
      try {
        ms = parseDuration(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${describeValue(v)}` });
        return;
      }
      if (opts.min === 'positive' && !(ms > 0)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration above zero, got ${describeValue(v)}` });
      }
    })
    .describe(`${DURATION_HINT}${opts.min === 'positive' ? ', above zero' : ''}`);
}

export const rateSchema = z
  .string()
  .superRefine((v, ctx) => {
    try {
      parseRate(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a rate like "2/s", "30/m" or "100/h", got ${describeValue(v)}` });
    }
  })
  .describe('requests per unit of time, Poisson arrivals: "2/s", "30/m", "100/h"');


/**
 * `relaymon cost --from FILE`: the measured usage ratios per target (how many
 * tokens a target bills per token relaymon counts), from a `compare --json`
 * output or a request log (--log). Every count and ratio read is checked: a
 * hand-edited or corrupted file once gave a ratio of 1.25e+299 or a negative
 * one, and the bill it made overflowed and was shown as "unpriced".
 */
import { UsageError } from '../core/errors.js';
import type { RequestResult } from '../core/result.js';
import { usageRatio } from '../honesty/reconcile.js';
import { MAX_MIX_TOKENS } from './cost-mix.js';

/**
 * The most tokens a target may bill per token relaymon counts. An honest relay
 * bills 1; one that inflates its usage tenfold is a finding; a thousandfold is a
 * broken file, not a relay. With it, a mix at its limit (MAX_MIX_TOKENS) still
 * makes a finite bill.
 */
export const MAX_USAGE_RATIO = 1000;

/** The token counts of a logged result that usageRatio (honesty/reconcile.ts) sums. */
const COUNT_FIELDS = ['inputTokens', 'outputTokens', 'localInputTokens', 'localOutputTokens'] as const;

export type MeasuredRatios = Map<string, { input: number | null; output: number | null }>;

/**
 * Measured ratios per target from `--from FILE`: a `compare --json` output
 * (its targets' usageRatio), or a request log (`--log`), whose results are
 * reconciled here. Missing directions stay unmeasured.
 */
export function ratiosFromFile(text: string, source: string): MeasuredRatios {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && !trimmed.includes('\n{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = null;
    }
    if (isRecord(json) && json['command'] === 'compare' && Array.isArray(json['targets'])) {
      const out: MeasuredRatios = new Map();
      for (const t of json['targets']) {
        if (!isRecord(t) || typeof t['name'] !== 'string' || !isRecord(t['honesty']) || !isRecord(t['honesty']['usageRatio'])) continue;
        const r = t['honesty']['usageRatio'];
        const where = (dir: string): string => `${source}: targets "${t['name']}" honesty.usageRatio.${dir}`;
        out.set(t['name'], { input: ratio(r['input'], where('input'), text), output: ratio(r['output'], where('output'), text) });
      }
      return out;
    }
  }
  const byTarget = new Map<string, RequestResult[]>();
  let lines = 0;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (!isRecord(entry) || !isRecord(entry['result'])) return;
    const result = entry['result'];
    if (typeof result['target'] !== 'string') return;
    for (const field of COUNT_FIELDS) checkCount(result[field], `${source}: line ${i + 1}: result.${field}`, line, field);
    lines++;
    const r = result as unknown as RequestResult;
    const list = byTarget.get(r.target) ?? [];
    list.push(r);
    byTarget.set(r.target, list);
  });
  if (lines === 0) throw new UsageError(`${source}: expected the JSON of \`relaymon compare --json\` or a request log (--log), found neither`);
  return new Map(
    [...byTarget].map(([name, rs]) => {
      const m = usageRatio(rs.filter(hasHonestyFields));
      // Counts within bounds can still divide into an absurd ratio (10^15 billed for 1 counted).
      const where = (dir: string): string => `${source}: target "${name}" bills ${dir} tokens`;
      return [name, { input: ratio(m.input, where('input'), null), output: ratio(m.output, where('output'), null) }];
    }),
  );
}

/** A logged token count: absent, null, or a number from 0 to MAX_MIX_TOKENS (no request bills more than a month's mix may hold). */
function checkCount(v: unknown, where: string, line: string, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_MIX_TOKENS) return;
  throw new UsageError(`${where} is ${written(line, field, v)}; expected a count of tokens from 0 to 1000000000000000 (10^15), so the file is not a measurement`);
}

/** A measured ratio: null (not measured), 0 (read as not measured, as before), or above 0 and at most MAX_USAGE_RATIO. */
function ratio(v: unknown, where: string, text: string | null): number | null {
  if (v === undefined || v === null || v === 0) return null;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_USAGE_RATIO) return v;
  const shown = text === null ? String(v) : written(text, where.slice(where.lastIndexOf('.') + 1), v);
  throw new UsageError(`${where} ${text === null ? 'per token counted: ' : 'is '}${shown}; expected a ratio above 0 and at most ${MAX_USAGE_RATIO} (1 is honest billing), so the file is not a measurement`);
}

/**
 * A number as the file wrote it (1e309, not the Infinity JSON.parse made of it):
 * the first `"field": literal` in the text whose value is v, else v itself.
 */
function written(text: string, field: string, v: unknown): string {
  if (typeof v !== 'number') return JSON.stringify(v) ?? String(v);
  const re = new RegExp(`"${field}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`, 'g');
  for (const m of text.matchAll(re)) if (Object.is(Number(m[1]), v)) return m[1]!;
  return String(v);
}

/** Logs written before reconciliation existed carry no local counts. */
function hasHonestyFields(r: RequestResult): boolean {
  return 'usageGapTokens' in r && 'localCountKind' in r;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The billing-gap and model-mismatch lines of the plain text (probe, check,
 * replay, watch's summary): the same findings the dashboard's panel shows
 * (src/ui/components/TargetPanel.tsx honestySegments), only when there is
 * something to show. Pure.
 */
import type { RequestResult } from '../core/result.js';
import { describeUsageGap } from '../honesty/reconcile.js';
import { honestyOfResults } from '../stats/summary.js';
import type { HonestyWindow } from '../stats/windows.js';

/** What the lines are made of: a window's honesty counts plus its model counts. */
export type HonestyCounts = Pick<HonestyWindow, 'usageCompared' | 'usageMismatches' | 'usageGap'> & {
  modelMismatches: number;
  namedModels: number;
};

/** The counts over a list of results (probe has every result at hand). */
export function honestyCountsOf(results: readonly RequestResult[]): HonestyCounts {
  const h = honestyOfResults(results);
  let named = 0;
  let mismatches = 0;
  for (const r of results) {
    if (r.responseModel === null) continue;
    named++;
    if (r.modelMismatch) mismatches++;
  }
  return { usageCompared: h.usageCompared, usageMismatches: h.usageMismatches, usageGap: h.usageGap, modelMismatches: mismatches, namedModels: named };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "billing: 3/3 answers billed beyond tolerance, +100% billed (in 30 billed /
 * 30 counted, out 48 / 24)" and "model: 3/3 answers named another model than
 * asked". Empty when billing held and every answer named the model asked for.
 * `who` prefixes each line (a target's name) when the text covers several.
 */
export function honestyLines(h: HonestyCounts, who: string | null = null): string[] {
  const prefix = who === null ? '' : `${who} `;
  const out: string[] = [];
  if (h.usageMismatches > 0) {
    const g = h.usageGap;
    const gap = g.ratio !== null ? `, ${describeUsageGap(0, g.ratio)}` : '';
    out.push(
      `${prefix}billing: ${h.usageMismatches}/${plural(h.usageCompared, 'answer')} billed beyond tolerance${gap} ` +
        `(tokens in: ${g.billedInputTokens} billed / ${g.countedInputTokens} counted; out: ${g.billedOutputTokens} billed / ${g.countedOutputTokens} counted)`,
    );
  }
  if (h.modelMismatches > 0) {
    out.push(`${prefix}model: ${h.modelMismatches}/${plural(h.namedModels, 'answer')} named another model than asked`);
  }
  return out;
}

export interface TargetHonesty {
  name: string;
  counts: HonestyCounts;
}

/** Each target's whole-run counts, from a snapshot's per-target statistics (null stats: nothing to show). */
export function runHonesty(stats: { targets: readonly { target: string; windows: { all: HonestyCounts } }[] } | null): TargetHonesty[] {
  return (stats?.targets ?? []).map((t) => ({ name: t.target, counts: t.windows.all }));
}

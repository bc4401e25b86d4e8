/** The text of `relaymon compare`: one row per metric, then errors, cost and honesty per target. Pure. */
import { brokenStreams } from '../stats/windows.js';
import { fmtMs, fmtNum, fmtPct, fmtUsd, paint, table } from '../export/format.js';
import { describeUsageGap } from '../honesty/reconcile.js';
import type { CompareReport, CompareTarget, MetricComparison } from './compare.js';

function value(v: number | null, unit: MetricComparison['unit']): string {
  if (v === null) return '-';
  return unit === 'ms' ? fmtMs(v) : fmtNum(v, 1);
}

function signedValue(v: number | null, unit: MetricComparison['unit']): string {
  if (v === null) return '-';
  const s = value(Math.abs(v), unit);
  return v > 0 ? `+${s}` : v < 0 ? `\u2212${s}` : s;
}

export function fmtP(p: number | null): string {
  if (p === null) return '-';
  if (p < 0.001) return '<0.001';
  return p.toFixed(3);
}

/**
 * A metric is significant when its p-value is below alpha AND the effect is
 * at least --min-effect; a small p with a small effect is evidence of a
 * difference too small to matter, which "no evidence" would misstate.
 */
function verdict(significant: boolean, pValue: number | null, alpha: number, color: boolean): string {
  if (significant) return paint(color, 'yellow', 'significant');
  if (pValue !== null && pValue < alpha) return paint(color, 'dim', 'significant but below --min-effect');
  return paint(color, 'dim', 'no evidence');
}

export function compareText(r: CompareReport, opts: { color: boolean; durationMs: number; stoppedBy: string | null }): string {
  const [a, b] = r.targets;
  const secs = Math.round(opts.durationMs / 100) / 10;
  const why = opts.stoppedBy ? `, stopped by ${opts.stoppedBy}` : '';
  let out = `relaymon compare ${a.name} vs ${b.name}: ${a.requests} + ${b.requests} requests in ${secs}s${why}\n`;
  out += paint(
    opts.color,
    'dim',
    `differences are ${a.name} \u2212 ${b.name}, medians with a ${Math.round(r.confidence * 100)}% bootstrap interval; ` +
      `significant = Mann\u2013Whitney p < ${r.alpha} and at least ${fmtPct(r.minEffect)} of ${b.name}'s median\n\n`,
  );
  const rows = r.metrics.map((m) => [
    m.metric,
    value(m.a.p50, m.unit),
    value(m.a.p95, m.unit),
    value(m.b.p50, m.unit),
    value(m.b.p95, m.unit),
    m.difference.median === null ? '-' : `${signedValue(m.difference.median, m.unit)} (${signedValue(m.difference.low, m.unit)} \u2026 ${signedValue(m.difference.high, m.unit)})`,
    fmtP(m.pValue),
    m.pValue === null ? paint(opts.color, 'dim', 'too few samples') : verdict(m.significant, m.pValue, r.alpha, opts.color),
  ]);
  const e = r.errors;
  rows.push([
    'errors',
    `${e.a.errors}/${e.a.requests}`,
    fmtPct(e.a.rate),
    `${e.b.errors}/${e.b.requests}`,
    fmtPct(e.b.rate),
    e.difference === null ? '-' : `${e.difference >= 0 ? '+' : '\u2212'}${fmtNum(Math.abs(e.difference) * 100, 1)} pp`,
    fmtP(e.pValue),
    e.pValue === null ? '-' : verdict(e.significant, e.pValue, r.alpha, opts.color),
  ]);
  out += table(['metric', `${a.name} p50`, 'p95', `${b.name} p50`, 'p95', `${a.name} \u2212 ${b.name}`, 'p', ''], rows, 1);
  out += '\n' + table(['', 'cost', 'per 1M billed', 'per 1M counted', 'billing', 'model', 'streams'], [targetRow(a), targetRow(b)], 1);
  for (const t of [a, b]) {
    const types = Object.entries(t.errorTypes).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ×${n}`);
    if (types.length === 0) continue;
    // A side with no successful answer has no timings worth comparing: say so, with why.
    const none = t.requests > 0 && t.errors === t.requests;
    out += `\n${t.name} errors: ${types.join(', ')}${none ? paint(opts.color, 'red', ` \u2014 no request to ${t.name} succeeded; its numbers say nothing about the relay`) : ''}`;
  }
  if (Object.keys(a.errorTypes).length + Object.keys(b.errorTypes).length > 0) out += '\n';
  return out;
}

function targetRow(t: CompareTarget): string[] {
  const h = t.honesty;
  const billing =
    h.usageCompared === 0
      ? 'not reported'
      : `${h.usageMismatches}/${h.usageCompared} mismatched${h.usageGapRatio !== null && h.usageGapRatio !== 0 ? `, ${describeUsageGap(0, h.usageGapRatio)}` : ''}`;
  const model = h.namedModels === 0 ? '-' : `${h.modelMismatches}/${h.namedModels} substituted`;
  const broken = brokenStreams(h);
  const streams = h.streams === 0 ? '-' : broken === 0 ? `${h.streams} conform` : streamIssues(t);
  const per = (v: number | null): string => (v === null ? '-' : fmtUsd(v));
  return [t.name, fmtUsd(t.costUsd), t.costUsd === null ? 'unpriced' : per(t.costPer1MTokensUsd), per(t.costPer1MCountedTokensUsd), billing, model, streams];
}

function streamIssues(t: CompareTarget): string {
  const h = t.honesty;
  const parts = [
    h.streamsWithoutUsage > 0 ? `${h.streamsWithoutUsage} without usage` : null,
    h.streamsOutOfOrder > 0 ? `${h.streamsOutOfOrder} out of order` : null,
    h.streamsUnterminated > 0 ? `${h.streamsUnterminated} unterminated` : null,
    h.streamsUsageDecreased > 0 ? `${h.streamsUsageDecreased} usage went down` : null,
  ];
  return `${parts.filter((p) => p !== null).join(', ')} of ${h.streams}`;
}

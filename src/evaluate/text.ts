/**
 * `relaymon evaluate`'s text: per candidate its verdict, every reason and
 * caveat with its evidence, the comparison's medians and p95s against the
 * reference (difference of medians with its interval), conformance and the
 * bill; then one line of verdicts. Pure.
 */
import { EXIT } from '../core/errors.js';
import { fmtMs, fmtPct, fmtUsd, paint } from '../export/format.js';
import type { EvaluateCandidateOutput, EvaluateFinding, EvaluateOutput } from '../export/contracts/evaluate.js';

const VERDICT_STYLE = { ready: 'green', ready_with_caveats: 'yellow', not_ready: 'red' } as const;

function findingLines(kind: 'reason' | 'caveat', fs: readonly EvaluateFinding[], color: boolean): string[] {
  return fs.flatMap((f) => [`  ${paint(color, kind === 'reason' ? 'red' : 'yellow', kind.padEnd(7))} ${f.message}  [${f.rule}]`, `          ${paint(color, 'dim', f.evidence)}`]);
}

const signedMs = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : '−'}${fmtMs(Math.abs(v))}`);

function comparisonLines(c: EvaluateCandidateOutput, reference: string): string[] {
  const cmp = c.comparison;
  if (cmp === null) return ['  compare  not run'];
  const rows = cmp.metrics
    .filter((m) => m.metric === 'latency' || m.metric === 'ttft' || m.metric === 'itl')
    .map((m) => {
      const d = m.difference;
      return `  ${m.metric.padEnd(8)} p50 ${fmtMs(m.a.p50)} vs ${fmtMs(m.b.p50)}, difference ${signedMs(d.median)} [${signedMs(d.low)}, ${signedMs(d.high)}]${m.significant ? ' (significant)' : ''}; p95 ${fmtMs(m.a.p95)} vs ${fmtMs(m.b.p95)}`;
    });
  const e = cmp.errors;
  rows.push(`  errors   ${e.a.errors}/${e.a.requests} (${fmtPct(e.a.rate)}) vs ${e.b.errors}/${e.b.requests} (${fmtPct(e.b.rate)}) on ${reference}`);
  const h = cmp.targets[0].honesty;
  rows.push(
    `  honesty  billed vs counted ${h.usageGapRatio === null ? '-' : `${h.usageGapRatio >= 0 ? '+' : ''}${fmtPct(h.usageGapRatio)}`}, model mismatches ${h.modelMismatches}/${h.namedModels}, streams without usage ${h.streamsWithoutUsage}/${h.streams}`,
  );
  return rows;
}

function costLine(c: EvaluateCandidateOutput, reference: string): string[] {
  const k = c.cost;
  if (k === null) return [];
  const ratio = k.usageRatio.measured ? ` (billed/counted ${k.usageRatio.input.toFixed(2)} in, ${k.usageRatio.output.toFixed(2)} out)` : '';
  const saving =
    k.savingUsd === null ? '' : k.savingUsd >= 0 ? `: saves ${fmtUsd(k.savingUsd)}/month (${fmtPct(k.savingFraction)})` : `: costs ${fmtUsd(-k.savingUsd)}/month more (${fmtPct(k.savingFraction === null ? null : -k.savingFraction)})`;
  return [`  cost     ${fmtUsd(k.monthlyUsd)}/month vs ${fmtUsd(k.referenceMonthlyUsd)} on ${reference}${saving}${ratio}`];
}

/** The checks that were n/a on a target, named: a count alone hides which were never judged. */
function notApplicable(o: EvaluateOutput, name: string): string {
  const rows = o.conform?.targets.find((t) => t.name === name)?.checks.filter((r) => r.status === 'n/a') ?? [];
  return rows.length === 0 ? '' : ` (${[...new Set(rows.map((r) => r.name))].join(', ')})`;
}

/** `exitCode`: the run's (130 when interrupted); the last line says it, so it never contradicts the process's. */
export function evaluateText(o: EvaluateOutput, color: boolean, exitCode: number): string {
  const width = Math.max(...o.candidates.map((c) => c.name.length));
  const lines: string[] = [
    `relaymon evaluate: ${o.candidates.length} candidate${o.candidates.length === 1 ? '' : 's'} against ${o.reference.name} (the reference), seed ${o.seed}, ${Math.round(o.durationMs / 100) / 10} s, spent ${fmtUsd(o.spentUsd)}`,
  ];
  for (const c of o.candidates) {
    lines.push('', `${paint(color, 'bold', c.name.padEnd(width))}  ${paint(color, VERDICT_STYLE[c.verdict], c.verdict)}`);
    lines.push(...findingLines('reason', c.reasons, color), ...findingLines('caveat', c.caveats, color));
    if (c.conform) lines.push(`  conform  ${c.conform.pass} pass, ${c.conform.fail} fail, ${c.conform.notApplicable} n/a${notApplicable(o, c.name)}`);
    lines.push(...comparisonLines(c, o.reference.name), ...costLine(c, o.reference.name));
  }
  const compared = o.candidates.some((c) => c.comparison !== null);
  const interrupted = o.stoppedBy === 'interrupt' || exitCode === EXIT.interrupted;
  const partial = interrupted
    ? compared
      ? ' (interrupted: a partial comparison)'
      : ' (interrupted before the comparison)'
    : o.stoppedBy === 'budget'
      ? ' (stopped by the budget: a partial comparison)'
      : '';
  lines.push('', `verdicts: ${o.candidates.map((c) => `${c.name} ${c.verdict}`).join(', ')}${partial}; exit ${exitCode}`);
  return lines.join('\n') + '\n';
}

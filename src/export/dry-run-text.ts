/**
 * `--dry-run` for people: the report of traffic/dry-run.ts as a table, the
 * finite run's totals and what the numbers assume. Pure.
 */
import { redact } from '../core/redact.js';
import type { DryRunReport, DryRunRun } from '../traffic/dry-run.js';
import { table } from './format.js';
import { usdDigits } from '../core/units.js';

const HOUR_MS = 3_600_000;

function fmtRate(n: number | null): string {
  if (n === null) return '?';
  return n < 10 && n !== 0 ? n.toFixed(1) : String(Math.round(n));
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function wrap(text: string, width = 80): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...out, line];
}

function fmtDuration(ms: number): string {
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/** Three significant digits below a dollar: a probe's cost per hour is often a fraction of a cent. */
function money(usd: number | null | undefined, priced: boolean): string {
  if (!priced) return 'unpriced';
  if (usd === null || usd === undefined) return '?';
  if (usd === 0) return '$0';
  return `$${usdDigits(usd, 3)}`;
}

/** The table people read: one row per target × model, then totals, the finite run, and what the numbers assume. */
export function dryRunText(report: DryRunReport): string {
  const t = report.totals;
  const withRun = t.run !== null;
  const header = ['target', 'model', 'req/h', 'worst $/h', 'expected $/h', ...(withRun ? ['run req', 'run worst'] : [])];
  const line = (target: string, model: string, priced: boolean, perHour: number | null, worst: number | null, expected: number | null, run: DryRunRun | null): string[] => [
    clip(target, 16),
    clip(model, 24),
    fmtRate(perHour),
    money(worst, priced),
    money(expected, priced),
    ...(withRun ? [run === null || run.requests === null ? '?' : String(Math.round(run.requests)), money(run?.worstCaseUsd, priced)] : []),
  ];
  const rows = report.rows.map((r) => line(r.target, r.model, r.priced, r.requestsPerHour, r.worstCaseUsdPerHour, r.expectedUsdPerHour, r.run));
  const anyPriced = t.unpricedRows < report.rows.length;
  if (report.rows.length > 1) rows.push(line('total', '', anyPriced, t.requestsPerHour, t.worstCaseUsdPerHour, t.expectedUsdPerHour, t.run));
  const out: string[] = [`dry run: nothing is sent. ${report.plan === 'probes' ? 'Probe' : 'Replay'} traffic by target and model:`, ''];
  out.push(table(header, rows, 2).trimEnd(), '');
  if (t.run !== null) {
    const limits = [
      report.durationMs !== null ? `for ${fmtDuration(report.durationMs)}` : null,
      report.requestLimit !== null ? `at most ${report.requestLimit} requests per target` : null,
    ].filter((x): x is string => x !== null);
    const requests = t.run.requests === null ? 'an unknown number of requests' : `${Math.round(t.run.requests)} requests`;
    out.push(
      `the run${limits.length ? ` (${limits.join(', ')})` : ''}: ${requests}, ` +
        `worst case ${money(t.run.worstCaseUsd, anyPriced)}, expected ${money(t.run.expectedUsd, anyPriced)}`,
    );
  }
  if (t.unpricedRows > 0) out.push(`${t.unpricedRows} row(s) unpriced: totals cover the priced rows only`);
  const notes = new Set([...report.notes, ...report.rows.flatMap((r) => r.notes)]);
  const prose = [...[...notes].map((n) => `note: ${n}`), `worst case: ${report.assumptions.worstCase}`, `expected: assumes ${report.assumptions.expected}`];
  return redact([...out, ...prose.flatMap((p) => wrap(p))].join('\n') + '\n');
}

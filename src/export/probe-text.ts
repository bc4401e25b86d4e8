import type { RequestResult } from '../core/result.js';
import { usageMissing } from '../metrics/catalog.js';
import { PROBE_JSON_FIELDS } from '../core/result.js';
import type { Summary, TimeStats } from '../stats/summary.js';
import type { ThresholdResult } from '../stats/thresholds.js';
import { describeThresholdResult } from '../stats/thresholds.js';
import { fmtMs, fmtNum, fmtPct, fmtUsd, paint, table } from './format.js';
import { honestyCountsOf, honestyLines } from './honesty-text.js';
import type { ProbeOutput, ProbeRequestOutput } from './contracts/index.js';

const ROW_HEADER = ['#', 'status', 'ttfb', 'ttft', 'latency', 'in', 'out', 'tok/s', 'cost', 'request id'];

/** Fixed column widths so rows can be printed one at a time as requests finish; the id gets what is left of 80 columns. */
const WIDTHS = [3, 6, 7, 7, 7, 5, 5, 5, 9, 0];
/** Width of everything before the request id, separators included. */
export const ROW_PREFIX_WIDTH = WIDTHS.slice(0, -1).reduce((a, b) => a + b + 2, 0);

function row(cells: string[]): string {
  return (
    cells
      .map((c, i) => {
        const w = WIDTHS[i] ?? 0;
        return i === 0 || i >= 5 ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd() + '\n'
  );
}

export function probeRowsHeader(): string {
  return row(ROW_HEADER);
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…';
}

export function probeRow(index: number, r: RequestResult, color: boolean, idWidth = Infinity): string {
  const status = r.httpStatus === null ? '---' : String(r.httpStatus);
  const usageMark = r.usageSource === 'estimated' ? '~' : '';
  const line = row([
    String(index),
    status,
    fmtMs(r.ttfbMs),
    fmtMs(r.ttftMs),
    fmtMs(r.latencyMs),
    r.inputTokens === null ? '-' : usageMark + String(r.inputTokens),
    r.outputTokens === null ? '-' : usageMark + String(r.outputTokens),
    fmtNum(r.outputTokensPerSecond),
    r.ok || r.costUsd !== null ? (r.costUsd === null ? '' : usageMark) + fmtUsd(r.costUsd) : '-',
    fit(r.requestId ?? '-', idWidth),
  ]);
  if (r.ok) {
    const notes: string[] = [];
    if (r.modelMismatch) notes.push(`model mismatch: asked ${r.model}, got ${r.responseModel ?? '?'}`);
    if (r.usageMismatch) notes.push(`billing: ${billedVsCounted(r)}`);
    if (usageMissing(r)) notes.push('usage missing: the relay reported no usage; tokens and cost marked ~ are estimated');
    return line + notes.map((n) => paint(color, 'yellow', `     ! ${n}`) + '\n').join('') + checkLines(r, color, idWidth);
  }
  const phase = r.timeoutPhase ? ` (${r.timeoutPhase})` : '';
  const detail = `     ✗ ${r.errorType ?? 'error'}${phase}: ${r.errorMessage ?? ''}`;
  return line + paint(color, 'red', idWidth === Infinity ? detail : fit(detail, idWidth + ROW_PREFIX_WIDTH)) + '\n';
}

/**
 * A probe kind's checks under its row: one green line naming them when all
 * passed; otherwise a red line counting them, then one per failed check with
 * its detail. Nothing for text probes (no checks).
 */
export function checkLines(r: Pick<RequestResult, 'checks'>, color: boolean, idWidth = Infinity): string {
  if (r.checks.length === 0) return '';
  const failed = r.checks.filter((c) => !c.ok);
  const width = idWidth === Infinity ? Infinity : idWidth + ROW_PREFIX_WIDTH;
  const clip = (text: string): string => (width === Infinity ? text : fit(text, width));
  if (failed.length === 0) return paint(color, 'green', clip(`     ✓ checks: ${r.checks.map((c) => c.name).join(', ')}`)) + '\n';
  const head = `     ✗ checks: ${failed.length} of ${r.checks.length} failed`;
  return [head, ...failed.map((c) => `       ✗ ${c.name}: ${c.detail}`)].map((l) => paint(color, 'red', clip(l)) + '\n').join('');
}

/** "out 16 billed / 8 counted": the directions whose billed count differs from relaymon's own. */
function billedVsCounted(r: RequestResult): string {
  const parts: string[] = [];
  if (r.inputTokens !== null && r.localInputTokens !== null && r.inputTokens !== r.localInputTokens) parts.push(`in ${r.inputTokens} billed / ${r.localInputTokens} counted`);
  if (r.outputTokens !== null && r.localOutputTokens !== null && r.outputTokens !== r.localOutputTokens) parts.push(`out ${r.outputTokens} billed / ${r.localOutputTokens} counted`);
  return parts.length > 0 ? `${parts.join(', ')} (beyond tolerance)` : 'tokens billed beyond tolerance';
}

/**
 * The billing-gap and model-mismatch lines over all results, as the
 * dashboard shows them; empty when there is nothing to show.
 */
export function probeHonestyText(results: readonly RequestResult[], color: boolean): string {
  return honestyLines(honestyCountsOf(results))
    .map((l) => paint(color, 'yellow', l) + '\n')
    .join('');
}

/** "checks: 4 requests checked, 1 failed a check — tool_call_id_stable ×1"; empty when nothing was checked. */
export function probeChecksText(results: readonly Pick<RequestResult, 'checks'>[], color: boolean): string {
  const checked = results.filter((r) => r.checks.length > 0);
  if (checked.length === 0) return '';
  const failing = checked.filter((r) => r.checks.some((c) => !c.ok));
  const byName = new Map<string, number>();
  for (const r of failing) for (const c of r.checks) if (!c.ok) byName.set(c.name, (byName.get(c.name) ?? 0) + 1);
  const names = [...byName].map(([n, k]) => `${n} ×${k}`).join(', ');
  const line = `checks: ${checked.length} request${checked.length === 1 ? '' : 's'} checked, ${failing.length} failed a check${names ? ` — ${names}` : ''}`;
  return paint(color, failing.length > 0 ? 'red' : 'green', line) + '\n';
}

function statsRow(name: string, s: TimeStats, fmt: (n: number | null) => string): string[] {
  return [name, fmt(s.p50), fmt(s.p90), fmt(s.p95), fmt(s.p99), fmt(s.avg), fmt(s.min), fmt(s.max)];
}

export function summaryText(s: Summary): string {
  const rate = (n: number | null): string => fmtNum(n, 1);
  const errors = Object.entries(s.errorTypes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const unfinished = s.unfinished > 0 ? `, ${s.unfinished} unfinished (cut short when the run stopped)` : '';
  const head = `summary: ${s.requests} requests, ${s.errors} errors (${fmtPct(s.errorRate)})${errors ? ` — ${errors}` : ''}${unfinished}\n`;
  const t = table(
    ['', 'p50', 'p90', 'p95', 'p99', 'avg', 'min', 'max'],
    [
      statsRow('latency', s.latencyMs, fmtMs),
      statsRow('ttfb', s.ttfbMs, fmtMs),
      statsRow('ttft', s.ttftMs, fmtMs),
      statsRow('itl', s.itlMs, fmtMs),
      statsRow('tok/s', s.outputTokensPerSecond, rate),
    ],
  );
  // Cached input tokens only when the relay reported some, as the check table hides a zero row.
  const cached = s.cachedInputTokens > 0 ? ` (${s.cachedInputTokens} cached)` : '';
  const tokens = `tokens: ${s.inputTokens} in${cached}, ${s.outputTokens} out · cost ${fmtUsd(s.costUsd)}\n`;
  const answered = s.requests - s.errors;
  const missing = s.usageMissing > 0 ? `usage missing: ${s.usageMissing} of ${answered} answers came without the relay's usage; their tokens and cost are estimated\n` : '';
  return head + t + tokens + missing;
}

export function thresholdLines(results: readonly ThresholdResult[], color: boolean): string {
  return (
    'thresholds:\n' +
    results.map((r) => '  ' + paint(color, r.ok ? 'green' : 'red', describeThresholdResult(r)) + '\n').join('')
  );
}

export function requestJson(r: RequestResult): ProbeRequestOutput {
  const out: Record<string, unknown> = {};
  for (const k of PROBE_JSON_FIELDS) out[k] = r[k];
  return out as ProbeRequestOutput;
}

export function probeJson(target: string, results: readonly RequestResult[], summary: Summary, thresholds: ThresholdResult[]): ProbeOutput {
  return { target, requests: results.map(requestJson), summary, thresholds };
}

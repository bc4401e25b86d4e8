/**
 * The report's tables as HTML: verdict, summary per target, tokens and cost,
 * honesty and conformance findings, the comparison. Every value from the
 * data goes through esc(). Pure.
 */
import { fmtMs, fmtNum, fmtPct, fmtUsd } from '../export/format.js';
import { describeThresholdResult } from '../stats/thresholds.js';
import type { CanaryOutput, CompareOutput, ConformOutput } from '../export/contracts/index.js';
import type { ReportCanary, ReportData, ReportTarget } from './data.js';

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('');
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const ORIGIN: Record<string, string> = {
  run: 'the verdict of the run itself',
  recomputed: 'recomputed from the request log (the thresholds given to relaymon report and the config\'s): not the verdict the run printed',
  file: 'as written in the summary file',
};

export function verdictSection(d: ReportData): string {
  const v = d.verdict;
  if (!v) return '';
  const failed = v.thresholds.filter((t) => !t.ok).length;
  const pass = v.exitCode === 0;
  const word = v.exitCode === null ? (failed > 0 ? 'FAIL' : 'PASS') : pass ? 'PASS' : 'FAIL';
  const badge = `<span class="badge ${word === 'PASS' ? 'ok' : 'bad'}">${word}</span>`;
  const exit = v.exitCode === null ? '' : ` exit code ${v.exitCode}`;
  const label = v.origin === 'recomputed' ? ' <span class="badge recomputed">recomputed</span>' : '';
  const abort = d.canary?.canary.abort ?? null;
  // A canary's --abort-on-fail stop is the verdict's reason when the whole run's thresholds (diluted by the healthy steps) held.
  const stopped = abort ? `<li class="bad">${esc(abortText(d.canary!.canary.candidate, abort))}</li>` : '';
  const rows = stopped + v.thresholds.map((t) => `<li class="${t.ok ? 'ok' : 'bad'}">${esc(describeThresholdResult(t))}</li>`).join('');
  return (
    `<section id="verdict"><h2>Verdict</h2><p class="verdict">${badge}${label}${esc(exit)}${v.thresholds.length > 0 ? esc(` · ${v.thresholds.length - failed} of ${v.thresholds.length} thresholds held`) : ''}</p>` +
    `<p class="note">${esc(ORIGIN[v.origin] ?? '')}</p>${rows ? `<ul class="thresholds">${rows}</ul>` : ''}</section>`
  );
}

function abortText(candidate: string, abort: NonNullable<CanaryOutput['abort']>): string {
  const where = abort.step !== null ? ` at step ${abort.step}` : '';
  return `stopped${where} (--abort-on-fail): ${candidate} failed ${describeThresholdResult({ expression: abort.threshold, ok: false, value: abort.value })}`;
}

const share = (x: number): string => `${Number((x * 100).toFixed(1))}%`;

/** replay --split: each target's weight, share and sends; the ramp, the step reached, a held step and an abort. */
export function canarySection(c: ReportCanary): string {
  const total = c.split.reduce((a, s) => a + s.sent, 0);
  const rows = c.split.map((s) => [s.target === c.canary.candidate ? `${s.target} (candidate)` : s.target, String(s.weight), share(s.share), String(s.sent), total > 0 ? share(s.sent / total) : '-']);
  const notes: string[] = [`seed ${c.canary.seed}: the same seed routes the same lines the same way.`];
  const ramp = c.canary.ramp;
  if (ramp) notes.push(`ramp ${ramp.sharesPct.map((p) => `${p}%`).join(' → ')} of ${c.canary.candidate}, ${fmtMs(ramp.stepMs)} a step: reached step ${ramp.stepReached} of ${ramp.steps}.`);
  // What decided the run (a held step, an abort) stands out from the notes.
  const facts: string[] = [];
  if (ramp?.held) facts.push(`step ${ramp.held.step} was not judged: ${ramp.held.results} of the ${ramp.held.needed} candidate results it needs; the ramp held it.`);
  if (c.canary.abort) facts.push(abortText(c.canary.candidate, c.canary.abort) + '.');
  const head = ['target', 'weight', 'share at the step reached', 'sent', 'of all sends'];
  return (
    `<section id="canary"><h2>Canary split</h2>${table(head, rows, 'num')}` +
    facts.map((l) => `<p class="verdict">${esc(l)}</p>`).join('') +
    notes.map((l) => `<p class="note">${esc(l)}</p>`).join('') +
    '</section>'
  );
}

function stat(s: { p50: number | null; p95: number | null; p99: number | null } | undefined): string[] {
  return [fmtMs(s?.p50), fmtMs(s?.p95), fmtMs(s?.p99)];
}

export function summarySection(targets: readonly ReportTarget[]): string {
  const rows = targets.map((t) => {
    const s = t.summary;
    const types = s ? Object.entries(s.errorTypes).map(([k, n]) => `${k} ×${n}`).join(', ') : '';
    return [
      t.name,
      t.protocol ?? '-',
      fmtNum(s?.requests),
      `${fmtNum(s?.errors)} (${fmtPct(s?.errorRate)})${types ? ` ${types}` : ''}`,
      ...stat(s?.latencyMs),
      ...stat(s?.ttftMs),
      fmtMs(s?.itlMs.p50),
      fmtMs(s?.itlMs.p95),
      fmtNum(s?.outputTokensPerSecond.p50, 1),
    ];
  });
  const head = ['target', 'protocol', 'requests', 'errors', 'latency p50', 'p95', 'p99', 'TTFT p50', 'p95', 'p99', 'ITL p50', 'p95', 'tokens/s p50'];
  return `<section id="summary"><h2>Summary per target</h2>${table(head, rows, 'num')}<p class="note">Timings are over successful requests only; failures count in errors.</p></section>`;
}

export function tokensSection(targets: readonly ReportTarget[]): string {
  const rows = targets.map((t) => {
    const s = t.summary;
    return [t.name, fmtNum(s?.inputTokens), fmtNum(s?.outputTokens), fmtNum(s?.cachedInputTokens), fmtNum(s?.usageMissing), s ? fmtUsd(s.costUsd) : '-', fmtNum(s?.unpricedRequests)];
  });
  const head = ['target', 'input tokens', 'output tokens', 'cached input', 'without usage', 'cost', 'unpriced requests'];
  return `<section id="tokens"><h2>Tokens and cost</h2>${table(head, rows, 'num')}<p class="note">A cost with unpriced requests is a lower bound.</p></section>`;
}

export function honestySection(targets: readonly ReportTarget[]): string {
  const withData = targets.filter((t) => t.honesty !== null);
  if (withData.length === 0) return '';
  const rows = withData.map((t) => {
    const h = t.honesty!;
    const checks = Object.entries(t.failedChecks).map(([k, n]) => `${k} ×${n}`).join(', ');
    return [
      t.name,
      `${h.usageMismatches} / ${h.usageCompared}`,
      h.usageGap.ratio === null ? '-' : `${h.usageGap.ratio >= 0 ? '+' : ''}${fmtPct(h.usageGap.ratio)}`,
      h.reportedCost.gapUsd === null ? '-' : fmtUsd(h.reportedCost.gapUsd),
      `${h.fingerprintChanges} / ${h.fingerprinted}`,
      `${h.streamsWithoutUsage + h.streamsOutOfOrder + h.streamsUnterminated + h.streamsUsageDecreased} / ${h.streams}`,
      checks || 'none',
    ];
  });
  const head = ['target', 'usage beyond tolerance', 'billed vs counted', 'reported − computed cost', 'fingerprint changes', 'broken streams', 'failed probe checks'];
  const lines = withData.flatMap((t) => t.honestyLines.map((l) => `<li>${esc(`${t.name}: ${l}`)}</li>`)).join('');
  const streams = withData
    .filter((t) => t.honesty!.streams > 0)
    .map((t) => {
      const h = t.honesty!;
      return [t.name, String(h.streams), String(h.streamsWithoutUsage), String(h.streamsOutOfOrder), String(h.streamsUnterminated), String(h.streamsUsageDecreased)];
    });
  return (
    `<section id="honesty"><h2>Honesty and conformance findings</h2>${table(head, rows, 'num')}` +
    (lines ? `<ul class="findings">${lines}</ul>` : '<p class="note">Billing held and every answer named the model asked for.</p>') +
    (streams.length > 0 ? `<h3>Streams</h3>${table(['target', 'streams', 'without usage', 'out of order', 'unterminated', 'usage decreased'], streams, 'num')}` : '') +
    '</section>'
  );
}

/** The comparison table of two targets: compare's whole output, or one evaluate candidate's comparison (its id names the section). */
export function compareSection(c: Pick<CompareOutput, 'targets' | 'metrics' | 'errors' | 'alpha' | 'minEffect' | 'confidence' | 'seed'>, id = 'compare'): string {
  const [a, b] = c.targets;
  const unitFmt = (unit: string, v: number | null): string => (unit === 'ms' ? fmtMs(v) : fmtNum(v, 1));
  const rows = c.metrics.map((m) => {
    const d = m.difference;
    return [
      m.metric,
      `${unitFmt(m.unit, m.a.p50)} / ${unitFmt(m.unit, m.a.p95)} (n=${m.a.n})`,
      `${unitFmt(m.unit, m.b.p50)} / ${unitFmt(m.unit, m.b.p95)} (n=${m.b.n})`,
      d.median === null ? '-' : `${unitFmt(m.unit, d.median)} [${unitFmt(m.unit, d.low)}, ${unitFmt(m.unit, d.high)}]`,
      m.pValue === null ? '-' : m.pValue.toPrecision(2),
      m.significant ? 'yes' : 'no',
    ];
  });
  const e = c.errors;
  rows.push(['errors', `${e.a.errors}/${e.a.requests} (${fmtPct(e.a.rate)})`, `${e.b.errors}/${e.b.requests} (${fmtPct(e.b.rate)})`, e.difference === null ? '-' : fmtPct(e.difference), e.pValue === null ? '-' : e.pValue.toPrecision(2), e.significant ? 'yes' : 'no']);
  const head = ['metric', `${a.name} p50 / p95`, `${b.name} p50 / p95`, `difference of medians [${Math.round(c.confidence * 100)}% interval]`, 'p-value', 'significant'];
  const money = [a, b].map((t) => [t.name, fmtNum(t.requests), fmtUsd(t.costUsd), t.costPer1MTokensUsd === null ? '-' : fmtUsd(t.costPer1MTokensUsd), t.costPer1MCountedTokensUsd === null ? '-' : fmtUsd(t.costPer1MCountedTokensUsd)]);
  return (
    `<section id="${esc(id)}"><h2>Comparison: ${esc(a.name)} − ${esc(b.name)}</h2>${table(head, rows, 'num')}` +
    `<p class="note">${esc(`Differences are ${a.name} − ${b.name}; Mann–Whitney for timings, Fisher's exact test for errors; alpha ${c.alpha}, minimum effect ${c.minEffect}, bootstrap seed ${c.seed}.`)}</p>` +
    table(['target', 'requests', 'cost', 'per 1M billed tokens', 'per 1M counted tokens'], money, 'num') +
    '</section>'
  );
}

export function conformSection(c: ConformOutput): string {
  const rows = c.targets.flatMap((t) => t.checks.map((k) => [t.name, k.name, k.protocol, k.status, k.evidence.expected, k.evidence.got, k.evidence.requestId ?? '-']));
  const cls = (status: string): string => (status === 'fail' ? 'bad' : status === 'pass' ? 'ok' : 'na');
  const head = ['target', 'check', 'protocol', 'status', 'expected', 'got', 'request id'];
  const body = rows.map((r) => `<tr class="${cls(r[3]!)}">${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
  return (
    `<section id="conform"><h2>Conformance</h2><p>${esc(`${c.summary.pass} pass, ${c.summary.fail} fail, ${c.summary.notApplicable} n/a`)}</p>` +
    `<div class="scroll"><table class="conform"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div></section>`
  );
}

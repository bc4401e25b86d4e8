/**
 * evaluate's page per candidate in the report: its verdict, each reason and
 * caveat with its evidence, its charts beside the reference's (ids by
 * evaluateChartPrefix, drawn by the same client script), its comparison
 * table and its bill. Pure; every value through esc().
 */
import { fmtPct, fmtUsd } from '../export/format.js';
import type { EvaluateCandidateOutput, EvaluateFinding, EvaluateOutput } from '../export/contracts/index.js';
import type { ChartSpec } from './data.js';
import { evaluateChartPrefix } from './build.js';
import { compareSection, esc } from './sections.js';

const BADGE = { ready: 'ok', ready_with_caveats: 'recomputed', not_ready: 'bad' } as const;

function findings(kind: string, fs: readonly EvaluateFinding[]): string {
  if (fs.length === 0) return '';
  const items = fs.map((f) => `<li class="${kind === 'Reasons' ? 'bad' : 'warn'}"><strong>${esc(f.message)}</strong> <code>${esc(f.rule)}</code><br><span class="note">${esc(f.evidence)}</span></li>`).join('');
  return `<h3>${esc(kind)}</h3><ul class="evaluate-findings">${items}</ul>`;
}

function figures(charts: readonly ChartSpec[], prefix: string): string {
  const mine = charts.filter((c) => c.id.startsWith(prefix));
  if (mine.length === 0) return '';
  return `<div class="charts">${mine.map((c) => `<figure><figcaption>${esc(c.title)}</figcaption><div class="chart" id="chart-${esc(c.id)}" data-points="${c.x.values.length}"></div></figure>`).join('')}</div>`;
}

function costLine(c: EvaluateCandidateOutput, reference: string): string {
  const k = c.cost;
  if (k === null) return '';
  const saving = k.savingUsd === null ? '' : k.savingUsd >= 0 ? `, saves ${fmtUsd(k.savingUsd)} a month (${fmtPct(k.savingFraction)})` : `, costs ${fmtUsd(-k.savingUsd)} a month more`;
  return `<p>${esc(`Monthly bill of the mix: ${fmtUsd(k.monthlyUsd)} vs ${fmtUsd(k.referenceMonthlyUsd)} through ${reference}${saving}.`)}</p>`;
}

export function evaluateSections(o: EvaluateOutput, charts: readonly ChartSpec[]): string {
  const overview = o.candidates.map((c) => `<li><a href="#candidate-${esc(c.name)}">${esc(c.name)}</a> <span class="badge ${BADGE[c.verdict]}">${esc(c.verdict)}</span></li>`).join('');
  const head =
    `<section id="evaluate"><h2>Evaluation against ${esc(o.reference.name)} (the reference)</h2><ul class="evaluate-overview">${overview}</ul>` +
    `<p class="note">${esc(`seed ${o.seed}; planned ${o.plan.requests ?? '?'} requests, worst case ${fmtUsd(o.plan.worstCaseUsd)}; spent ${fmtUsd(o.spentUsd)}.`)}</p></section>`;
  const pages = o.candidates.map((c, i) => {
    const prefix = evaluateChartPrefix(i);
    return (
      `<section id="candidate-${esc(c.name)}" class="candidate"><h2>${esc(c.name)} <span class="badge ${BADGE[c.verdict]}">${esc(c.verdict)}</span></h2>` +
      findings('Reasons', c.reasons) +
      findings('Caveats', c.caveats) +
      (c.conform ? `<p>${esc(`Conformance: ${c.conform.pass} pass, ${c.conform.fail} fail, ${c.conform.notApplicable} n/a.`)}</p>` : '') +
      costLine(c, o.reference.name) +
      figures(charts, prefix) +
      (c.comparison ? compareSection(c.comparison, `compare-${c.name}`) : '<p class="note">Nothing was compared.</p>') +
      '</section>'
    );
  });
  return [head, ...pages].join('\n');
}

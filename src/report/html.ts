/**
 * One self-contained HTML file from a report's data: the stylesheet, uPlot
 * (assets.ts), the figures as JSON and the drawing script inlined, and a
 * Content-Security-Policy that forbids every fetch (default-src 'none'), so
 * the file opens offline and can never reach the network, whatever it holds.
 */
import type { ChartLibrary } from './assets.js';
import { CLIENT_JS } from './client.js';
import type { ReportData } from './data.js';
import { canarySection, compareSection, conformSection, esc, honestySection, summarySection, tokensSection, verdictSection } from './sections.js';
import { REPORT_CSS } from './style.js';
import { evaluateSections } from './evaluate-section.js';

/**
 * JSON inside <script>: `<` as \u003c, so no string in the data (a prompt, an
 * error message) can close the element ("</script>") or open a comment; and
 * U+2028/U+2029, which old parsers take for line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline code must not hold `</script`; uPlot and the client never do, a guard keeps it so. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

function chartFigures(d: ReportData, prefix: string): string {
  const charts = d.charts.filter((c) => c.id.startsWith(prefix));
  if (charts.length === 0) return '';
  return (
    '<div class="charts">' +
    charts.map((c) => `<figure><figcaption>${esc(c.title)}</figcaption><div class="chart" id="chart-${esc(c.id)}" data-points="${c.x.values.length}"></div></figure>`).join('') +
    '</div>'
  );
}

function metaLine(d: ReportData): string {
  const parts: string[] = [];
  if (d.startedAt) parts.push(`started ${d.startedAt}`);
  if (d.durationMs !== null) parts.push(`${Math.round(d.durationMs / 100) / 10} s`);
  if (d.stoppedBy) parts.push(`stopped by ${d.stoppedBy}`);
  parts.push(d.source.kind === 'run' ? 'written at the end of the run' : `from ${d.source.kind === 'log' ? 'the request log' : 'the summary file'} ${d.source.file ?? ''}`.trim());
  return parts.join(' · ');
}

export function renderReport(d: ReportData, lib: ChartLibrary): string {
  const title = `relaymon ${d.command} report`;
  const dist = chartFigures(d, 'dist-');
  const time = chartFigures(d, 'time-');
  const body = [
    `<header><h1>${esc(title)}</h1><p class="meta">${esc(metaLine(d))}</p></header>`,
    d.notes.length > 0 ? `<ul class="notes">${d.notes.map((n) => `<li class="note">${esc(n)}</li>`).join('')}</ul>` : '',
    verdictSection(d),
    d.canary ? canarySection(d.canary) : '',
    d.targets.length > 0 ? summarySection(d.targets) : '',
    dist ? `<section id="distributions"><h2>Distributions</h2>${dist}<p class="note">Share of each target's successful requests per bin, bins evenly spaced on a log scale.</p></section>` : '',
    time ? `<section id="time"><h2>Over time</h2>${time}</section>` : '',
    d.targets.length > 0 ? tokensSection(d.targets) : '',
    d.evaluate ? evaluateSections(d.evaluate, d.charts) : '',
    d.compare ? compareSection(d.compare) : '',
    honestySection(d.targets),
    d.conform ? conformSection(d.conform) : '',
    `<footer>relaymon ${esc(d.version)} · generated ${esc(d.generatedAt)} · one self-contained file: it loads nothing from the network.</footer>`,
  ].join('\n');
  const data = { v: d.v, charts: d.charts };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="relaymon ${esc(d.version)}">
<title>${esc(title)}</title>
<style>${lib.css}${REPORT_CSS}</style>
</head><body>
${body}
<script type="application/json" id="relaymon-data">${scriptJson(data)}</script>
<script>${inlineScript(lib.js)}</script>
<script>${inlineScript(CLIENT_JS)}</script>
</body></html>
`;
}

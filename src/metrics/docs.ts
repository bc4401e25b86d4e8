/**
 * The metric table of the docs, rendered from the catalogue so it cannot
 * drift (docs/contracts.md holds it between `<!-- metrics:begin -->` and
 * `<!-- metrics:end -->`; test/unit/metrics/docs-table.test.ts compares).
 */
import { ENTRIES, type MetricEntry } from './catalog.js';
import { KIND_AGGREGATIONS } from './kinds.js';

const UNIT_WORDS: Record<MetricEntry['unit'], string> = {
  ms: 'ms',
  tokens_per_second: 'tokens/s',
  count: 'count',
  usd: 'USD',
  usd_per_hour: 'USD/h',
};

function aggregations(e: MetricEntry): string {
  if (!e.threshold) return '— (not a threshold metric)';
  return KIND_AGGREGATIONS[e.kind].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
}

const code = (s: string): string => `\`${s}\``;

/** One Markdown table, a row per catalogue entry in catalogue order; pure. */
export function renderMetricTable(): string {
  const head = ['| name | kind | unit | threshold aggregations | JSON key | Prometheus |', '|---|---|---|---|---|---|'];
  const rows = ENTRIES.map((e) =>
    [
      code(e.name),
      e.kind,
      UNIT_WORDS[e.unit],
      aggregations(e),
      code(e.key),
      e.prometheus ? code(e.prometheus.name) : '—',
    ].join(' | '),
  ).map((r) => `| ${r} |`);
  return [...head, ...rows].join('\n') + '\n';
}

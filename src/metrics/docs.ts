/**
 * The metric table of the docs, rendered from the catalogue so it cannot
 * drift: docs/contracts.md holds it between `<!-- metrics:begin -->` and
 * `<!-- metrics:end -->` (test/unit/metrics/docs-table.test.ts compares).
 * One row per threshold metric, in the order error messages list them.
 */
import { METRIC_NAMES, metricEntry, type MetricEntry } from './catalog.js';
import { KIND_AGGREGATIONS } from './kinds.js';

/** The unit of each aggregation, as the docs word it. */
function unitWords(e: MetricEntry): string {
  switch (e.kind) {
    case 'trend':
      return e.unit === 'ms' ? 'ms' : 'tokens/s';
    case 'ratio':
      return 'fraction; count';
    case 'counter':
      return 'count; per second';
    case 'sum':
      return 'USD';
    case 'gauge':
      return 'USD per hour';
  }
}

const code = (s: string): string => `\`${s}\``;

/** The Markdown table (header, separator, rows), ending in a newline; pure. */
export function renderMetricTable(): string {
  const lines = ['| metric | kind | unit | aggregations | JSON key | Prometheus |', '| --- | --- | --- | --- | --- | --- |'];
  for (const name of METRIC_NAMES) {
    const e = metricEntry(name);
    const aggregations = KIND_AGGREGATIONS[e.kind].map((a) => code(a === 'p' ? 'p(N)' : a)).join(', ');
    lines.push(`| ${code(e.name)} | ${e.kind} | ${unitWords(e)} | ${aggregations} | ${code(e.key)} | ${e.prometheus ? code(e.prometheus.name) : '–'} |`);
  }
  return lines.join('\n') + '\n';
}

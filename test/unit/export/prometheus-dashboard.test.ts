import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exportedSeriesNames, METRIC } from '../../../src/export/prometheus.js';
import { BASE_LABELS } from '../../../src/export/prometheus-metrics.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const read = (p: string) => readFileSync(`${ROOT}${p}`, 'utf8');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string }[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'rate', 'increase', 'irate', 'histogram_quantile', 'by', 'without', 'on', 'ignoring',
  'group_left', 'group_right', 'offset', 'unless', 'or', 'and', 'bool', 'label_values', 'humanizeDuration', 'humanizePercentage',
]);
/** Labels Prometheus or the scrape config adds, and the ones a multi-agent setup is told to add. */
const SCRAPE_LABELS = ['le', 'job', 'instance', 'region', '__name__'];
const KNOWN_LABELS = new Set([...BASE_LABELS, 'error_type', 'gen_ai_token_type', 'resource', 'relaymon_alert', 'version', 'kind', ...SCRAPE_LABELS]);

/** Metric and label names an expression uses. Grafana's $variables and strings are left out. */
function namesIn(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = [];
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  rest = rest.replace(/\{([^}]*)\}/g, (_, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.push(m[1]!);
    return ' ';
  });
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, _kw: string, inner: string) => {
    for (const l of inner.split(',').map((s) => s.trim()).filter(Boolean)) labels.push(l);
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/\$[a-zA-Z_]+/g, ' ');
  // Numbers and durations (15m, 0.95) are one token starting with a digit, and are dropped.
  const metrics = [...rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*|\d[\w.]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
  return { metrics, labels };
}

function checkExpressions(exprs: string[]): void {
  const exported = new Set([...exportedSeriesNames(), 'up']);
  for (const expr of exprs) {
    const { metrics, labels } = namesIn(expr);
    expect(metrics.length, expr).toBeGreaterThan(0);
    for (const m of metrics) expect(exported.has(m), `${m} in ${expr}`).toBe(true);
    for (const l of labels) expect(KNOWN_LABELS.has(l), `label ${l} in ${expr}`).toBe(true);
  }
}

describe('dashboards/relaymon.json', () => {
  const dash = JSON.parse(read('dashboards/relaymon.json')) as Dashboard;
  const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('parses, has unique panel ids, and every panel queries the chosen Prometheus', () => {
    expect(dash.uid).toBe('relaymon');
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    for (const p of dash.panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it('uses only exported metric names and known labels (the checker itself rejects unknown ones)', () => {
    checkExpressions(exprs);
    const templated = dash.templating.list.flatMap((v) => (v.type === 'query' ? [typeof v.query === 'string' ? v.query : v.query.query] : []));
    for (const q of templated) {
      const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(q);
      expect(m, q).not.toBeNull();
      expect(KNOWN_LABELS.has(m![2]!), q).toBe(true);
      checkExpressions([m![1]!]);
    }
    expect(() => checkExpressions(['rate(relaymon_requests_count[5m])'])).toThrow();
    expect(() => checkExpressions(['sum by (request_id) (relaymon_requests_total)'])).toThrow();
  });

  it('shows what the issue asks for: latency and TTFT quantiles, errors by type, tokens/s, cost per hour, target state', () => {
    const has = (re: RegExp) => expect(exprs.some((e) => re.test(e)), String(re)).toBe(true);
    has(/histogram_quantile\(0\.95, sum by \(le[^)]*\) \(rate\(gen_ai_client_operation_duration_seconds_bucket/);
    has(/histogram_quantile\(0\.95, sum by \(le[^)]*\) \(rate\(gen_ai_client_operation_time_to_first_chunk_seconds_bucket/);
    has(/sum by \([^)]*error_type[^)]*\) \(rate\(relaymon_requests_total\{[^}]*error_type!=""/);
    has(/rate\(gen_ai_client_token_usage_sum/);
    has(/rate\(relaymon_cost_usd_total\{[^}]*\}\[[^\]]+\]\)\) \* 3600/);
    has(/relaymon_target_state/);
  });
});

describe('dashboards/alerts.yml', () => {
  const rules = parseYaml(read('dashboards/alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const all = rules.groups.flatMap((g) => g.rules);

  it('covers p95 TTFT, error rate, target down, usage and model mismatch, on exported metrics only', () => {
    expect(all.map((r) => r.alert).sort()).toEqual(
      ['RelaymonAgentDown', 'RelaymonHighErrorRate', 'RelaymonModelMismatch', 'RelaymonSlowFirstToken', 'RelaymonTargetDown', 'RelaymonUsageMismatch'],
    );
    checkExpressions(all.map((r) => r.expr));
  });
});

describe('README', () => {
  it('lists every exported metric', () => {
    const readme = read('README.md');
    for (const name of Object.values(METRIC)) expect(readme, name).toContain(`\`${name}\``);
  });
});

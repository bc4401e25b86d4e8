/**
 * The usage_missing counter (issue #13): a successful answer without the
 * relay's usage, streamed or not, counted from its catalogue entry alone
 * (src/metrics/catalog.ts) in the windows and thresholds, /metrics, the docs
 * table, the probe text and the dashboard's detail view.
 */
import { describe, expect, it } from 'vitest';
import { exportedSeriesNames, PrometheusExporter } from '../../../src/export/prometheus.js';
import { probeRow, summaryText } from '../../../src/export/probe-text.js';
import { renderMetricTable } from '../../../src/metrics/docs.js';
import { usageMissing } from '../../../src/metrics/catalog.js';
import { queryFromResults, summarize } from '../../../src/stats/summary.js';
import { evaluateThreshold, parseThreshold } from '../../../src/stats/thresholds.js';
import { WindowedStats } from '../../../src/stats/windows.js';
import { DetailView, honestyRows } from '../../../src/ui/components/DetailView.js';
import { target } from '../../helpers/target.js';
import { result } from '../export/result.js';
import { find, parseExposition } from '../export/prometheus-text.js';
import { windowStats } from '../ui/fixtures.js';
import { frameText, utcTime } from '../ui/render-helpers.js';

const estimated = { usageSource: 'estimated' as const };
const results = [
  result({ ...estimated, stream: true, streamViolations: ['usage_missing'] }),
  result({ ...estimated, stream: false, streamViolations: [] }),
  result({ usageSource: 'reported' }),
  // A failure is not a missing usage, estimated or not (a stream cut part-way is billed for what it delivered).
  result({ ...estimated, ok: false, errorType: 'stream_truncated' }),
  result({ ok: false, errorType: 'server_error', usageSource: null, inputTokens: null, outputTokens: null }),
];

describe('usage_missing', () => {
  it('is a successful answer without both counts reported, streamed or not', () => {
    expect(results.map(usageMissing)).toEqual([true, true, false, false, false]);
  });

  it('answers thresholds alike from the live windows and from the raw results', () => {
    const s = new WindowedStats({ startMs: 0 });
    results.forEach((r, i) => s.record(r, 100 + i));
    const live = s.query('all', 2000);
    const exact = queryFromResults(results, 2000);
    for (const expr of ['usage_missing:count==2', 'usage_missing:count>0', 'usage_missing:rate>0']) {
      const t = parseThreshold(expr);
      expect([expr, evaluateThreshold(t, live).ok, evaluateThreshold(t, exact).ok]).toEqual([expr, true, true]);
    }
    expect(s.snapshot(2000).windows.all.usageMissing).toBe(2);
    expect(evaluateThreshold(parseThreshold('usage_missing:count>0'), queryFromResults([result({ usageSource: 'reported' })], 1000))).toMatchObject({ ok: false, value: 0 });
  });

  it('is a counter on /metrics with the per-request labels', async () => {
    const exp = new PrometheusExporter([target('relay', 'https://relay.example/v1')], { defaultMetrics: false });
    for (const r of results) exp.observe(r);
    const series = find(parseExposition(await exp.metrics()), 'relaymon_usage_missing_total', { relaymon_target: 'relay', gen_ai_request_model: 'gpt-4o-mini' });
    expect(series.reduce((n, x) => n + x.value, 0)).toBe(2);
    expect(exportedSeriesNames()).toContain('relaymon_usage_missing_total');
  });

  it('is a row of the docs table', () => {
    expect(renderMetricTable()).toContain('| `usage_missing` | counter | count; per second | `count`, `rate` | `usageMissing` | `relaymon_usage_missing_total` |');
  });

  it('probe notes it under the answer and in the summary', () => {
    expect(probeRow(1, results[1]!, false)).toContain('! usage missing: the relay reported no usage; tokens and cost marked ~ are estimated');
    expect(probeRow(1, results[1]!, false)).toMatch(/~\$\d/); // the cost column is marked estimated like the tokens
    expect(probeRow(1, results[2]!, false)).not.toContain('usage missing');
    expect(summaryText(summarize(results))).toContain("usage missing: 2 of 3 answers came without the relay's usage");
    expect(summaryText(summarize([results[2]!]))).not.toContain('usage missing');
  });

  it('has a row in the detail view\'s honesty section', () => {
    const text = (segs: { text: string }[]): string => segs.map((x) => x.text).join('');
    const rows = honestyRows(windowStats({ requests: 10, errors: 2, usageMissing: 3 })).map(text);
    expect(rows.find((r) => r.startsWith('usage'))).toBe("usage     3/8 answers without the relay's usage  their tokens and cost are estimated (~)");
    expect(honestyRows(windowStats({ requests: 10, errors: 0, usageMissing: 0 })).map(text).find((r) => r.startsWith('usage'))).toBe("usage     0/10 answers without the relay's usage");
    const s = new WindowedStats({ startMs: 0 });
    results.forEach((r, i) => s.record(r, 100 + i));
    const frame = frameText(<DetailView name="relay" stats={s.snapshot(2000).targets[0]!} window="all" samples={[]} errors={[]} width={160} height={60} formatTime={utcTime} />, 160);
    expect(frame).toContain("2/3 answers without the relay's usage");
  });
});

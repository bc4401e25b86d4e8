/**
 * The cached-input-token counter reaches the live windows (thresholds on
 * them, the snapshot), /metrics and the detail view from its catalogue entry
 * alone (src/metrics/catalog.ts).
 */
import { describe, expect, it } from 'vitest';
import { exportedSeriesNames, PrometheusExporter } from '../../../src/export/prometheus.js';
import { renderMetricTable } from '../../../src/metrics/docs.js';
import { queryFromResults } from '../../../src/stats/summary.js';
import { evaluateThreshold, parseThreshold } from '../../../src/stats/thresholds.js';
import { WindowedStats } from '../../../src/stats/windows.js';
import { DetailView } from '../../../src/ui/components/DetailView.js';
import { target } from '../../helpers/target.js';
import { result } from '../export/result.js';
import { find, parseExposition } from '../export/prometheus-text.js';
import { frameText, utcTime } from '../ui/render-helpers.js';

const cached = [result({ cachedInputTokens: 7 }), result({ cachedInputTokens: 5 }), result({ cachedInputTokens: null })];

describe('cached_input_tokens', () => {
  it('answers thresholds alike from the live windows and from the raw results', () => {
    const s = new WindowedStats({ startMs: 0 });
    cached.forEach((r, i) => s.record(r, 100 + i));
    const live = s.query('all', 2000);
    const exact = queryFromResults(cached, 2000);
    for (const expr of ['cached_input_tokens:count>0', 'cached_input_tokens:count==12', 'cached_input_tokens:rate>5']) {
      const t = parseThreshold(expr);
      expect([expr, evaluateThreshold(t, live).ok, evaluateThreshold(t, exact).ok]).toEqual([expr, true, true]);
    }
    expect(evaluateThreshold(parseThreshold('cached_input_tokens:count>0'), queryFromResults([result({ cachedInputTokens: null })], 1000))).toMatchObject({ ok: false, value: 0 });
    expect(s.snapshot(2000).windows.all.cachedInputTokens).toBe(12);
  });

  it('is a counter on /metrics with the per-request labels', async () => {
    const exp = new PrometheusExporter([target('relay', 'https://relay.example/v1')], { defaultMetrics: false });
    for (const r of cached) exp.observe(r);
    const series = find(parseExposition(await exp.metrics()), 'relaymon_cached_input_tokens_total', { relaymon_target: 'relay', gen_ai_request_model: 'gpt-4o-mini' });
    expect(series.reduce((n, x) => n + x.value, 0)).toBe(12);
    expect(exportedSeriesNames()).toContain('relaymon_cached_input_tokens_total');
  });

  it('is on the tokens line of the detail view', () => {
    const s = new WindowedStats({ startMs: 0 });
    cached.forEach((r, i) => s.record(r, 100 + i));
    const stats = s.snapshot(2000).targets[0]!;
    const frame = frameText(<DetailView name="relay" stats={stats} window="all" samples={[]} errors={[]} width={160} height={40} formatTime={utcTime} />, 160);
    expect(frame).toMatch(/tokens in \d+ out \d+ cached 12/);
  });

  it('is left out of the detail view while zero, as the text table leaves its row out (most relays never report it)', () => {
    const s = new WindowedStats({ startMs: 0 });
    s.record(result({ cachedInputTokens: null }), 100);
    const stats = s.snapshot(2000).targets[0]!;
    const frame = frameText(<DetailView name="relay" stats={stats} window="all" samples={[]} errors={[]} width={80} height={40} formatTime={utcTime} />, 80);
    expect(frame).toMatch(/tokens in \d+ out \d+/);
    expect(frame).not.toContain('cached');
  });

  it('is a row of the docs table', () => {
    expect(renderMetricTable()).toContain('| `cached_input_tokens` | counter | count; per second | `count`, `rate` | `cachedInputTokens` | `relaymon_cached_input_tokens_total` |');
  });
});

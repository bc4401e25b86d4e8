/**
 * Issue 11, items 10 and 12 (the pure parts): the progress rule, routing a
 * recorded log, unknown target tags, the honesty lines of the plain text, and
 * the wording fixes.
 */
import { describe, expect, it } from 'vitest';
import { createProgress, progressIntervalMs, PROGRESS_INTERVAL_MS } from '../../../src/run/progress.js';
import { routeRecorded } from '../../../src/traffic/replay/route.js';
import type { ReplayItem } from '../../../src/traffic/replay/replay-file.js';
import { checkThresholdTargets, parseThreshold } from '../../../src/stats/thresholds-parse.js';
import { UsageError } from '../../../src/core/errors.js';
import { honestyCountsOf, honestyLines } from '../../../src/export/honesty-text.js';
import { probeHonestyText, probeRow } from '../../../src/export/probe-text.js';
import { statusBreakdown } from '../../../src/ui/components/TargetPanel.js';
import { compareResults } from '../../../src/compare/compare.js';
import { compareText } from '../../../src/compare/compare-text.js';
import { dryRunText } from '../../../src/export/dry-run-text.js';
import { windowStats } from '../ui/fixtures.js';
import { makeResult } from '../stats/fixtures.js';

function fakeIo(tty: boolean) {
  const lines: string[] = [];
  return { lines, io: { err: (t: string) => void lines.push(t), stderrIsTty: tty } };
}

describe('the progress rule', () => {
  it('off a terminal: one plain line per interval of the run, prefixed with the command', () => {
    const { lines, io } = fakeIo(false);
    const p = createProgress(io, 'check', { intervalMs: 30_000 });
    for (let ms = 0; ms <= 95_000; ms += 250) p.update(ms, () => `at ${ms}`);
    p.done();
    expect(lines).toEqual(['check: at 30000\n', 'check: at 60000\n', 'check: at 90000\n']);
  });

  it('off a terminal a late update prints once, then keeps the run\'s own clock', () => {
    const { lines, io } = fakeIo(false);
    const p = createProgress(io, 'replay', { intervalMs: 1000 });
    p.update(3500, () => 'late');
    p.update(3900, () => 'no');
    p.update(4000, () => 'on time');
    expect(lines).toEqual(['replay: late\n', 'replay: on time\n']);
  });

  it('on a terminal: a live line redrawn at each update, cleared at the end; output beside it goes on a cleared line', () => {
    const { lines, io } = fakeIo(true);
    const p = createProgress(io, 'check', { intervalMs: 30_000 });
    p.update(10, () => 'one');
    p.update(20, () => 'two', () => lines.push('[beside]'));
    p.done();
    expect(lines).toEqual(['\r\u001b[2Kone', '\r\u001b[2K', '[beside]', 'two', '\r\u001b[2K']);
  });

  it('disabled: nothing but the beside output', () => {
    const { lines, io } = fakeIo(false);
    const p = createProgress(io, 'watch', { enabled: false, intervalMs: 1 });
    p.update(1000, () => 'x', () => lines.push('plain'));
    expect(lines).toEqual(['plain']);
  });

  it('30 s unless the test-only variable sets a positive whole number of ms', () => {
    expect(progressIntervalMs({})).toBe(PROGRESS_INTERVAL_MS);
    expect(PROGRESS_INTERVAL_MS).toBe(30_000);
    expect(progressIntervalMs({ RELAYMON_PROGRESS_INTERVAL_MS: '500' })).toBe(500);
    for (const bad of ['0', '-5', 'soon', '1.5', '']) expect(progressIntervalMs({ RELAYMON_PROGRESS_INTERVAL_MS: bad })).toBe(PROGRESS_INTERVAL_MS);
  });
});

function item(line: number, target?: string): ReplayItem {
  return { line, offsetMs: null, protocol: 'openai', spec: { model: 'm', messages: [], maxTokens: 8, stream: true }, ...(target ? { target } : {}) };
}

describe('routing a recorded log', () => {
  it('each line to its recorded target when configured, others to the fallback', () => {
    const r = routeRecorded([item(1, 'b'), item(2, 'a'), item(3, 'gone'), item(4, 'b')], ['a', 'b', 'c'], 'a')!;
    expect(r.lineTargets).toEqual(['b', 'a', 'a', 'b']);
    expect(r.targets).toEqual(['a', 'b']);
    expect(r.routed).toEqual({ a: 1, b: 2 });
    expect(r.unknown).toEqual({ gone: 1 });
  });

  it('nothing to route when no line names a configured target', () => {
    expect(routeRecorded([item(1, 'x'), item(2)], ['default'], 'default')).toBeNull();
    expect(routeRecorded([item(1), item(2)], ['a', 'b'], 'a')).toBeNull();
  });
});

describe('threshold target tags', () => {
  it('an unknown target is a usage error naming the known ones', () => {
    const t = [parseThreshold('latency{target:nosuch}:p(95)<500')];
    expect(() => checkThresholdTargets(t, ['relay', 'direct'])).toThrow(UsageError);
    expect(() => checkThresholdTargets(t, ['relay', 'direct'])).toThrow(/unknown target "nosuch" \(known targets: relay, direct\)/);
  });

  it('known targets and untagged thresholds pass', () => {
    expect(() => checkThresholdTargets([parseThreshold('latency{target:relay}:p(95)<500'), parseThreshold('errors:rate<1%')], ['relay'])).not.toThrow();
  });
});

describe('honesty lines of the plain text', () => {
  it('billing gap and model mismatch, only when there is something to show', () => {
    const honest = [makeResult({ inputTokens: 10, outputTokens: 8, localInputTokens: 10, localOutputTokens: 8, usageGapTokens: 0, usageGapRatio: 0, responseModel: 'gpt-4o-mini' })];
    expect(honestyLines(honestyCountsOf(honest))).toEqual([]);
    expect(probeHonestyText(honest, false)).toBe('');
    const dishonest = [0, 1].map(() =>
      makeResult({ model: 'gpt-4o-mini', responseModel: 'gpt-4o', modelMismatch: true, inputTokens: 10, outputTokens: 16, localInputTokens: 10, localOutputTokens: 8, usageGapTokens: 8, usageGapRatio: 8 / 18, usageMismatch: true }),
    );
    const lines = honestyLines(honestyCountsOf([...honest, ...dishonest]), 'relay');
    expect(lines[0]).toBe('relay billing: 2/3 answers billed beyond tolerance, +30% billed (tokens in: 30 billed / 30 counted; out: 40 billed / 24 counted)');
    expect(lines[1]).toBe('relay model: 2/3 answers named another model than asked');
    expect(probeRow(1, dishonest[0]!, false)).toContain('! billing: out 16 billed / 8 counted (beyond tolerance)');
  });
});

describe('wording', () => {
  it('a request without an HTTP answer reads "no HTTP answer ×N", never "HTTP none×N"', () => {
    expect(statusBreakdown(windowStats({ statuses: { '200': 3, '500': 2, none: 19 } }))).toBe('HTTP 500×2 · no HTTP answer ×19');
    expect(statusBreakdown(windowStats({ statuses: { none: 19 } }))).toBe('no HTTP answer ×19');
    expect(statusBreakdown(windowStats({ statuses: { '200': 3, '500': 2, none: 19 } }))).not.toContain('none');
  });

  it('compare: a small p with an effect below --min-effect is "significant but below --min-effect"', () => {
    const A = { name: 'relay', baseUrl: 'http://relay/v1', protocol: 'openai' as const };
    const B = { name: 'direct', baseUrl: 'http://direct/v1', protocol: 'openai' as const };
    const b = Array.from({ length: 50 }, (_, i) => makeResult({ target: 'direct', ttftMs: 100 + (i % 5) * 0.1 }));
    const a = b.map((x) => ({ ...x, target: 'relay', ttftMs: x.ttftMs! + 2 }));
    const report = compareResults(A, B, [...a, ...b]);
    const ttft = report.metrics.find((m) => m.metric === 'ttft')!;
    expect(ttft.pValue!).toBeLessThan(0.001);
    expect(ttft.significant).toBe(false);
    const row = compareText(report, { color: false, durationMs: 1000, stoppedBy: null }).split('\n').find((l) => l.startsWith('ttft '))!;
    expect(row).toContain('significant but below --min-effect');
    expect(row).not.toContain('no evidence');
  });

  it('dry run text says the output files are not written', () => {
    const text = dryRunText({
      dryRun: true,
      plan: 'probes',
      durationMs: null,
      requestLimit: 3,
      rows: [],
      totals: { requestsPerHour: 0, worstCaseUsdPerHour: null, expectedUsdPerHour: null, unpricedRows: 0, run: null },
      assumptions: { expectedOutputFraction: 0.5, worstCase: 'w', expected: 'e', inputTokens: 'i' },
      notes: ['nothing is written either: --summary s.json is left untouched (a dry run has no results)'],
    });
    expect(text).toContain('note: nothing is written either: --summary s.json is left untouched');
  });
});
